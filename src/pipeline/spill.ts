/**
 * The first pass's spill: each prepared line, in order, in a temporary JSON Lines file, so the second pass decides and
 * writes without fetching a worker response again. The file is removed when the run ends, whatever the outcome.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readLines } from '../io/lines.js';
import type { FieldAnswers, Prepared } from './prepare.js';

type Spilled = Exclude<Prepared, { type: 'object' }> | (Omit<Extract<Prepared, { type: 'object' }>, 'fields' | 'workers'> & {
  fields: [string, FieldAnswers][];
});

export class Spill {
  private constructor(private readonly directory: string, private readonly stream: NodeJS.WritableStream & { close(): void }) {}

  static async create(): Promise<Spill> {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'gt-consolidate-spill-'));
    const stream = createWriteStream(path.join(directory, 'prepared.jsonl'));
    await once(stream, 'open');
    return new Spill(directory, stream);
  }

  async write(prepared: Prepared): Promise<void> {
    const spilled: Spilled = prepared.type === 'object'
      ? { type: 'object', line: prepared.line, json: prepared.json, labelAttribute: prepared.labelAttribute, fields: [...prepared.fields] }
      : prepared;
    if (!this.stream.write(JSON.stringify(spilled) + '\n')) await once(this.stream, 'drain');
  }

  /** Everything written, in order; `workers` is empty (the first pass has counted them). */
  async *read(): AsyncGenerator<Prepared> {
    this.stream.end();
    await once(this.stream, 'finish');
    for await (const { text } of readLines(createReadStream(path.join(this.directory, 'prepared.jsonl')))) {
      const spilled = JSON.parse(text) as Spilled;
      yield spilled.type === 'object' ? { ...spilled, workers: [], fields: new Map(spilled.fields) } : spilled;
    }
  }

  async remove(): Promise<void> {
    this.stream.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}
