/**
 * What each field of a job means, decided from all its answers rather than the first object's. A `FieldSchemaBuilder`
 * is fed every object's normalised answers (pass 1), `resolve()` turns what it saw into a `FieldSchema`, and
 * `rewriteObject` rewrites one object's answers into the resolved fields (pass 2, at decide time). Builders of shards
 * `merge`; builders and schemas serialise to JSON. Memory per field is bounded (counts and capped samples).
 *
 * ## Shape → meaning
 *
 * | submitted (per field, across the job)                                        | meaning                                              |
 * |------------------------------------------------------------------------------|------------------------------------------------------|
 * | `{"label": "x"}`, `"x"` (classifier, select, short input)                    | categorical                                          |
 * | `3`, `"3"` (slider, numeric select)                                          | numeric (mean, median apply)                         |
 * | `{"on": true}`, `true`                                                       | boolean                                              |
 * | `{"yes": false}`, `{"yes": true}` (checkbox or toggle with a value)          | boolean: `false` is a "no" vote, not a missing answer |
 * | `{"a": false, "b": true}` with exactly one `true` in every answer            | single choice: categorical, written back as the map  |
 * | the same with numeric keys (`{"1": false, "2": false, "3": true}`, Likert)   | single choice, numeric: mean/median apply            |
 * | `{"a": true, "b": true}` in some answer, `{"labels": [...]}`, `["a", "b"]`   | multi-label                                          |
 * | `{"option1": {"Option 1": true}, "option2": {"Option 2": false}}`: keys that are each a one-key map, always present together, exactly one `true` across them in every answer (radio group across names) | one categorical field `option1\|option2` (or as named in `groups`) whose value is the chosen option's label (`Option 1`; the key's name when the button has no value) |
 * | any free text (more than 3 words, 40 characters, or several lines)           | text, for the whole field                            |
 * | a shape normalisation does not know (boxes, arrays of objects), or known and unknown shapes mixed (`"[]"` among boxes) | unknown: listed, not decided |
 * | keys that differ only by numbers or ids (`translation1..N`, `ocr-<id>-<n>-correct`) | reported as one pattern; `keyPatterns` maps them to one field per row, `translation[3]` |
 * | a key absent from some workers' answers (conditional question)              | decided over the workers who answered; `workersPerObject` and `partialObjects` say how many |
 *
 * ## Kind lattice
 *
 * A field's kind is the join of the kinds of all its answers (a single-choice boolean map counts as categorical, or
 * numeric when all its keys are numbers; one-key maps alone as boolean):
 *
 * | join          | boolean     | numeric     | categorical | text | multi-label | preference |
 * |---------------|-------------|-------------|-------------|------|-------------|------------|
 * | boolean       | boolean     | categorical | categorical | text | unknown     | unknown    |
 * | numeric       | categorical | numeric     | categorical | text | unknown     | unknown    |
 * | categorical   | categorical | categorical | categorical | text | unknown     | unknown    |
 * | text          | text        | text        | text        | text | unknown     | unknown    |
 * | multi-label   | unknown     | unknown     | unknown     | unknown | multi-label | unknown |
 * | preference    | unknown     | unknown     | unknown     | unknown | unknown  | preference |
 *
 * Any answer of an unknown shape makes the field unknown (`unknownReason: 'mixed-with-unknown'`, with `knownKind`);
 * only a strategy configured for the field then decides it, from its known answers. At rewrite, answers are converted
 * to the field's kind: `4` in a categorical field becomes `"4"`, a short answer in a text field becomes text.
 */
import { UsageError } from '../errors.js';
import { numericString } from './normalise.js';
import { defaultStrategyFor } from '../../strategies/registry.js';
import { submittedForm, voteKey } from '../../strategies/submitted-form.js';
import { isShapeAnswer, isShapeKind, shapeLabels, type AnswerKind, type AnswerValue, type FieldAnswer } from '../../strategies/types.js';

export interface FieldSchemaOptions {
  /** Group name → the fields that are one radio question (`{preferred: ["option1", "option2"]}`). */
  groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keys matching `pattern` (a regular expression) become the field `field`, one per row: `field[<first capture>]`
   * (`{pattern: "^translation(\\d+)$", field: "translation"}`: `translation3` → `translation[3]`), or `field` itself
   * when the pattern has no capture (a key with a per-worker id and no row).
   */
  keyPatterns?: readonly { pattern: string; field: string }[];
  /** Find radio groups across names without configuration (default true). */
  detectGroups?: boolean;
}

/** One field's answers in one object, as `prepareLine` produces them (the same shape as its `FieldAnswers`). */
export interface RawFieldAnswers {
  answers: FieldAnswer[];
  /** Raw values of a shape normalisation does not know. */
  unknown: unknown[];
}

