/**
 * The first pass's spill: each prepared line, in order, in a temporary JSON Lines file, so later passes fit and decide
 * without fetching a worker response again; it can be read more than once. The folder is removed when the run ends,
 * whatever the outcome; its name carries the process id, so a later run removes the folders of killed runs.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readLines } from '../io/lines.js';
import { isAlive } from '../io/local-writers.js';
import type { FieldAnswers, Prepared, PreparedObject } from './prepare.js';

type Spilled = Exclude<Prepared, PreparedObject> | (Omit<PreparedObject, 'fields' | 'workers'> & { fields: [string, FieldAnswers][] });

const prefix = 'gt-consolidate-spill-';

export class Spill {
  private closed?: Promise<unknown>;

  private constructor(private readonly directory: string, private readonly stream: NodeJS.WritableStream & { close(): void }) {}

  static async create(): Promise<Spill> {
    await sweepDeadSpills();
    const directory = await mkdtemp(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
    const stream = createWriteStream(path.join(directory, 'prepared.jsonl'));
    await once(stream, 'open');
    return new Spill(directory, stream);
  }

  async write(prepared: Prepared): Promise<void> {
    const spilled: Spilled = prepared.type === 'object'
      ? { type: 'object', line: prepared.line, json: prepared.json, labelAttribute: prepared.labelAttribute,
        duplicates: prepared.duplicates, sideKeys: prepared.sideKeys, fields: [...prepared.fields] }
      : prepared;
    if (!this.stream.write(JSON.stringify(spilled) + '\n')) await once(this.stream, 'drain');
  }

  /** Everything written, in order; `workers` is empty (the first pass has counted them). */
  async *read(): AsyncGenerator<Prepared> {
    this.closed ??= (this.stream.end(), once(this.stream, 'finish'));
    await this.closed;
    // Its own file, written by this run: no line limit (a consolidated line can outgrow the manifest's).
    for await (const { text } of readLines(createReadStream(path.join(this.directory, 'prepared.jsonl')), { maxLineBytes: Infinity })) {
      const spilled = JSON.parse(text) as Spilled;
      yield spilled.type === 'object' ? { ...spilled, workers: [], fields: new Map(spilled.fields) } : spilled;
    }
  }

  async remove(): Promise<void> {
    this.stream.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** Removes the spill folders of runs whose process is gone (killed, or the machine restarted). */
async function sweepDeadSpills(): Promise<void> {
  for (const name of await readdir(os.tmpdir()).catch(() => [])) {
    const pid = new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
