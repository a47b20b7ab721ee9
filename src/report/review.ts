/**
 * The review queue (`--review <file>`): the objects that need another look, written at the end of the run as a Ground
 * Truth *input* manifest, so the file can start a follow-up (verification or adjustment) labeling job as it is.
 *
 * Selected: the least confident `share` of the consolidated objects (⌈share · n⌉ of them, ranked by object confidence,
 * ties by line), every object below `threshold`, and every object with a tied, unresolved or gold-disagreeing field.
 * Written in ascending confidence, ties by line. Each line is the input line as Ground Truth took it: every key of the
 * output-manifest line except this job's `<label>` and `<label>-metadata` (so `source` / `source-ref`, the data
 * fields, and earlier jobs' labels of a chained job stay), plus one key, `consolidated` by default:
 *
 *   "consolidated": {"labelAttribute": "sentiment-job", "labels": {"sentiment": {"label": "negative"}},
 *                    "confidence": 0.41, "fieldConfidences": {"sentiment": 0.41},
 *                    "reasons": ["low-confidence", "tie:sentiment"], "line": 17}
 *
 * Without a pre-annotation Lambda `task.input` is the manifest line, so a template reads
 * `{{ task.input.consolidated.labels.sentiment.label }}` and `{{ task.input.consolidated.reasons | join: ", " }}`
 * (camelCase keys: Liquid's dot syntax cannot name a hyphenated key). `line` is the object's line in the output manifest.
 * `__proto__` keys are dropped at any depth: the file feeds other tools.
 *
 * Memory, for a 1M-object job: n is known only at the end, and the cut-off ⌈share · n⌉ grows with it, so no bounded
 * heap can decide early (an object pushed out when n was smaller can be back in the share when n has grown). So every
 * candidate's finished line goes to a temporary JSON Lines spill, and memory keeps 25 bytes a candidate (confidence,
 * line, spill offset as float64s, flags as a byte), plus a 4-byte index to sort them at the end: ~29 MB for 1M. `write`
 * sorts the indices by (confidence, line), walks them in that order, reads each selected line back from the spill by its
 * offset and writes it. With a `share` every object is a candidate (disk: the size of all their lines); with only a
 * threshold and flags, only the selected objects are spilled. The spill is removed by `write` and `discard`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import type { OutputWriter } from '../io/storage.js';
import { isRecord } from '../json.js';
import type { DecidedObject } from '../pipeline/decide.js';
import { normaliseValue } from '../responses/normalise.js';
import { voteKey } from '../../strategies/submitted-form.js';
import type { GoldLabels } from './gold.js';

/** The input-manifest key that holds the consolidated label, its confidence and the reasons for review. */
export const defaultReviewKey = 'consolidated';

/** Why an object is reviewed regardless of its rank: the fields concerned, by reason. */
export type ReviewFlags = Partial<Record<'tie' | 'unresolved' | 'gold-disagreement', readonly string[]>>;
export type ReviewReason = 'low-confidence' | keyof ReviewFlags;

/** One consolidated object, as the decide stage produced it. */
export interface ReviewCandidate {
  /** Line number in the output manifest. */
  line: number;
  /** The output-manifest line as read. */
  json: Record<string, unknown>;
  labelAttribute: string;
  /** The object's confidence (the lowest of its decided fields'). */
  confidence: number;
  /** Field → consolidated value, as written under `<label>`. */
  labels: Record<string, unknown>;
  fieldConfidences: Record<string, number>;
  flags: ReviewFlags;
}

export interface ReviewOptions {
  /** Review the least confident share of the consolidated objects, in (0, 1]. */
  share?: number;
  /** Review every object whose confidence is below this, in [0, 1]. */
  threshold?: number;
  /** The key holding the consolidated label in each written line (default `consolidated`). */
  key?: string;
  /** Where the spill goes (default the system's temporary directory). */
  tempDirectory?: string;
}

export interface ReviewCounts {
  /** Consolidated objects added (n, of which `share` is taken). */
  objects: number;
  /** Lines written. */
  written: number;
  /** Written lines per reason (a line can have several). */
  reasons: Record<ReviewReason, number>;
  /** Objects with neither a string `source` nor a string `source-ref`: not a valid input line, so not written. */
  withoutSource: number;
  /** Written lines whose own field named like the key was replaced by the consolidated label. */
  replacedKey: number;
}