export type ObjectFields = ReadonlyMap<string, RawFieldAnswers>;

export type FieldKind = AnswerKind | 'unknown';

export interface ResolvedField {
  name: string;
  kind: FieldKind;
  unknownReason?: 'unknown-shape' | 'mixed-with-unknown' | 'incompatible-kinds';
  /** The join of the known answers' kinds, for a field that is unknown because of unknown shapes among them. */
  knownKind?: FieldKind;
  /** For boolean maps with several keys: exactly one `true` in every answer (`single`), or not (`multiple`). */
  choice?: 'single' | 'multiple';
  /** The keys this field was grouped from (radio group across names); `detected` when not configured. */
  group?: { members: string[]; detected: boolean };
  /** Default strategy for the kind (none for unknown fields). */
  strategy?: string;
  /** Answers, those of an unknown shape included. */
  answers: number;
  unknownAnswers: number;
  /** `kind/shape` (`boolean/flag`, `multi-label/checkbox`, `unknown`, …) → answers. */
  shapes: Record<string, number>;
  /** A few submitted values, as escaped JSON cut to 60 characters. */
  examples: string[];
  /** Distinct labels with their answer counts, most frequent first (none for text). */
  labels: { label: string; count: number }[];
  /** More distinct labels were seen than are listed. */
  labelsTruncated: boolean;
  /** Objects with at least one answer, and how many workers answered per such object. */
  objects: number;
  workersPerObject: { min: number; max: number; mean: number };
  /** Objects where fewer workers answered this field than answered the object (conditional questions). */
  partialObjects: number;
  /** Answers dropped because two keys of one worker mapped onto the same row. */
  collisions: number;
  /** For a pattern's field (`ocr-<id>-<n>-correct`): key occurrences (once per object) folded into it because the
   * pattern had too many keys to track one by one. */
  foldedOccurrences?: number;
}

/** Keys that differ only by numbers or ids, reported together, with a `keyPatterns` entry that would map them. */
export interface DynamicKeyPattern {
  /** The keys with digit runs as `<n>` and hexadecimal ids as `<id>`. */
  pattern: string;
  /** Keys tracked one by one; `moreKeys` when further keys were folded into the pattern's own field. */
  keys: number;
  moreKeys: boolean;
  exampleKeys: string[];
  answers: number;
  /** No key was answered by more than one worker of an object: each worker got their own keys. */
  perWorker: boolean;
  suggestion: { pattern: string; field: string };
}

export interface FieldSchema {
  objects: number;
  /** In the order fields were first seen. */
  fields: ResolvedField[];
  groups: { name: string; members: string[]; detected: boolean }[];
  patterns: DynamicKeyPattern[];
  options: FieldSchemaOptions;
}

const maxExamples = 3;
const maxExampleLength = 60;
const maxLabels = 32;
/** A shape field's labels are its classes, every one needed for the class map: kept up to this many. */
export const maxShapeClasses = 1000;
const maxOptions = 64;
/** Flags per worker answer beyond which co-presence is not tracked (no radio group is that large). */
const maxFlagsPerAnswer = 64;
/** Keys of one pattern tracked one by one; further ones share the pattern's field. */
const maxKeysPerPattern = 32;
const schemaVersion = 1;

/** Everything kept about one field: counts and capped samples. */
class FieldStats {
  answers = 0;
  unknown = 0;
  shapes = new Map<string, number>();
  /** Boolean maps (flags and checkbox maps), those with several keys, those with exactly one `true`. */
  maps = 0;
  multiKeyMaps = 0;
  oneTrueMaps = 0;
  numericOptionKeys = true;
  options = new Set<string>();
  labels = new Map<string, number>();
  labelsTruncated = false;
  examples: string[] = [];
  objects = 0;
  workersMin = Number.POSITIVE_INFINITY;
  workersMax = 0;
  workersSum = 0;
  partialObjects = 0;
  collisions = 0;
  /** Key occurrences (once per object) folded into this field, see `maxKeysPerPattern`. */
  foldedOccurrences = 0;
  /** Answers where this field was a flag, and those where it was `true`. */
  flagAnswers = 0;
  flagTrues = 0;
  /** The flag fields present in every answer where this one was a flag (undefined before the first). */
  coPresent: Set<string> | undefined;
  /** Flag fields that were `true` in the same answer as this one. */
  trueWith = new Set<string>();

