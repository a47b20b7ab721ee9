/**
 * The decide stage: each object's fields consolidated by their strategies, in input order, into the line that is
 * written (every input key kept, `<label>` = each field's consolidated value in the submitted shape, `<label>-metadata`
 * = Ground Truth's metadata plus `consolidation` per field and `confidence`) and the typed decisions behind it, which
 * sinks such as the export read. Also scores decisions against gold and workers against both.
 */
import { FieldMeasures } from '../report/field-measures.js';
import { resolveAnswer, type ResolvedField } from '../responses/field-schema.js';
import { normaliseValue } from '../responses/normalise.js';
import type { GoldLabels } from '../report/gold.js';
import type { ShapeCounts, Summary } from '../report/summary.js';
import type { WorkerStats } from '../report/worker-report.js';
import { submittedForm, voteKey } from '../../strategies/submitted-form.js';
import { drawnShapes, isShapeAnswer, type AnswerKind, type Decision, type FieldAnswer, type ShapeOutcome } from '../../strategies/types.js';
import { parseUntrustedJson } from '../responses/safe-json.js';
import { meanIouAgainstGold } from '../report/shape-gold.js';
import type { FieldPlan } from '../config/field-setting.js';
import type { FieldPlanner } from './field-plan.js';
import type { Prepared, PreparedObject } from './prepare.js';
import { mapOrdered } from './ordered-map.js';
import type { Stage } from './stage.js';
import type { JobModel } from './table.js';

/** One field of one object as decided: by which strategy, from which answers (those it accepts). */
export interface FieldDecision extends Decision {
  strategy: string;
  answers: readonly FieldAnswer[];
}

export interface DecidedObject extends PreparedObject {
  /** The line as written. */
  consolidated: Record<string, unknown>;
  /** Files the line refers to (`<field>-ref`), to write into the side-file folder under `name`. */
  files: { name: string; bytes: Uint8Array }[];
  /** By field, for every field with answers (`answers` here: those its strategy accepts). */
  decisions: Map<string, FieldDecision>;
}

export type Decided = Exclude<Prepared, PreparedObject> | DecidedObject;

/**
 * Objects are decided one by one, in input order. When a field's strategy decides on worker threads (masks), those
 * decisions are started for up to `offThreadObjects` objects ahead, so the threads work on several at once; the rest
 * of each object is still decided in order (the seeded random draws stay the same).
 */
export function decideStage(decider: ObjectDecider, offThreadObjects = 16): Stage<Prepared, Decided> {
  return async function* decide(lines) {
    // The fields are planned once the table stage has seen the whole job, before it lets the first line through.
    const iterator = lines[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) return;
    const rest: AsyncIterable<Prepared> = { [Symbol.asyncIterator]: () => iterator };
    if (!decider.decidesOffThread()) {
      yield first.value.type === 'object' ? decider.decide(first.value) : first.value;
      for await (const line of rest) yield line.type === 'object' ? decider.decide(line) : line;
      return;
    }
    const all = (async function* () {
      yield first.value;
      yield* rest;
    })();
    const ahead = mapOrdered(all, offThreadObjects, async (line) => ({ line, early: line.type === 'object' ? await decider.offThread(line) : undefined }));
    for await (const { line, early } of ahead) yield line.type === 'object' ? decider.decide(line, early) : line;
  };
}

/**
 * Answers of a shape no strategy decides: copied verbatim onto the output line (`copy`, the default), or only counted,
 * with a pointer to the worker response that holds them (`ref`: segmentation PNGs made lines three times larger).
 */
export type UnknownAnswers = 'copy' | 'ref';

export interface DeciderSettings {
  planner: FieldPlanner;
  /** The run's seeded random source, for strategies' tie policies. */
  random: () => number;
  /** The run's seed, for measures that draw their own numbers (α's bootstrap) without shifting the strategies' draws. */
  seed?: number;
  summary: Summary;
  workers: WorkerStats;
  gold?: GoldLabels;
  /** The job's schema, once the table stage has learned it. */
  model?: JobModel;
  unknownAnswers?: UnknownAnswers;
  /**
   * The folder a decision's file (`Decision.file`) is written to; without one (output to standard output, a Lambda)
   * the line's `<field>-ref` is a `data:` URI holding the file.
   */
  sideFiles?: { folder: string; locationOf(name: string): string };
}

/**
 * Consolidates one object. Its `confidence` is the lowest confidence of its decided fields (an object is as sure as
 * its least sure label; free text kept by `collect` does not count; 0 when nothing was decided).
 */
export class ObjectDecider {
  private readonly measures: FieldMeasures;
  private fieldsByName?: ReadonlyMap<string, ResolvedField>;

