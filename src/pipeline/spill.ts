/**
 * The first pass's spill: each prepared line, in order, in a temporary JSON Lines file, so later passes fit and decide
 * without fetching a worker response again; it can be read more than once. An object is written compactly (issue 13):
 * its workers once, and each field's answers as worker indexes beside their values, not `{workerId, value}` entries,
 * which halves the bytes and the parsing of the typical line. The folder is removed when the run ends,
 * whatever the outcome; its name carries the process id, so a later run removes the folders of killed runs.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../io/local-writers.js';
import type { FieldAnswer } from '../../strategies/types.js';
import type { FieldAnswers, Prepared, PreparedObject } from './prepare.js';

/** An object: `[line, json, labelAttribute, duplicates, sideKeys, workerIds, fields]`; any other line as it is. */
export type SpilledObject = [
  line: number, json: PreparedObject['json'], labelAttribute: string, duplicates: number, sideKeys: PreparedObject['sideKeys'],
  workerIds: string[], fields: CompactField[],
];
/** A field's answers: the worker of each (an index into the object's `workerIds`) and, at the same index, its value. */
export type CompactField = [name: string, workers: number[], values: FieldAnswer['value'][], unknown: unknown[]];
type Spilled = Exclude<Prepared, PreparedObject> | SpilledObject;

const prefix = 'gt-consolidate-spill-';
const batchChars = 64 * 1024;

export class Spill {
  private closed?: Promise<unknown>;
  /** Lines not yet handed to the stream: one stream write per `batchChars`, not per line (each costs a buffered chunk). */
  private pending = '';

  private constructor(private readonly directory: string, private readonly stream: WriteStream) {
    // A failed write (a full disk) must reach the run through `write`/`read`, not end the process as an uncaught error.
    stream.on('error', () => {});
  }

  static async create(): Promise<Spill> {
    await sweepDeadSpills();
    const directory = await mkdtemp(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
    const stream = createWriteStream(path.join(directory, 'prepared.jsonl'));
    await once(stream, 'open');
    return new Spill(directory, stream);
  }

  async write(prepared: Prepared): Promise<void> {
    const spilled: Spilled = prepared.type === 'object' ? compact(prepared) : prepared;
    this.pending += JSON.stringify(spilled) + '\n';
    if (this.pending.length < batchChars) return;
    const chunk = this.pending;
    this.pending = '';
    if (this.stream.errored) throw this.stream.errored;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  /** Everything written, in order; `workers` is empty (the first pass has counted them). */
  async *read(): AsyncGenerator<Prepared> {
    if (this.stream.errored) throw this.stream.errored;
    if (!this.closed) {
      this.stream.end(this.pending);
      this.pending = '';
      this.closed = once(this.stream, 'finish');
    }
    await this.closed;
    for await (const text of ownLines(path.join(this.directory, 'prepared.jsonl'))) {
      const spilled = JSON.parse(text) as Spilled;
      yield Array.isArray(spilled) ? expand(spilled) : spilled;
    }
  }

  async remove(): Promise<void> {
    this.stream.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

/**
 * The lines of the spill file. `readLines` is for input: it strips a byte-order mark, accepts CR line ends, checks
 * UTF-8 and limits length, all of which the spill (written here by `JSON.stringify`, `\n`-ended, any length) needs
 * none of, and its UTF-8 check alone scans every byte again.
 */
async function* ownLines(file: string): AsyncGenerator<string> {
  // The start of a line that goes on in the next chunk, appended to (not rescanned), so a long line costs linear time.
  let head = '';
  // A string decoder under `encoding` keeps a character split between chunks whole.
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: batchChars }) as AsyncIterable<string>) {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; start = end + 1, end = chunk.indexOf('\n', start)) {
      yield head + chunk.slice(start, end);
      head = '';
    }
    head += chunk.slice(start);
  }
}

export function compact({ line, json, labelAttribute, duplicates, sideKeys, fields }: PreparedObject): SpilledObject {
  const workerIds: string[] = [];
  const indexes = new Map<string, number>();
  const compactFields: CompactField[] = [];
  for (const [name, { answers, unknown }] of fields) {
    const workers: number[] = [];
    const values: FieldAnswer['value'][] = [];
    for (const { workerId, value } of answers) {
      let index = indexes.get(workerId);
      if (index === undefined) indexes.set(workerId, (index = workerIds.push(workerId) - 1));
      workers.push(index);
      values.push(value);
    }
    compactFields.push([name, workers, values, unknown]);
  }
  return [line, json, labelAttribute, duplicates, sideKeys, workerIds, compactFields];
}

/** The object `compact` was given, with the same key order (the output's bytes depend on it); `workers` empty. */
export function expand([line, json, labelAttribute, duplicates, sideKeys, workerIds, compactFields]: SpilledObject): PreparedObject {
  const fields = new Map<string, FieldAnswers>();
  for (const [name, workers, values, unknown] of compactFields) {
    fields.set(name, { answers: values.map((value, at) => ({ workerId: workerIds[workers[at]!]!, value })), unknown });
  }
  return { type: 'object', line, json, labelAttribute, duplicates, sideKeys, fields, workers: [] };
}

/** Removes the spill folders of runs whose process is gone (killed, or the machine restarted). */
async function sweepDeadSpills(): Promise<void> {
  for (const name of await readdir(os.tmpdir()).catch(() => [])) {
    const pid = new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