  addAnswer(value: AnswerValue): void {
    this.answers += 1;
    count(this.shapes, shapeOf(value));
    this.addExample(submittedForm(value));
    const map = choiceMapOf(value);
    if (map) {
      this.maps += 1;
      if (map.options.length > 1) this.multiKeyMaps += 1;
      if (map.chosen.length === 1) this.oneTrueMaps += 1;
      for (const option of map.options) {
        if (!isNumeric(option)) this.numericOptionKeys = false;
        if (this.options.size < maxOptions) this.options.add(option);
      }
    }
    for (const label of labelsOf(value)) this.addLabel(label, 1);
  }

  addUnknown(raw: unknown): void {
    this.answers += 1;
    this.unknown += 1;
    count(this.shapes, 'unknown');
    this.addExample(raw);
  }

  addObject(workers: number, objectWorkers: number): void {
    this.objects += 1;
    this.workersMin = Math.min(this.workersMin, workers);
    this.workersMax = Math.max(this.workersMax, workers);
    this.workersSum += workers;
    if (workers < objectWorkers) this.partialObjects += 1;
  }

  /** One worker's flags in one object: the flag fields `present` (this one, `name`, among them) and the `trues`. */
  addFlags(name: string, present: ReadonlySet<string>, trues: ReadonlySet<string>): void {
    const isTrue = trues.has(name);
    this.flagAnswers += 1;
    if (isTrue) this.flagTrues += 1;
    const tracked = present.size <= maxFlagsPerAnswer ? present : new Set<string>();
    this.coPresent = this.coPresent ? intersect(this.coPresent, tracked) : new Set(tracked);
    if (isTrue) for (const other of trues) if (other !== name && this.coPresent.has(other)) this.trueWith.add(other);
  }

  private addLabel(label: string, times: number): void {
    if (this.labels.has(label) || this.labels.size < this.labelCap()) count(this.labels, label, times);
    else this.labelsTruncated = true;
  }

  /** A shape field's labels are its classes, all needed; other fields list their most frequent. */
  private labelCap(): number {
    return [...this.shapes.keys()].some(isShapeKind) ? maxShapeClasses : maxLabels;
  }

  private addExample(submitted: unknown): void {
    if (this.examples.length >= maxExamples) return;
    const shown = exampleText(submitted);
    if (!this.examples.includes(shown)) this.examples.push(shown);
  }

  merge(other: FieldStats): void {
    this.answers += other.answers;
    this.unknown += other.unknown;
    this.maps += other.maps;
    this.multiKeyMaps += other.multiKeyMaps;
    this.oneTrueMaps += other.oneTrueMaps;
    this.numericOptionKeys &&= other.numericOptionKeys;
    for (const option of other.options) if (this.options.size < maxOptions) this.options.add(option);
    for (const [shape, n] of other.shapes) count(this.shapes, shape, n);
    for (const [label, n] of other.labels) this.addLabel(label, n);
    this.labelsTruncated ||= other.labelsTruncated;
    for (const example of other.examples) {
      if (this.examples.length < maxExamples && !this.examples.includes(example)) this.examples.push(example);
    }
    this.objects += other.objects;
    this.workersMin = Math.min(this.workersMin, other.workersMin);
    this.workersMax = Math.max(this.workersMax, other.workersMax);
    this.workersSum += other.workersSum;
    this.partialObjects += other.partialObjects;
    this.collisions += other.collisions;
    this.foldedOccurrences += other.foldedOccurrences;
    this.flagAnswers += other.flagAnswers;
    this.flagTrues += other.flagTrues;
    if (other.coPresent) this.coPresent = this.coPresent ? intersect(this.coPresent, other.coPresent) : new Set(other.coPresent);
    for (const name of other.trueWith) this.trueWith.add(name);
  }

  toJSON(): Record<string, unknown> {
    return {
      ...Object.fromEntries(Object.entries(this)),
      shapes: [...this.shapes],
      options: [...this.options],
      labels: [...this.labels],
      workersMin: this.objects > 0 ? this.workersMin : 0,
      coPresent: this.coPresent && [...this.coPresent],
      trueWith: [...this.trueWith],
    };
  }

  static fromJSON(json: Record<string, unknown>): FieldStats {
    const stats = new FieldStats();
    const counters = stats as unknown as Record<string, unknown>;
    // Only the counters, by their own names and types: nothing else of the JSON lands on the object.
    for (const [key, initial] of Object.entries(stats)) {
      if (typeof initial !== 'object' && typeof json[key] === typeof initial) counters[key] = json[key];
    }
    const entries = <T>(value: unknown) => (Array.isArray(value) ? value : []) as T[];
    stats.shapes = new Map(entries<[string, number]>(json.shapes));
    stats.options = new Set(entries<string>(json.options));
    stats.labels = new Map(entries<[string, number]>(json.labels));
    stats.examples = entries<string>(json.examples);
    stats.coPresent = Array.isArray(json.coPresent) ? new Set(entries<string>(json.coPresent)) : undefined;
    stats.trueWith = new Set(entries<string>(json.trueWith));
    if (stats.objects === 0) stats.workersMin = Number.POSITIVE_INFINITY;
    return stats;
  }
}