  private readonly planner: FieldPlanner;
  private readonly random: () => number;
  private readonly summary: Summary;
  private readonly workers: WorkerStats;
  private readonly gold: GoldLabels | undefined;
  private readonly model: JobModel;
  private readonly unknownAnswers: UnknownAnswers;
  private readonly sideFiles: DeciderSettings['sideFiles'];

  constructor(settings: DeciderSettings) {
    ({ planner: this.planner, random: this.random, summary: this.summary, workers: this.workers, gold: this.gold, sideFiles: this.sideFiles } = settings);
    this.measures = new FieldMeasures(settings.seed ?? 1);
    this.model = settings.model ?? { fittedLabels: new Map() };
    this.unknownAnswers = settings.unknownAnswers ?? 'copy';
  }

  /** Whether a field's strategy decides on worker threads (once the fields are planned). */
  decidesOffThread(): boolean {
    return this.planner.plannedFields().some(([, plan]) => plan.consolidator.decideOffThread !== undefined);
  }

  /** The object's decisions that its fields' strategies make on worker threads, by field (none: `undefined`). */
  async offThread(prepared: PreparedObject): Promise<ReadonlyMap<string, Decision> | undefined> {
    const started: Promise<[string, Decision]>[] = [];
    for (const [name, { answers }] of prepared.fields) {
      const decideOffThread = this.planner.planFor(name)?.consolidator.decideOffThread;
      const usable = decideOffThread ? this.planner.usableAnswers(name, answers) : [];
      if (usable.length > 0) started.push(decideOffThread!(usable).then((decision) => [name, decision]));
    }
    return started.length > 0 ? new Map(await Promise.all(started)) : undefined;
  }

  /** `early`: decisions `offThread` made for this object, taken as they are. */
  decide(prepared: PreparedObject, early?: ReadonlyMap<string, Decision>): DecidedObject {
    const label: Record<string, unknown> = {};
    const consolidation: Record<string, Record<string, unknown>> = {};
    const decisions = new Map<string, FieldDecision>();
    const files: DecidedObject['files'] = [];
    let confidence: number | undefined;
    const goldLabel = this.gold?.labelOf(prepared.json);
    for (const [name, { answers, unknown, row }] of prepared.fields) {
      if (unknown.length > 0) this.summary.unknownShapes[name] = (this.summary.unknownShapes[name] ?? 0) + unknown.length;
      const kept = this.keep(unknown);
      const plan = this.planner.planFor(name);
      if (!plan || answers.length === 0) {
        // A field of unknown shapes, and no strategy configured for it: listed, never decided. Its answers of a known
        // shape (a decoded "[]" among boxes) are kept as submitted beside the others: nothing a worker sent is dropped.
        const raw = [...unknown, ...answers.map(({ value }) => submittedForm(value))];
        consolidation[name] = { strategy: null, answers: 0, ...(answers.length > 0 && { ignored: answers.length }), ...this.keep(raw) };
        continue;
      }
      const usable = this.planner.usableAnswers(name, answers);
      const decision = withVoteTie(usable.length > 0
        ? early?.get(name) ?? plan.consolidator.decide(usable, { random: this.random, object: row })
        : { value: undefined, confidence: 0 }, usable);
      const resolved = decision.value !== undefined;
      if (resolved && decision.file) label[`${name}-ref`] = this.placeFile(prepared.line, name, decision, files);
      else if (resolved) label[name] = decision.value;
      const { value, confidence: sure, details, shapes, file } = decision;
      decisions.set(name, { value, confidence: sure, details, shapes, file, strategy: plan.strategy.name, answers: usable });
      consolidation[name] = consolidationOf(plan.strategy.name, decision, usable.length, answers.length, kept);
      if (!plan.strategy.keepsAnswers) {
        confidence = Math.min(confidence ?? 1, decision.confidence);
        const gold = this.gold?.appliesTo(name) ? goldLabel : undefined;
        if (decision.shapes) this.scoreShapes(name, usable, decision.shapes, gold);
        else if (!decision.file) this.score(name, usable, decision, gold, plan.consolidator.fitReport !== undefined);
        this.measures.observeAnswers(name, usable);
      }
      this.countField(name, plan, usable.length, decision);
    }
    for (const [field, key, workerId, value] of prepared.sideKeys) {
      const sideKeys = ((consolidation[field] ??= { strategy: null, answers: 0 }).sideKeys ??= {}) as Record<string, unknown[]>;
      (sideKeys[key] ??= []).push({ workerId, value });
    }
    // Built by assignment (the same keys in the same order as spreads would give): object spreads with keys after them
    // took a tenth of a mirror run. Inputs never hold a `__proto__` key (`safe-json.ts`), so assigning is defining.
    const metadataKey = `${prepared.labelAttribute}-metadata`;
    const metadata: Record<string, unknown> = { ...(prepared.json[metadataKey] as Record<string, unknown>) };
    metadata.consolidation = consolidation;
    metadata.confidence = confidence ?? 0;
    const consolidated: Record<string, unknown> = { ...prepared.json };
    consolidated[prepared.labelAttribute] = label;
    consolidated[metadataKey] = metadata;
    const { type, line, json, labelAttribute, workers, fields, duplicates, sideKeys } = prepared;
    return { type, line, json, labelAttribute, workers, fields, duplicates, sideKeys, consolidated, decisions, files };
  }

