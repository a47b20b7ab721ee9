/**
 * The work folder of a sharded run (a local folder or an `s3://` prefix), shared by the four steps:
 *
 *   lines/part-00003.jsonl      shard 3's prepared lines (the run's spill format, `spill.ts`, plus each object's workers)
 *   lines/part-00003.done.json  shard 3's marker: its byte range, line and object counts, fetch retries (written last)
 *   model.json                  `fit`'s: the job's field schema, and each model-based field's saved model
 *   out/part-00003.manifest     decide 3's consolidated lines, and `out/part-00003.rejects.jsonl` its rejected ones
 *   out/part-00003.done.json    decide 3's marker
 *
 * Every part is written through an output group (`output-group.ts`): a retried step overwrites its own parts, and a
 * part is visible whole or not at all, its marker last. Parts are read back as untrusted input: each line of a lines
 * part, each marker and the model are checked before anything is built from them.
 */
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { readLines } from '../io/lines.js';
import { withOutputs, type OutputGroup } from '../io/output-group.js';
import { isS3Uri } from '../io/s3/s3-uri.js';
import type { OutputWriter } from '../io/storage.js';
import type { Prepared, PreparedObject } from '../pipeline/prepare.js';
import { answerValue } from '../pipeline/prepared-codec.js';
import { compact, expand, type SpilledObject } from '../pipeline/spill.js';
import { parseUntrustedJson } from '../responses/safe-json.js';

/** Step Functions' Distributed Map runs at most 10,000 children; so many shards, at most. */
export const maxShards = 10_000;

export const partName = (index: number): string => `part-${String(index).padStart(5, '0')}`;

/** `work` joined with `relative`: `/` for an S3 prefix, the platform's separator for a folder. */
export function inWork(work: string, relative: string): string {
  return isS3Uri(work) ? `${work.replace(/\/+$/, '')}/${relative}` : path.join(work, relative);
}

export const layout = {
  lines: (work: string, index: number) => inWork(work, `lines/${partName(index)}.jsonl`),
  shardMarker: (work: string, index: number) => inWork(work, `lines/${partName(index)}.done.json`),
  model: (work: string) => inWork(work, 'model.json'),
  out: (work: string, index: number) => inWork(work, `out/${partName(index)}.manifest`),
  rejects: (work: string, index: number) => inWork(work, `out/${partName(index)}.rejects.jsonl`),
  decideMarker: (work: string, index: number) => inWork(work, `out/${partName(index)}.done.json`),
};

/** Shard `index` of `count` owns the lines that start in these manifest bytes (the last shard's end is the size). */
export function byteRange(size: number, index: number, count: number): { start: number; end: number } {
  return { start: Math.floor((size * index) / count), end: Math.floor((size * (index + 1)) / count) };
}

/** `index` and `count` as a step takes them: 0 ≤ index < count ≤ 10,000 (a misconfiguration exits 2). */
export function checkShard(index: number | undefined, count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > maxShards) throw new UsageError(`--count ${count}: give a whole number of shards from 1 to ${maxShards}`);
  if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= count)) {
    throw new UsageError(`--index ${index}: give a shard index from 0 to ${count - 1} (--count ${count})`);
  }
}

/** A line of a lines part: an object as the spill writes it plus its workers (the counts need them), any other line as is. */
export function encodeLine(line: Prepared): string {
  return JSON.stringify(line.type === 'object' ? [...compact(line), line.workers] : line);
}

const count = z.int().min(0);
const worker = z.looseObject({ workerId: z.string(), sub: z.string().optional(), timeSpentInSeconds: z.number().optional() });
const objectLine = z.tuple([
  z.int().min(1), z.record(z.string(), z.unknown()), z.string(), count,
  z.array(z.tuple([z.string(), z.string(), z.string(), z.unknown()])),
  z.array(z.string()),
  z.array(z.tuple([z.string(), z.array(count), z.array(answerValue), z.array(z.unknown())])),
  z.array(worker),
]);
const otherLine = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('blank'), line: z.int().min(1) }),
  z.strictObject({ type: z.literal('failed'), line: z.int().min(1), text: z.string() }),
  z.strictObject({ type: z.literal('rejected'), line: z.int().min(1), text: z.string(), code: z.string(), reason: z.string() }),
]);

/**
 * A line of a lines part, checked: the envelope of every line, each answer's kind and worker index. (An answer's
 * value inside its kind is trusted as the shard's normaliser wrote it; a work folder others can write to is a folder
 * whose results cannot be trusted anyway.)
 */
