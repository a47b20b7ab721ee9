/**
 * Incremental runs (`--state`): a streaming-style job in S3 (s3rver, started here) grows between two runs; the second
 * run must fetch only the new worker responses (seen in the request log of a proxy in front of the server), write the
 * manifest a run from scratch writes, a new part with the new objects and the flipped ones, and report the flips a
 * refitted Dawid-Skene model makes of earlier decisions.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree, type JobAnswer, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { consolidate, type ConsolidateOptions } from '../../src/index.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const bucket = 'streaming';
const answer = (worker: string, label: string): JobAnswer => ({ workerId: `private.us-east-1.${worker}`, answerContent: { animal: { label } } });
const object = (key: string, answers: JobAnswer[]): JobObject =>
  ({ data: { 'source-ref': `s3://${bucket}/images/${key}.jpg`, 'dataset-objectid-attribute-name': 'byo-key', 'byo-key': key }, answers });

/**
 * Workers 1–3 agree on most objects; worker 4 answered three, against them on two: on "contested", where only 1
 * (cat) and 4 (dog) answered, a first fit trusts 1 and says cat.
 */
const firstObjects: JobObject[] = [
  ...Array.from({ length: 12 }, (_, i) => object(`agreed-${i}`, ['w1', 'w2', 'w3'].map((w) => answer(w, i % 2 === 0 ? 'cat' : 'dog')))),
  object('odd-0', [answer('w1', 'cat'), answer('w2', 'cat'), answer('w3', 'cat'), answer('w4', 'dog')]),
  object('odd-1', [answer('w1', 'dog'), answer('w2', 'dog'), answer('w3', 'dog'), answer('w4', 'cat')]),
  object('contested', [answer('w1', 'cat'), answer('w4', 'dog')]),
  { data: { 'source-ref': `s3://${bucket}/images/failed.jpg` } },
];
/** Then objects on which 4 agrees with three new workers and 1 always says the other: a refit trusts 4 over 1. */
const laterObjects: JobObject[] = Array.from({ length: 24 }, (_, i) => {
  const [label, other] = i % 2 === 0 ? ['cat', 'dog'] : ['dog', 'cat'];
  return object(`later-${i}`, [answer('w1', other), ...['w4', 'w5', 'w6', 'w7'].map((w) => answer(w, label))]);
});

let s3: TestS3;
let proxy: FaultProxy;
let client: S3Client;
let dir: string;

beforeAll(async () => {
  dir = await tempDir();
  s3 = await startS3Server([bucket]);
  proxy = await startFaultProxy(s3.port, { rate: 0, seed: 1 });
  client = s3.client({ endpointUrl: proxy.endpoint });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await s3?.stop();
});

/** The job as it stands after `objects` were labeled: same refs for the same objects, as Ground Truth keeps them. */
async function publishJob(name: string, objects: JobObject[]): Promise<string> {
  const root = path.join(dir, name);
  await writeJobTree({ root, jobName: 'stream', bucket, prefix: 'job', start: new Date('2026-01-05T10:00:00Z') }, objects);
  await s3.uploadTree(root, bucket, 'job/');
  return `s3://${bucket}/job/stream/manifests/output/output.manifest`;
}

const lines = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const labelOf = (line: Record<string, unknown>) => (line.stream as { animal: { label: string } }).animal.label;
const responseGets = (from: number) => proxy.log.slice(from).filter((request) => request.startsWith('GET') && request.includes('/worker-response/')).map((request) => request.split('?')[0]!);

describe('incremental runs with --state', () => {
  it('fetches only new objects, writes the from-scratch manifest and a new part, and reports flips', async () => {
    const state = `s3://${bucket}/state/ledger.jsonl`;
    const options = (manifest: string, run: string, more: Partial<ConsolidateOptions> = {}): ConsolidateOptions =>
      ({ manifest, out: path.join(dir, run, 'output.manifest'), s3Client: client, fields: { animal: 'dawid-skene' }, ...more });

    let from = proxy.log.length;
    const first = await consolidate(options(await publishJob('first', firstObjects), 'first', { state }));
    expect(responseGets(from)).toHaveLength(15);
    expect(first.incremental).toMatchObject({ known: 0, fromLedger: 0, fetched: 15, inPart: 15, flips: 0 });
    const firstLines = await lines(path.join(dir, 'first', 'output.manifest'));
    expect(labelOf(firstLines[14]!)).toBe('cat');

    const manifest = await publishJob('second', [...firstObjects, ...laterObjects]);
    from = proxy.log.length;
    const second = await consolidate(options(manifest, 'second', { state }));
    const fetched = responseGets(from);
    const scratch = await consolidate(options(manifest, 'scratch'));

    // Only the new objects' responses were read, each once.
    expect(fetched).toHaveLength(laterObjects.length);
    expect(new Set(fetched).size).toBe(laterObjects.length);
    expect(second.incremental).toMatchObject({ known: 15, fromLedger: 15, fetched: laterObjects.length });
    expect(await readFile(path.join(dir, 'second', 'output.manifest'), 'utf8')).toBe(await readFile(path.join(dir, 'scratch', 'output.manifest'), 'utf8'));
    expect(second.lines).toEqual(scratch.lines);

    // Flips: earlier objects, unchanged, whose label the refit changed, each one really changed between the runs.
    const secondLines = await lines(path.join(dir, 'second', 'output.manifest'));
    const flipped = firstLines.map((line, i) => [line, secondLines[i]!] as const)
      .filter(([before, after]) => before.stream !== undefined && labelOf(before) !== labelOf(after))
      .map(([line]) => `id:${String(line['byo-key'])}`);
    expect(flipped).toContain('id:contested');
    expect(second.incremental!.flips).toBe(flipped.length);
    expect(second.incremental!.flipped.map(({ object }) => object)).toEqual(flipped);

    // The new part: the new objects and the flipped ones, as the full manifest has them.
    const part = await lines(path.join(dir, 'second', 'output.new.jsonl'));
    const expected = secondLines.filter((line) => String(line['byo-key']).startsWith('later-') || flipped.includes(`id:${String(line['byo-key'])}`));
    expect(part).toEqual(expected);

    // A third run over the same job fetches nothing and flips nothing.
    from = proxy.log.length;
    const third = await consolidate(options(manifest, 'third', { state }));
    expect(responseGets(from)).toHaveLength(0);
    expect(third.incremental).toMatchObject({ fromLedger: 15 + laterObjects.length, fetched: 0, inPart: 0, flips: 0 });
    expect(await readFile(path.join(dir, 'third', 'output.manifest'), 'utf8')).toBe(await readFile(path.join(dir, 'scratch', 'output.manifest'), 'utf8'));
  }, 60_000);
});