  /**
   * A decision's file, named `<line>-<field>.<extension>` (the field reduced to safe characters, `-2`, `-3`, … when two
   * fields of the line reduce alike), added to `files`; returns its location, or a `data:` URI without a folder.
   */
  private placeFile(line: number, field: string, { value, file }: Decision, files: DecidedObject['files']): string {
    const bytes = value as Uint8Array;
    if (!this.sideFiles) return `data:${file!.mediaType};base64,${Buffer.from(bytes).toString('base64')}`;
    const base = `${line}-${field.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}`;
    let name = `${base}.${file!.extension}`;
    for (let n = 2; files.some((taken) => taken.name.toLowerCase() === name.toLowerCase()); n += 1) name = `${base}-${n}.${file!.extension}`;
    files.push({ name, bytes });
    this.summary.sideFiles ??= { folder: this.sideFiles.folder, files: 0 };
    this.summary.sideFiles.files += 1;
    return this.sideFiles.locationOf(name);
  }

  /** Raw answers no strategy decides, as `unknownAnswers` says: copied, or counted with a pointer to the response. */
  private keep(raw: readonly unknown[]): { unknownShape?: unknown } {
    if (raw.length === 0) return {};
    return { unknownShape: this.unknownAnswers === 'copy' ? raw : { answers: raw.length, in: 'worker-response-ref' } };
  }

  private countField(name: string, plan: FieldPlan, answers: number, decision: Decision): void {
    const field = (this.summary.fields[name] ??= {
      strategy: plan.strategy.name,
      ...(plan.pickedFor && { pickedFor: plan.pickedFor }),
      objects: 0, answers: 0, ties: 0, unresolved: 0, meanConfidence: 0,
    });
    field.objects += 1;
    field.answers += answers;
    if (decision.details?.tie === true) field.ties += 1;
    if (decision.value === undefined) {
      field.unresolved += 1;
      const reason = answers === 0 ? 'no-usable-answers' : decision.details?.tie === true ? 'tie' : 'undecided';
      (field.unresolvedBy ??= {})[reason] = (field.unresolvedBy[reason] ?? 0) + 1;
    }
    field.meanConfidence += decision.confidence; // a sum until the run ends
    if (decision.shapes) countShapes((field.shapes ??= { kept: 0, dropped: 0, meanKeptConfidence: 0, matched: 0, missed: 0, extra: 0 }), decision);
  }

  /**
   * Agreement of each categorical answer with the decision, and of both with the gold label, if any; for a model's
   * field (`modelled`), the answers against the decision in the field's confusion.
   */
  private score(field: string, answers: readonly FieldAnswer[], decision: Decision, gold: string | undefined, modelled: boolean): void {
    const decided = this.decidedKey(field, decision.value);
    if (gold !== undefined) {
      const tally = this.goldTally(field);
      tally.objects += 1; // an unresolved object is counted, never correct
      if (decided === gold) tally.correct += 1;
      tally.accuracy = tally.correct / tally.objects;
      this.measures.observeGold(field, decision, decided, gold);
    }
    if (decided === undefined) return;
    const given: string[] = [];
    for (const { workerId, value: answer } of answers) {
      if (!categoricalKinds.has(answer.kind)) continue;
      given.push(voteKey(answer));
      this.workers.compare(workerId, given.at(-1)!, decided, gold);
    }
    if (modelled) this.measures.observeConfusion(field, decided, given);
  }

  /**
   * Each worker's drawing against the consolidated shapes; with gold (the true shapes as a worker would submit them),
   * the consolidated shapes and each drawing by AWS's mean-IoU rule.
   */
  private scoreShapes(field: string, answers: readonly FieldAnswer[], outcome: ShapeOutcome, gold: string | undefined): void {
    answers.forEach(({ workerId }, at) => this.workers.compareShapes(workerId, outcome.workers[at]!));
    const truth = gold === undefined ? undefined : goldShapes(gold, answers[0]!.value.kind);
    if (!truth) return;
    const tally = ((this.summary.goldShapes ??= Object.create(null) as NonNullable<Summary['goldShapes']>)[field] ??= { objects: 0, meanIou: 0 });
    tally.meanIou = (tally.meanIou * tally.objects + meanIouAgainstGold(outcome.kept, truth, outcome.similarity)) / (tally.objects + 1);
    tally.objects += 1;
    for (const { workerId, value } of answers) {
      if (isShapeAnswer(value)) this.workers.goldShapes(workerId, meanIouAgainstGold(drawnShapes(value).map((shape) => ({ shape, confidence: 1 })), truth, outcome.similarity));
    }
  }