/** Reads what the review needs from a decided object: labels, confidences, and ties, unresolved fields and gold misses. */
export function reviewCandidateOf(object: DecidedObject, gold?: GoldLabels): ReviewCandidate {
  const { labelAttribute, consolidated } = object;
  const metadata = consolidated[`${labelAttribute}-metadata`];
  const goldLabel = gold?.labelOf(object.json);
  const fieldConfidences: Record<string, number> = {};
  const tie: string[] = [];
  const unresolved: string[] = [];
  const goldDisagreement: string[] = [];
  for (const [field, decision] of object.decisions) {
    fieldConfidences[field] = decision.confidence;
    if (decision.details?.tie === true) tie.push(field);
    if (decision.value === undefined) unresolved.push(field);
    else if (goldLabel !== undefined && gold!.appliesTo(field) && disagrees(decision.value, goldLabel)) goldDisagreement.push(field);
  }
  return {
    line: object.line,
    json: object.json,
    labelAttribute,
    confidence: isRecord(metadata) && typeof metadata.confidence === 'number' ? metadata.confidence : 0,
    labels: isRecord(consolidated[labelAttribute]) ? consolidated[labelAttribute] : {},
    fieldConfidences,
    flags: Object.fromEntries(Object.entries({ tie, unresolved, 'gold-disagreement': goldDisagreement }).filter(([, fields]) => fields.length > 0)),
  };
}

/** Gold is scored on categorical and boolean values only, as the decide stage scores it. */
function disagrees(value: unknown, gold: string): boolean {
  const normalised = normaliseValue(value);
  return normalised.type === 'answer' && (normalised.value.kind === 'categorical' || normalised.value.kind === 'boolean')
    && voteKey(normalised.value) !== gold;
}

const dropHostileKeys = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);
const writeBatchBytes = 64 * 1024;

/** Bits of a candidate's mark: its flags, and whether its own data had a field named like the key. */
const flagBits: Record<keyof ReviewFlags, number> = { tie: 1, unresolved: 2, 'gold-disagreement': 4 };
const replacesKeyBit = 8;

export class ReviewQueue {
  private readonly key: string;
  private objects = 0;
  private withoutSource = 0;
  private candidates = 0;
  private confidences = new Float64Array(1024);
  private lines = new Float64Array(1024);
  private offsets = new Float64Array(1024);
  private marks = new Uint8Array(1024);
  private spillBytes = 0;
  /** Opened by the first candidate; a promise, so that overlapping `add` calls share one. */
  private spill: Promise<Spill> | undefined;

  constructor(private readonly options: ReviewOptions = {}) {
    const { share, threshold, key = defaultReviewKey } = options;
    if (share !== undefined && !(share > 0 && share <= 1)) throw new RangeError(`review share must be in (0, 1], got ${share}`);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new RangeError(`review threshold must be in [0, 1], got ${threshold}`);
    if (key === '' || key === '__proto__') throw new RangeError(`review key ${JSON.stringify(key)} cannot be written`);
    this.key = key;
  }

  /** Takes one consolidated object, in any order; spills it if it may be selected. */
  async add(candidate: ReviewCandidate): Promise<void> {
    if (!Number.isFinite(candidate.confidence)) throw new RangeError(`line ${candidate.line}: confidence ${candidate.confidence} is not a number`);
    this.objects += 1;
    let mark = 0;
    for (const [reason, fields] of Object.entries(candidate.flags)) if (fields.length > 0) mark |= flagBits[reason as keyof ReviewFlags];
    const belowThreshold = candidate.confidence < (this.options.threshold ?? 0);
    if (!mark && !belowThreshold && this.options.share === undefined) return;
    // An input line needs its data object as text (`source`) or an S3 URI (`source-ref`); a message list is neither.
    if (typeof candidate.json.source !== 'string' && typeof candidate.json['source-ref'] !== 'string') {
      this.withoutSource += 1;
      return;
    }
    const line = this.inputLine(candidate);
    if (this.key in line.data) mark |= replacesKeyBit;
    const text = JSON.stringify({ ...line.data, [this.key]: line.consolidated }, dropHostileKeys) + '\n';
    const spill = await (this.spill ??= openSpill(this.options.tempDirectory ?? os.tmpdir()));
    this.grow();
    const at = this.candidates;
    this.confidences[at] = candidate.confidence;
    this.lines[at] = candidate.line;
    this.offsets[at] = this.spillBytes;
    this.marks[at] = mark;
    this.candidates += 1;
    this.spillBytes += Buffer.byteLength(text);
    if (!spill.stream.write(text)) await once(spill.stream, 'drain');
  }

