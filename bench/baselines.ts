/** The floors and ceilings the pipeline is divided by: the same reads and parses, nothing else. */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { readLines } from '../src/io/lines.js';
import { mapOrdered } from '../src/pipeline/ordered-map.js';
import { bucket, jobName } from './synthetic-job.js';

const responseRef = (line: string) =>
  (JSON.parse(line)[`${jobName}-metadata`] as { 'worker-response-ref': string })['worker-response-ref'].slice(`s3://${bucket}/`.length);

/** Every ref of the manifest fetched with `read` and parsed, `width` at a time, nothing else. */
export async function readAndParse(manifest: Readable, read: (key: string) => Promise<string>, width: number): Promise<void> {
  for await (const _ of mapOrdered(readLines(manifest), width, async ({ text }) =>
    (JSON.parse(await read(responseRef(text))) as { answers: unknown[] }).answers.length));
}

/** What a user's script does: one file after the other with `readFileSync`, no concurrency. */
export async function readAndParseSync(manifest: Readable, file: (key: string) => string): Promise<void> {
  for await (const { text } of readLines(manifest)) {
    (JSON.parse(readFileSync(file(responseRef(text)), 'utf8')) as { answers: unknown[] }).answers.length;
  }
}