/** Pass 1: fed every object's answers; `resolve()` once the whole job (or shard) has been seen. */
export class FieldSchemaBuilder {
  private readonly stats = new Map<string, FieldStats>();
  /** Keys tracked one by one per key pattern, to fold the rest (bounded memory with per-worker keys). */
  private readonly keysPerPattern = new Map<string, number>();
  private objects = 0;
  /** The most workers any object had: keys answered by one worker per object are per-worker only if it is above 1. */
  private maxObjectWorkers = 0;
  private readonly patterns: CompiledPattern[];

  constructor(readonly options: FieldSchemaOptions = {}) {
    this.patterns = compilePatterns(options.keyPatterns ?? []);
  }

  /** One object's answers by field, and how many workers answered the object. */
  observe(fields: ObjectFields, objectWorkers: number): void {
    this.objects += 1;
    this.maxObjectWorkers = Math.max(this.maxObjectWorkers, objectWorkers);
    const { fields: mapped, collisions } = mapKeys(fields, this.patterns);
    let grouped = mapped;
    for (const [name, members] of Object.entries(this.options.groups ?? {})) grouped = applyGroup(grouped, name, members);
    const flags = new Map<string, { present: Set<string>; trues: Set<string> }>();
    const seen = new Map<string, FieldStats>();
    for (const [name, { answers, unknown }] of grouped) {
      const stats = this.statsFor(name);
      seen.set(name, stats);
      stats.collisions += collisions.get(name) ?? 0;
      for (const { workerId, value } of answers) {
        stats.addAnswer(value);
        if (value.kind === 'boolean' && value.shape === 'flag') {
          let worker = flags.get(workerId);
          if (!worker) flags.set(workerId, (worker = { present: new Set(), trues: new Set() }));
          worker.present.add(name);
          if (value.value) worker.trues.add(name);
        }
      }
      for (const raw of unknown) stats.addUnknown(raw);
      stats.addObject(answers.length + unknown.length, objectWorkers);
    }
    for (const { present, trues } of flags.values()) {
      for (const name of present) seen.get(name)!.addFlags(name, present, trues);
    }
  }

  merge(other: FieldSchemaBuilder): this {
    if (JSON.stringify(other.options) !== JSON.stringify(this.options)) {
      throw new Error('field schemas built with different options cannot be merged');
    }
    this.objects += other.objects;
    this.maxObjectWorkers = Math.max(this.maxObjectWorkers, other.maxObjectWorkers);
    for (const [name, stats] of other.stats) {
      const mine = this.stats.get(name);
      if (mine) mine.merge(stats);
      else this.track(name, new FieldStats()).merge(stats);
    }
    return this;
  }

  toJSON(): Record<string, unknown> {
    return {
      version: schemaVersion,
      options: this.options,
      objects: this.objects,
      maxObjectWorkers: this.maxObjectWorkers,
      fields: [...this.stats].map(([name, stats]) => [name, stats.toJSON()]),
    };
  }

  static fromJSON(json: unknown): FieldSchemaBuilder {
    const data = json as {
      version?: unknown; options?: FieldSchemaOptions; objects?: number; maxObjectWorkers?: number; fields?: [string, Record<string, unknown>][];
    };
    if (data?.version !== schemaVersion || !Array.isArray(data.fields)) throw new Error('not a serialised field schema');
    const builder = new FieldSchemaBuilder(data.options ?? {});
    builder.objects = data.objects ?? 0;
    builder.maxObjectWorkers = data.maxObjectWorkers ?? 0;
    for (const [name, stats] of data.fields) builder.track(name, FieldStats.fromJSON(stats));
    return builder;
  }

  resolve(): FieldSchema {
    const configured = Object.entries(this.options.groups ?? {}).map(([name, members]) => ({ name, members: [...members], detected: false }));
    const detected = this.options.detectGroups === false ? [] : detectGroups(this.stats);
    const memberOf = new Map(detected.flatMap((group) => group.members.map((member) => [member, group] as const)));
    const fields: ResolvedField[] = [];
    for (const [name, stats] of this.stats) {
      const group = memberOf.get(name);
      if (!group) fields.push(resolveField(name, stats));
      else if (group.members[0] === name) fields.push(resolveDetectedGroup(group.name, group.members, this.stats));
    }
    for (const field of fields) {
      const configuredGroup = configured.find((group) => group.name === field.name);
      if (configuredGroup) field.group = { members: configuredGroup.members, detected: false };
    }
    return {
      objects: this.objects,
      fields,
      groups: [...configured, ...detected],
      patterns: dynamicPatterns(this.stats, this.objects, this.maxObjectWorkers > 1, this.options.keyPatterns ?? []),
      options: this.options,
    };
  }