  /** Writes the selected objects to `writer` in ascending confidence (ties by line) and removes the spill. */
  async write(writer: OutputWriter): Promise<ReviewCounts> {
    const counts: ReviewCounts = {
      objects: this.objects, written: 0, withoutSource: this.withoutSource, replacedKey: 0,
      reasons: { 'low-confidence': 0, tie: 0, unresolved: 0, 'gold-disagreement': 0 },
    };
    if (!this.spill) return counts;
    const { stream, file } = await this.spill;
    stream.end();
    await once(stream, 'finish');
    const lowest = Math.ceil((this.options.share ?? 0) * this.objects);
    const threshold = this.options.threshold ?? 0;
    const handle = await open(file, 'r');
    try {
      let batch = '';
      let buffer = Buffer.alloc(64 * 1024);
      for (const [rank, at] of this.byConfidence().entries()) {
        const lowConfidence = rank < lowest || this.confidences[at]! < threshold;
        const mark = this.marks[at]!;
        if (!lowConfidence && !(mark & ~replacesKeyBit)) continue;
        const length = (at + 1 < this.candidates ? this.offsets[at + 1]! : this.spillBytes) - this.offsets[at]!;
        if (buffer.length < length) buffer = Buffer.alloc(length * 2);
        await handle.read(buffer, 0, length, this.offsets[at]!);
        const text = buffer.toString('utf8', 0, length);
        batch += lowConfidence ? this.markLowConfidence(text) : text;
        counts.written += 1;
        if (lowConfidence) counts.reasons['low-confidence'] += 1;
        for (const [reason, bit] of Object.entries(flagBits)) if (mark & bit) counts.reasons[reason as keyof ReviewFlags] += 1;
        if (mark & replacesKeyBit) counts.replacedKey += 1;
        if (batch.length >= writeBatchBytes) {
          await writer.write(batch);
          batch = '';
        }
      }
      if (batch) await writer.write(batch);
    } finally {
      await handle.close();
      await this.discard();
    }
    return counts;
  }

  /** Removes the spill without writing (a failed run); safe to call more than once. */
  async discard(): Promise<void> {
    if (!this.spill) return;
    const opening = this.spill;
    this.spill = undefined;
    const { directory, stream } = await opening;
    // A write still in flight fails once the stream is destroyed; the spill is being removed, so that is expected.
    stream.on('error', () => {});
    stream.destroy();
    await finished(stream).catch(() => {});
    await rm(directory, { recursive: true, force: true });
  }

  /** The line as Ground Truth's input (without this job's label keys) and what goes under the key. */
  private inputLine({ json, labelAttribute, line, confidence, labels, fieldConfidences, flags }: ReviewCandidate) {
    const { [labelAttribute]: _label, [`${labelAttribute}-metadata`]: _metadata, ...data } = json;
    const reasons = Object.entries(flags).flatMap(([reason, fields]) => fields.map((field) => `${reason}:${field}`));
    return { data, consolidated: { labelAttribute, labels, confidence, fieldConfidences, reasons, line } };
  }

  /** Rank is known only at the end: `low-confidence` goes first among the spilled line's reasons. */
  private markLowConfidence(text: string): string {
    const entry = JSON.parse(text) as Record<string, { reasons: string[] }>;
    entry[this.key]!.reasons.unshift('low-confidence');
    return JSON.stringify(entry) + '\n';
  }

  /** Candidate indices by confidence ascending, then line. */
  private byConfidence(): Uint32Array {
    const order = new Uint32Array(this.candidates);
    for (let i = 0; i < order.length; i += 1) order[i] = i;
    return order.sort((a, b) => this.confidences[a]! - this.confidences[b]! || this.lines[a]! - this.lines[b]!);
  }

  private grow(): void {
    if (this.candidates < this.confidences.length) return;
    const capacity = this.candidates * 2;
    const grown = <T extends Float64Array | Uint8Array>(array: T, next: T): T => {
      next.set(array);
      return next;
    };
    this.confidences = grown(this.confidences, new Float64Array(capacity));
    this.lines = grown(this.lines, new Float64Array(capacity));
    this.offsets = grown(this.offsets, new Float64Array(capacity));
    this.marks = grown(this.marks, new Uint8Array(capacity));
  }
}

interface Spill {
  directory: string;
  file: string;
  stream: WriteStream;
}

async function openSpill(parent: string): Promise<Spill> {
  const directory = await mkdtemp(path.join(parent, 'gt-consolidate-review-'));
  const file = path.join(directory, 'review.jsonl');
  const stream = createWriteStream(file);
  await once(stream, 'open');
  return { directory, file, stream };
}