  /** The vote key of a decided categorical value, read as the field's answers are (a single choice's map as its label). */
  private decidedKey(field: string, value: unknown): string | undefined {
    const normalised = value === undefined ? undefined : normaliseValue(value);
    if (normalised?.type !== 'answer') return undefined;
    const schemaField = this.schemaFields().get(field);
    const answer = (schemaField && resolveAnswer(schemaField, normalised.value)) ?? normalised.value;
    return categoricalKinds.has(answer.kind) ? voteKey(answer) : undefined;
  }

  private schemaFields(): ReadonlyMap<string, ResolvedField> {
    return (this.fieldsByName ??= new Map(this.model.schema?.fields.map((field) => [field.name, field]) ?? []));
  }

  /** Adds what the run measured of each field (agreement, numeric spread, a model's confusion, calibration, its fit) to the summary. */
  finish(): void {
    for (const [name, field] of Object.entries(this.summary.fields)) {
      const agreement = this.measures.agreementOf(name);
      const spread = this.measures.spreadOf(name);
      const confusion = this.measures.confusionOf(name);
      const calibration = this.measures.calibrationOf(name);
      const fit = this.planner.planFor(name)?.consolidator.fitReport?.();
      Object.assign(field, agreement && { agreement }, spread && { spread }, confusion && { confusion }, calibration && { calibration }, fit && { fit });
    }
  }

  private goldTally(field: string) {
    return ((this.summary.gold ??= Object.create(null) as NonNullable<Summary['gold']>)[field] ??= { objects: 0, correct: 0, accuracy: 0 });
  }
}

const categoricalKinds = new Set<AnswerKind>(['categorical', 'boolean']);

/**
 * A decided field's `consolidation` entry: strategy, confidence, answers used, then what applies (`ignored`, `resolved:
 * false`), the decision's details and the raw answers kept. Assigned key by key, in that order (see `decide`).
 */
function consolidationOf(strategy: string, decision: Decision, usable: number, given: number, kept: { unknownShape?: unknown }): Record<string, unknown> {
  const entry: Record<string, unknown> = { strategy, confidence: decision.confidence, answers: usable };
  if (usable < given) entry.ignored = given - usable;
  if (decision.value === undefined) entry.resolved = false;
  if (decision.details) Object.assign(entry, decision.details);
  if ('unknownShape' in kept) entry.unknownShape = kept.unknownShape;
  return entry;
}

/** An annotation decision's kept shapes, dropped clusters (`details.dropped`) and how each drawing compared. */
function countShapes(counts: ShapeCounts, { shapes, details }: Decision): void {
  counts.kept += shapes!.kept.length;
  for (const { confidence } of shapes!.kept) counts.meanKeptConfidence += confidence; // a sum until the run ends
  counts.dropped += typeof details?.dropped === 'number' ? details.dropped : 0;
  for (const { matched, missed, extra } of shapes!.workers) {
    counts.matched += matched;
    counts.missed += missed;
    counts.extra += extra;
  }
}

/** A gold label holding the true shapes of an annotation field of `kind`, as a worker would submit them. */
function goldShapes(gold: string, kind: AnswerKind): readonly { label: string }[] | undefined {
  let value: unknown;
  try {
    value = parseUntrustedJson(gold, 'a gold label');
  } catch {
    return undefined;
  }
  const normalised = normaliseValue(value);
  return normalised.type === 'answer' && normalised.value.kind === kind && isShapeAnswer(normalised.value) ? drawnShapes(normalised.value) : undefined;
}

/**
 * Marks `tie: true` when the most given label was given as often as another, whichever strategy decided: a model can
 * break a tie on its workers' records, but the object still split its workers, and that is shown and counted.
 */
function withVoteTie(decision: Decision, answers: readonly FieldAnswer[]): Decision {
  if (decision.details?.tie !== undefined || !answers.every(({ value }) => categoricalKinds.has(value.kind))) return decision;
  const counts = new Map<string, number>();
  for (const { value } of answers) {
    const key = voteKey(value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = Math.max(0, ...counts.values());
  const tied = [...counts.values()].filter((count) => count === top).length > 1;
  return tied ? { ...decision, details: { ...decision.details, tie: true } } : decision;
}