  private statsFor(name: string): FieldStats {
    const existing = this.stats.get(name);
    if (existing) return existing;
    const pattern = keyPattern(name);
    if (pattern !== name && (this.keysPerPattern.get(pattern) ?? 0) >= maxKeysPerPattern) {
      const folded = this.stats.get(pattern) ?? this.track(pattern, new FieldStats());
      folded.foldedOccurrences += 1;
      return folded;
    }
    return this.track(name, new FieldStats());
  }

  private track(name: string, stats: FieldStats): FieldStats {
    this.stats.set(name, stats);
    count(this.keysPerPattern, keyPattern(name));
    return stats;
  }
}

/** Pass 2: one object's answers rewritten into the schema's fields (key patterns, groups, choices, kinds). */
export function rewriteObject(schema: FieldSchema, fields: ObjectFields): Map<string, RawFieldAnswers> {
  const { patterns, byName } = compiled(schema);
  let rewritten = mapKeys(fields, patterns).fields;
  for (const { name, members } of schema.groups) rewritten = applyGroup(rewritten, name, members);
  for (const [name, { answers, unknown }] of rewritten) {
    const field = byName.get(name) ?? byName.get(keyPattern(name));
    if (!field || field.kind === 'unknown') continue;
    const resolved: FieldAnswer[] = [];
    const unfit = [...unknown];
    for (const { workerId, value } of answers) {
      const fitted = resolveAnswer(field, value);
      if (fitted) resolved.push({ workerId, value: fitted });
      else unfit.push(submittedForm(value));
    }
    rewritten.set(name, { answers: resolved, unknown: unfit });
  }
  return rewritten;
}

/**
 * One answer as its field means it: a single-choice map as its chosen option (a number for numeric keys), a flag in a
 * multi-label field as a one-option map, then converted to the field's kind. `undefined` when it cannot be (a map
 * with no or several `true`s in a single-choice field, a list in a categorical one).
 */
export function resolveAnswer(field: ResolvedField, value: AnswerValue): AnswerValue | undefined {
  if (field.kind === 'unknown') return value;
  const map = choiceMapOf(value);
  let answer = value;
  if (map && field.choice === 'single') {
    if (map.chosen.length !== 1) return undefined;
    const [label] = map.chosen as [string];
    answer = field.kind === 'numeric'
      ? { kind: 'numeric', value: Number(label), shape: 'radio' }
      : { kind: 'categorical', value: label, shape: 'radio', options: map.options };
  } else if (map && field.choice === 'multiple') {
    answer = { kind: 'multi-label', labels: map.chosen, options: map.options, shape: 'checkbox' };
  }
  return asKind(answer, field.kind);
}

function asKind(value: AnswerValue, kind: AnswerKind): AnswerValue | undefined {
  if (value.kind === kind) return value;
  if (value.kind === 'multi-label' || value.kind === 'preference' || isShapeAnswer(value)) return undefined;
  const text = value.kind === 'text' || value.kind === 'categorical' ? value.value : String(value.value);
  if (kind === 'categorical' && value.kind !== 'text') return { kind: 'categorical', value: text, shape: 'string' };
  if (kind === 'text') return { kind: 'text', value: text };
  return undefined;
}

// ---- resolution

const scalarRank: Partial<Record<FieldKind, number>> = { boolean: 0, numeric: 0, categorical: 1, text: 2 };

/** The lattice join of two kinds (see the table in the header). */
export function joinKinds(a: FieldKind, b: FieldKind): FieldKind {
  if (a === b) return a;
  const rankA = scalarRank[a];
  const rankB = scalarRank[b];
  if (rankA === undefined || rankB === undefined) return 'unknown';
  if (rankA === rankB) return 'categorical';
  return rankA > rankB ? a : b;
}

