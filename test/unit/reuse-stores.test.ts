/**
 * The stores a run reads back (checkpoint chunks, the ledger) are untrusted: damaged or foreign ones are refused, and a
 * run that fails leaves the ledger of the last good run in place.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { consolidate, UsageError, type ConsolidateOptions } from '../../src/index.js';
import { decodePrepared, encodePrepared } from '../../src/pipeline/prepared-codec.js';
import type { Prepared } from '../../src/pipeline/prepare.js';
import { tempDir } from '../helpers/temp-dir.js';

const objects = (count: number): JobObject[] => Array.from({ length: count }, (_, i) => ({
  data: { id: i },
  answers: ['a', 'b', 'c'].map((w, at) => ({ workerId: w, answerContent: { animal: { label: (i + at) % 4 === 0 ? 'dog' : 'cat' } } })),
}));

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

async function job(name: string, count: number): Promise<string> {
  return writeJobTree({ root: path.join(dir, name), jobName: 'job', bucket: 'b', prefix: name }, objects(count));
}

/** A run stopped (as by Ctrl-C) once `lines` lines have been read; it fails, leaving its checkpoint. */
async function stoppedRun(options: ConsolidateOptions, lines: number): Promise<void> {
  const stop = new AbortController();
  const run = consolidate({ ...options, signal: stop.signal, onProgress: (progress) => progress.objects >= lines && stop.abort() });
  await expect(run).rejects.toThrow();
}

describe('prepared lines as text', () => {
  const object: Prepared = {
    type: 'object', line: 3, json: { id: 1, 'job-metadata': { 'worker-response-ref': 's3://b/r.json' } }, labelAttribute: 'job',
    workers: [{ workerId: 'w1', acceptanceTime: '2026-01-01T00:00:00Z', timeSpentInSeconds: 4 }],
    fields: new Map([['animal', { answers: [{ workerId: 'w1', value: { kind: 'categorical', value: 'cat', shape: 'classifier' } }], unknown: [{ odd: 1 }] }]]),
    duplicates: 0, sideKeys: [['animal', 'workerComment', 'w1', 'blurry']],
  };

  it('come back as they were', () => {
    expect(decodePrepared(encodePrepared(object), 'test')).toEqual(object);
    const rejected: Prepared = { type: 'rejected', line: 9, text: '{', code: 'invalid-json', reason: 'not valid JSON' };
    expect(decodePrepared(encodePrepared(rejected), 'test')).toEqual(rejected);
  });

  it('are refused when their shape is not a prepared line', () => {
    const encoded = JSON.parse(encodePrepared(object));
    const altered = (change: (value: typeof encoded) => void) => {
      const copy = structuredClone(encoded);
      change(copy);
      return JSON.stringify(copy);
    };
    expect(() => decodePrepared(altered((v) => (v.line = -1)), 'chunk')).toThrow(/chunk is not a prepared line/);
    expect(() => decodePrepared(altered((v) => (v.fields[0][1].answers[0].value.kind = 'vote')), 'chunk')).toThrow(/not a prepared line/);
    expect(() => decodePrepared(altered((v) => (v.workers[0].extra = true)), 'chunk')).toThrow(/not a prepared line/);
    expect(() => decodePrepared(altered((v) => (v.type = 'blank')), 'chunk')).toThrow(/not a prepared line/);
  });
});

describe('a checkpoint read back', () => {
  it('is refused when a chunk was changed, naming the fix', async () => {
    const manifest = await job('tampered', 60);
    // The job is a local copy (no checkpoint by default): the folder is named.
    const checkpoint = path.join(dir, 'tampered-out', 'output.checkpoint');
    const options: ConsolidateOptions = { manifest, out: path.join(dir, 'tampered-out', 'output.manifest'), checkpoint, checkpointEvery: { lines: 10 }, concurrency: 1 };
    await stoppedRun(options, 35);
    const chunk = path.join(checkpoint, (await readdir(checkpoint)).find((name) => name.startsWith('prepared-'))!);
    await writeFile(chunk, (await readFile(chunk, 'utf8')).replace('"cat"', '"dog"'));
    await expect(consolidate({ ...options, resume: true })).rejects.toThrow(/is not the chunk the checkpoint recorded: delete .* to start over/);
  });

  it('is refused when it is not a checkpoint', async () => {
    const manifest = await job('foreign', 5);
    const out = path.join(dir, 'foreign-out', 'output.manifest');
    const checkpoint = path.join(dir, 'foreign-out', 'output.checkpoint');
    await stoppedRun({ manifest, out, checkpoint, checkpointEvery: { lines: 1 }, concurrency: 1 }, 3);
    await writeFile(path.join(checkpoint, 'checkpoint.json'), '{"version":1,"lines":"all"}');
    const resumed = consolidate({ manifest, out, checkpoint, resume: true });
    await expect(resumed).rejects.toThrow(UsageError);
    await expect(resumed).rejects.toThrow(/is not a checkpoint .*delete .* to start over/);
  });
});

describe('the ledger', () => {
  it('is refused when damaged, and left as it was by a run that fails', async () => {
    const first = await job('ledger-first', 20);
    const state = path.join(dir, 'ledger.jsonl');
    const options = (manifest: string, run: string): ConsolidateOptions => ({ manifest, out: path.join(dir, run, 'output.manifest'), state, checkpoint: false });
    await consolidate(options(first, 'ledger-1'));
    const written = await readFile(state, 'utf8');

    const grown = await job('ledger-grown', 40);
    await stoppedRun({ ...options(grown, 'ledger-2'), concurrency: 1 }, 30);
    expect(await readFile(state, 'utf8')).toBe(written);

    await writeFile(state, written.replace('"kind":"categorical"', '"kind":"vote"'));
    const damaged = consolidate(options(grown, 'ledger-3'));
    await expect(damaged).rejects.toThrow(UsageError);
    await expect(damaged).rejects.toThrow(/the ledger .* is damaged at line 2 .*delete it to rebuild it from scratch/);
  });
});

describe('replayed lines', () => {
  const sampleJobs = ['street-scene-boxes', 'support-ticket-sentiment', 'text-ranking-preferences', 'news-entities', 'multimodal-content-eval'];

  it.each(sampleJobs)('give the outputs fetched ones give (%s)', async (name) => {
    const manifest = path.join('sample-output', name, 'manifests', 'output', 'output.manifest');
    const state = path.join(dir, `${name}.ledger.jsonl`);
    const run = (out: string) => consolidate({ manifest, out: path.join(dir, name, out, 'output.manifest'), state, checkpoint: false, log: () => {} });
    const fetched = await run('fetched');
    const replayed = await run('replayed');
    expect(replayed.incremental!.fromLedger).toBe(fetched.lines.consolidated);
    expect(replayed.incremental!.fetched).toBe(0);
    const read = (out: string) => readFile(path.join(dir, name, out, 'output.manifest'), 'utf8');
    expect(await read('replayed')).toBe(await read('fetched'));
  });
});