export function decodeLine(text: string, where: string): Prepared {
  const json = parsedOrUndefined(text, where);
  if (Array.isArray(json)) {
    // Checked, then the parsed values handed on as they are (a schema's copy would reorder keys, and the output's bytes).
    if (objectLine.safeParse(json).success) {
      const [line, manifestLine, labelAttribute, duplicates, sideKeys, workerIds, fields, workers] = json as z.infer<typeof objectLine>;
      if (fields.every(([, indexes, values]) => indexes.length === values.length && indexes.every((at) => at < workerIds.length))) {
        const spilled = [line, manifestLine, labelAttribute, duplicates, sideKeys, workerIds, fields] as unknown as SpilledObject;
        return { ...expand(spilled), workers: workers as PreparedObject['workers'] };
      }
    }
  } else if (json !== undefined) {
    const parsed = otherLine.safeParse(json);
    if (parsed.success) return parsed.data as Prepared;
  }
  throw new UsageError(`${where} is not a line a shard writes: shard that part again`);
}

function parsedOrUndefined(text: string, where: string): unknown {
  try {
    return parseUntrustedJson(text, where, { exactNumbers: false });
  } catch {
    return undefined;
  }
}

/** The lines of part `index`, checked, in order. */
export async function* readLinesPart(io: JobIO, work: string, index: number): AsyncGenerator<Prepared> {
  const location = layout.lines(work, index);
  const input = await io.storageFor(location).openRead(location);
  try {
    for await (const { number, text, problem } of readLines(input)) {
      if (problem) throw new UsageError(`${location} line ${number}: ${problem.reason}; shard that part again`);
      yield decodeLine(text, `${location} line ${number}`);
    }
  } finally {
    input.destroy();
  }
}

/** What a shard says of itself when it is done. */
export const shardMarker = z.strictObject({
  index: count, count: z.int().min(1), manifest: z.string(), start: count, end: count, lines: count, objects: count, retries: count,
});
export type ShardMarker = z.infer<typeof shardMarker>;

/** Lines counted blank ones included, as the part holds them. */
export const decideMarker = z.strictObject({ index: count, count: z.int().min(1), lines: count, consolidated: count, rejected: count });
export type DecideMarker = z.infer<typeof decideMarker>;

/** Markers and the model are small next to the parts; anything larger is not one of them. */
const maxMarkerBytes = 64 * 1024;
export const maxModelBytes = 512 * 1024 * 1024;

/** A JSON file of the work folder, checked against `schema`; missing, it is the step named by `missing` that must run first. */
export async function readWorkJson<T>(io: JobIO, location: string, schema: z.ZodType<T>, missing: string, maxBytes = maxMarkerBytes): Promise<T> {
  let bytes: Buffer;
  try {
    bytes = await io.storageFor(location).readAll(location, maxBytes);
  } catch (error) {
    throw new UsageError(`${location} cannot be read (${(error as Error).message}): ${missing}`, { cause: error });
  }
  const parsed = schema.safeParse(parsedOrUndefined(bytes.toString('utf8'), location));
  if (!parsed.success) throw new UsageError(`${location} is not what this step wrote (${parsed.error.issues[0]!.message}): ${missing}`);
  return parsed.data;
}

/** The markers of every shard, each for this job and this count (a shard missing or of another split stops here). */
export async function readShardMarkers(io: JobIO, work: string, manifest: string, shards: number): Promise<ShardMarker[]> {
  return Promise.all(Array.from({ length: shards }, async (_, index) => {
    const marker = await readWorkJson(io, layout.shardMarker(work, index), shardMarker, `run shard --index ${index} --count ${shards} first`);
    if (marker.index !== index || marker.count !== shards || marker.manifest !== manifest) {
      throw new UsageError(`${layout.shardMarker(work, index)} is shard ${marker.index} of ${marker.count} of ${marker.manifest}, `
        + `not ${index} of ${shards} of ${manifest}: run shard --index ${index} --count ${shards} again`);
    }
    return marker;
  }));
}

/** Opens `locations` in a group, runs `body` with their writers, then commits them all (the last one, the marker, last). */
export async function writeParts<T>(
  io: JobIO, locations: readonly string[], body: (writers: OutputWriter[]) => Promise<T>, outer?: OutputGroup,
): Promise<T> {
  return withOutputs((location) => io.storageFor(location), async (group) => {
    const writers: OutputWriter[] = [];
    for (const [at, location] of locations.entries()) writers.push(await group.open(location, { marker: at === locations.length - 1 }));
    return body(writers);
  }, outer);
}