function resolveField(name: string, stats: FieldStats): ResolvedField {
  const kinds: FieldKind[] = [];
  for (const shape of stats.shapes.keys()) {
    if (shape !== 'unknown' && shape !== 'boolean/flag' && shape !== 'multi-label/checkbox') kinds.push(shape.split('/')[0] as AnswerKind);
  }
  let choice: ResolvedField['choice'];
  if (stats.maps > 0) {
    if (stats.multiKeyMaps === 0) kinds.push('boolean');
    else {
      choice = stats.oneTrueMaps === stats.maps ? 'single' : 'multiple';
      kinds.push(choice === 'multiple' ? 'multi-label' : stats.numericOptionKeys ? 'numeric' : 'categorical');
    }
  }
  const knownKind = kinds.length > 0 ? kinds.reduce(joinKinds) : undefined;
  const kind: FieldKind = stats.unknown > 0 || knownKind === undefined ? 'unknown' : knownKind;
  const unknownReason = kind !== 'unknown' ? undefined
    : knownKind === undefined ? 'unknown-shape'
      : stats.unknown > 0 ? 'mixed-with-unknown' : 'incompatible-kinds';
  return {
    name,
    kind,
    ...(unknownReason && { unknownReason }),
    ...(unknownReason === 'mixed-with-unknown' && { knownKind }),
    ...(choice && { choice }),
    ...(kind !== 'unknown' && { strategy: defaultStrategyFor[kind] }),
    answers: stats.answers,
    unknownAnswers: stats.unknown,
    shapes: Object.fromEntries(stats.shapes),
    examples: stats.examples,
    labels: kind === 'text' ? [] : [...stats.labels].map(([label, n]) => ({ label, count: n }))
      .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    labelsTruncated: kind !== 'text' && stats.labelsTruncated,
    ...objectCounts(stats),
    collisions: stats.collisions,
    ...(stats.foldedOccurrences > 0 && { foldedOccurrences: stats.foldedOccurrences }),
  };
}

/**
 * Radio groups across names: flag fields always present together, never two `true` in one answer, and together
 * exactly one `true` in every answer (their `true` counts add up to their answers). Fields never `true` are left out,
 * so an unticked checkbox beside a radio group is not swallowed by it; name them in `groups` to include them.
 */
function detectGroups(stats: ReadonlyMap<string, FieldStats>): { name: string; members: string[]; detected: true }[] {
  const candidates = [...stats].filter(([, s]) => s.flagAnswers === s.answers && s.flagTrues > 0 && s.coPresent && s.coPresent.size > 1);
  const together = (a: string, b: string) => stats.get(a)!.coPresent!.has(b) && stats.get(b)?.coPresent?.has(a) === true;
  const groups: { name: string; members: string[]; detected: true }[] = [];
  const taken = new Set<string>();
  for (const [name, first] of candidates) {
    if (taken.has(name)) continue;
    const presentTogether = candidates.filter(([other]) => other !== name && !taken.has(other) && together(name, other)).map(([other]) => other);
    const members = exclusiveCover([name, ...presentTogether], stats, first.flagAnswers);
    if (!members) continue;
    for (const member of members) taken.add(member);
    groups.push({ name: members.join('|'), members, detected: true });
  }
  return groups;
}

/** Fields (at least two, the first included) that are pairwise never `true` together and whose `true`s add up to `answers`. */
function exclusiveCover(fields: readonly string[], stats: ReadonlyMap<string, FieldStats>, answers: number): string[] | undefined {
  const trues = (field: string) => stats.get(field)!.flagTrues;
  const clash = (a: string, b: string) => stats.get(a)!.trueWith.has(b) || stats.get(b)!.trueWith.has(a);
  let steps = 0;
  const search = (chosen: string[], total: number, from: number): string[] | undefined => {
    if (total === answers) return chosen.length > 1 ? chosen : undefined;
    if (total > answers || (steps += 1) > 10_000) return undefined;
    for (let i = from; i < fields.length; i += 1) {
      const field = fields[i]!;
      if (chosen.some((other) => clash(field, other))) continue;
      const found = search([...chosen, field], total + trues(field), i + 1);
      if (found) return found;
    }
    return undefined;
  };
  return search([fields[0]!], trues(fields[0]!), 1);
}

/** A detected group's field: answers and objects as any one member's (they are always present together). */
function resolveDetectedGroup(name: string, members: readonly string[], stats: ReadonlyMap<string, FieldStats>): ResolvedField {
  const merged = new FieldStats();
  for (const member of members) merged.merge(stats.get(member)!);
  const first = stats.get(members[0]!)!;
  const labels = members.map((member) => ({ label: memberLabel(member, stats.get(member)!.options.values().next().value), count: stats.get(member)!.flagTrues }));
  const kind = labels.every(({ label }) => isNumeric(label)) ? 'numeric' : 'categorical';
  return {
    ...resolveField(name, merged),
    kind,
    group: { members: [...members], detected: true },
    strategy: defaultStrategyFor[kind],
    answers: first.answers,
    labels: labels.sort((a, b) => b.count - a.count),
    labelsTruncated: false,
    ...objectCounts(first),
  };
}

function objectCounts(stats: FieldStats): Pick<ResolvedField, 'objects' | 'workersPerObject' | 'partialObjects'> {
  return {
    objects: stats.objects,
    workersPerObject: {
      min: stats.objects > 0 ? stats.workersMin : 0,
      max: stats.workersMax,
      mean: stats.objects > 0 ? stats.workersSum / stats.objects : 0,
    },
    partialObjects: stats.partialObjects,
  };
}

// ---- groups and key patterns, shared by both passes

/** A radio button's label: its value, or its name when it has none (`{"on": true}`). */
const memberLabel = (member: string, option: string | undefined) => (option === undefined || option === 'on' ? member : option);

const choiceValue = (label: string): AnswerValue =>
  (isNumeric(label) ? { kind: 'numeric', value: Number(label), shape: 'radio' } : { kind: 'categorical', value: label, shape: 'string' });

/**
 * The members' answers as one field at the first member's place: each worker's chosen label; a worker with no member
 * `true` has not answered; several `true`s or an answer that is not yes/no is kept as unknown, with every member.
 */
function applyGroup(fields: Map<string, RawFieldAnswers>, name: string, members: readonly string[]): Map<string, RawFieldAnswers> {
  if (!members.some((member) => fields.has(member))) return fields;
  const byWorker = new Map<string, { chosen: string[]; submitted: Record<string, unknown>; invalid: boolean }>();
  const unknown: unknown[] = [];
  for (const member of members) {
    const field = fields.get(member);
    if (!field) continue;
    unknown.push(...field.unknown.map((raw) => ({ [member]: raw })));
    for (const { workerId, value } of field.answers) {
      let worker = byWorker.get(workerId);
      if (!worker) byWorker.set(workerId, (worker = { chosen: [], submitted: {}, invalid: false }));
      worker.submitted[member] = submittedForm(value);
      if (value.kind !== 'boolean') worker.invalid = true;
      else if (value.value) worker.chosen.push(memberLabel(member, value.shape === 'flag' ? value.option : undefined));
    }
  }
  const answers: FieldAnswer[] = [];
  for (const [workerId, { chosen, submitted, invalid }] of byWorker) {
    if (invalid || chosen.length > 1) unknown.push(submitted);
    else if (chosen.length === 1) answers.push({ workerId, value: choiceValue(chosen[0]!) });
  }
  const grouped = new Map<string, RawFieldAnswers>();
  for (const [key, field] of fields) {
    if (!members.includes(key)) grouped.set(key, field);
    else if (!grouped.has(name) && (answers.length > 0 || unknown.length > 0)) grouped.set(name, { answers, unknown });
  }
  return grouped;
}

interface CompiledPattern { regex: RegExp; field: string }

function compilePatterns(patterns: readonly { pattern: string; field: string }[]): CompiledPattern[] {
  return patterns.map(({ pattern, field }, index) => {
    try {
      return { regex: new RegExp(pattern), field };
    } catch (error) {
      throw new UsageError(`keyPatterns[${index}].pattern: ${(error as Error).message}`);
    }
  });
}

/** A key's field under the configured patterns: `field[row]`, `field`, or the key itself. */
function mappedName(key: string, patterns: readonly CompiledPattern[]): string {
  for (const { regex, field } of patterns) {
    const match = regex.exec(key);
    if (match) return match[1] === undefined ? field : `${field}[${match[1]}]`;
  }
  return key;
}

/** Keys renamed by the patterns; a worker's second answer for the same field is dropped and counted. */
function mapKeys(fields: ObjectFields, patterns: readonly CompiledPattern[]): { fields: Map<string, RawFieldAnswers>; collisions: Map<string, number> } {
  const mapped = new Map<string, RawFieldAnswers>();
  const collisions = new Map<string, number>();
  for (const [key, { answers, unknown }] of fields) {
    const name = mappedName(key, patterns);
    const target = mapped.get(name);
    if (!target) {
      mapped.set(name, { answers: [...answers], unknown: [...unknown] });
      continue;
    }
    for (const answer of answers) {
      if (target.answers.some(({ workerId }) => workerId === answer.workerId)) count(collisions, name);
      else target.answers.push(answer);
    }
    target.unknown.push(...unknown);
  }
  return { fields: mapped, collisions };
}

/** A key with hexadecimal ids as `<id>` and digit runs as `<n>`: `ocr-18c3f9a2b1d-0042-correct` → `ocr-<id>-<n>-correct`. */
export function keyPattern(key: string): string {
  return key
    .replace(/(?<![0-9a-z])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}(?![0-9a-z])/gi, '<id>')
    .replace(/\d+/g, '<n>');
}

/** A `keyPatterns` entry for a reported pattern: the last `<n>` is the row; the field is the literal text. */
function suggestion(pattern: string): { pattern: string; field: string } {
  const parts = pattern.split(/(<id>|<n>)/);
  const row = parts.lastIndexOf('<n>');
  const regex = parts.map((part, index) => {
    if (part === '<id>') return '[0-9a-fA-F]+';
    if (part === '<n>') return index === row ? '(\\d+)' : '\\d+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  const field = parts.filter((part) => part !== '<id>' && part !== '<n>').join('-').replace(/([-_. ])[-_. ]+/g, '$1').replace(/^[-_. ]+|[-_. ]+$/g, '');
  return { pattern: `^${regex}$`, field: field || 'field' };
}

/**
 * Patterns shared by several keys of which some were answered in fewer than half the objects, or per worker (in a job
 * with several workers per object); fields the configured key patterns made are not reported again.
 */
function dynamicPatterns(
  stats: ReadonlyMap<string, FieldStats>, objects: number, severalWorkers: boolean, configured: readonly { field: string }[],
): DynamicKeyPattern[] {
  const byPattern = new Map<string, { keys: string[]; answers: number; moreKeys: boolean; rare: boolean; perWorker: boolean }>();
  const mapped = (name: string) => configured.some(({ field }) => name === field || name.startsWith(`${field}[`));
  for (const [name, field] of stats) {
    const pattern = keyPattern(name);
    const folded = field.foldedOccurrences > 0;
    if ((pattern === name && !folded) || mapped(name)) continue;
    let entry = byPattern.get(pattern);
    if (!entry) byPattern.set(pattern, (entry = { keys: [], answers: 0, moreKeys: false, rare: false, perWorker: true }));
    if (!folded) entry.keys.push(name);
    entry.answers += field.answers;
    entry.moreKeys ||= folded;
    entry.rare ||= folded || field.objects < objects / 2;
    // A folded field gathers several keys per object, so its workers per object say nothing here.
    entry.perWorker &&= folded || field.workersMax <= 1;
  }
  return [...byPattern]
    .filter(([, entry]) => (entry.keys.length > 1 || entry.moreKeys) && (entry.rare || (severalWorkers && entry.perWorker)))
    .map(([pattern, entry]) => ({
      pattern,
      keys: entry.keys.length,
      moreKeys: entry.moreKeys,
      exampleKeys: entry.keys.slice(0, maxExamples),
      answers: entry.answers,
      perWorker: severalWorkers && entry.perWorker,
      suggestion: suggestion(pattern),
    }));
}

const compiledSchemas = new WeakMap<FieldSchema, { patterns: CompiledPattern[]; byName: Map<string, ResolvedField> }>();

function compiled(schema: FieldSchema): { patterns: CompiledPattern[]; byName: Map<string, ResolvedField> } {
  let entry = compiledSchemas.get(schema);
  if (!entry) {
    entry = { patterns: compilePatterns(schema.options.keyPatterns ?? []), byName: new Map(schema.fields.map((field) => [field.name, field])) };
    compiledSchemas.set(schema, entry);
  }
  return entry;
}

// ---- small helpers

/** A boolean map's options and chosen keys: a checkbox map, or a one-key flag. */
function choiceMapOf(value: AnswerValue): { options: string[]; chosen: string[] } | undefined {
  if (value.kind === 'multi-label' && value.shape === 'checkbox') return { options: value.options, chosen: value.labels };
  if (value.kind === 'boolean' && value.shape === 'flag') return { options: [value.option], chosen: value.value ? [value.option] : [] };
  return undefined;
}

function shapeOf(value: AnswerValue): string {
  if (value.kind === 'text' || isShapeAnswer(value)) return value.kind;
  if (value.kind === 'preference') return `preference/${value.source}`;
  return `${value.kind}/${value.shape}`;
}

function labelsOf(value: AnswerValue): string[] {
  if (isShapeAnswer(value)) return [...new Set(shapeLabels(value))];
  if (value.kind === 'text' || value.kind === 'preference') return [];
  return value.kind === 'multi-label' ? value.labels : [voteKey(value)];
}

const isNumeric = (text: string) => numericString.test(text.trim()) && Number.isFinite(Number(text));

function count<K>(counts: Map<K, number>, key: K, times = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + times);
}

function intersect<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): Set<T> {
  return new Set([...a].filter((item) => b.has(item)));
}

/** A submitted value as JSON, cut short, with invisible and direction-changing characters escaped. */
function exampleText(submitted: unknown): string {
  const json = JSON.stringify(submitted) ?? String(submitted);
  const shown = json.length > maxExampleLength ? `${json.slice(0, maxExampleLength - 1)}…` : json;
  return shown.replace(/[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
