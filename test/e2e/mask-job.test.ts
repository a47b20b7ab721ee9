/**
 * A semantic segmentation job end to end: the consolidated mask is an indexed PNG written beside the output manifest
 * (locally and on S3, through s3rver), referred to by `<field>-ref`, and committed with the run's other outputs or not
 * at all.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { decode, encode } from 'fast-png';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolidate, registerStrategy, UsageError } from '../../src/index.js';
import { runJob } from '../../src/pipeline/consolidate.js';
import type { DecidedObject } from '../../src/pipeline/decide.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const field = 'crowd-semantic-segmentation';
const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
/** A 4×1 `crowd-semantic-segmentation` answer: the first `cars` pixels car, the rest transparent. */
function segmentation(cars: number) {
  const data = new Uint8Array(16);
  for (let pixel = 0; pixel < cars; pixel += 1) data.set([0x1f, 0x77, 0xb4, 255], pixel * 4);
  const pngImageData = Buffer.from(encode({ width: 4, height: 1, data, channels: 4, depth: 8 })).toString('base64');
  return { inputImageProperties: { width: 4, height: 1 }, labelMappings: { car: { color: '#1f77b4' } }, labeledImage: { pngImageData } };
}

/**
 * Object i: three workers drawing `cars[i]` car pixels each, so the vote (⌈3/2⌉ = 2) makes the second-largest of them
 * car; and a `check` question, which a test strategy can make fail.
 */
const cars = [[1, 2, 3], [4, 4, 0], [0, 1, 1]];
const voted = [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]];
const objects: JobObject[] = cars.map((counts, i) => ({
  data: { 'source-ref': `s3://b/street-${i}.jpg` },
  answers: counts.map((count, w) => ({ workerId: worker(w + 1), answerContent: { [field]: segmentation(count), check: { label: 'ok' } } })),
}));

const pixelsOf = (png: Uint8Array) => {
  const decoded = decode(png);
  expect([decoded.depth, decoded.channels, decoded.palette?.length]).toEqual([8, 1, 2]); // 8-bit indexed, 2 classes
  return [...decoded.data];
};

let failing = 0;
/** A strategy for `check` that fails the run at the second object, after the first object's mask was staged. */
registerStrategy({
  name: 'fails-at-second-object',
  summary: 'test strategy',
  kinds: ['categorical'],
  options: z.strictObject({}),
  create: () => {
    let decided = 0;
    return {
      decide() {
        decided += 1;
        failing += 1;
        if (decided === 2) throw new Error('failure after a mask was staged');
        return { value: { label: 'ok' }, confidence: 1 };
      },
    };
  },
});
const failingRun = { fields: { check: { strategy: 'fails-at-second-object' } } };

describe('consolidate: a semantic segmentation field, locally', () => {
  it('writes each voted mask as an 8-bit indexed PNG in a folder named after the output, the line holding <field>-ref', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects);
    const out = path.join(dir, 'result/output.manifest');
    const summary = await consolidate({ manifest, out });
    expect(summary.sideFiles).toEqual({ folder: path.join(dir, 'result/output'), files: 3 });
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(await readdir(path.join(dir, 'result/output'))).toEqual(['1-crowd-semantic-segmentation.png', '2-crowd-semantic-segmentation.png', '3-crowd-semantic-segmentation.png']);
    for (const [i, line] of lines.entries()) {
      // Relative to the manifest's folder.
      expect(line.job).toEqual({ [`${field}-ref`]: `output/${i + 1}-${field}.png`, check: { label: 'ok' } });
      expect(pixelsOf(await readFile(path.join(dir, 'result', line.job[`${field}-ref`])))).toEqual(voted[i]);
    }
    expect(lines[0]['job-metadata'].consolidation[field]).toMatchObject({
      strategy: 'mask-vote', answers: 3,
      'internal-color-map': {
        0: { 'class-name': 'BACKGROUND', 'hex-color': '#ffffff', confidence: 2 / 3 },
        1: { 'class-name': 'car', 'hex-color': '#1f77b4', confidence: (1 + 2 / 3) / 2 },
      },
    });
    expect(await readdir(path.join(dir, 'result'))).toEqual(['output', 'output.manifest', 'output.rejects.jsonl', 'output.summary.json']);
  });

  it('writes the same bytes whether masks are decided on worker threads or on the main thread', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects);
    const run = async (threads: number) => {
      const out = path.join(dir, `threads-${threads}/output.manifest`);
      await consolidate({ manifest, out, fields: { [field]: { strategy: 'mask-vote', threads } } });
      const pngs = await Promise.all([1, 2, 3].map((line) => readFile(path.join(dir, `threads-${threads}/output/${line}-${field}.png`))));
      return { manifest: await readFile(out, 'utf8'), pngs };
    };
    const [main, threaded] = [await run(0), await run(2)];
    expect(threaded).toEqual(main);
    expect(main.pngs.map(pixelsOf)).toEqual(voted);
  });

  it('publishes nothing when the run fails after a mask was staged: no folder, no staging folder, no manifest', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects);
    const before = failing;
    await expect(consolidate({ manifest, out: path.join(dir, 'result/output.manifest'), ...failingRun })).rejects.toThrow('failure after a mask was staged');
    expect(failing - before).toBe(2);
    expect(await readdir(path.join(dir, 'result'))).toEqual([]);
  });

  it('puts the PNG in a data: URI when there is no output folder (a run that only feeds a sink)', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects.slice(0, 1));
    const decided: DecidedObject[] = [];
    const summary = await runJob({ manifest, rejects: path.join(dir, 'rejects.jsonl'), sink: async (object) => void decided.push(object) });
    expect(summary.sideFiles).toBeUndefined();
    const ref = (decided[0]!.consolidated.job as Record<string, string>)[`${field}-ref`]!;
    expect(ref.startsWith('data:image/png;base64,')).toBe(true);
    expect(pixelsOf(Buffer.from(ref.slice('data:image/png;base64,'.length), 'base64'))).toEqual(voted[0]);
  });

  it('names files by line and field, the field reduced to safe characters, two alike on one line apart', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, [{
      data: { 'source-ref': 's3://b/street.jpg' },
      answers: [1, 2].map((n) => ({ workerId: worker(n), answerContent: { 'road/../mask': segmentation(2), 'road_.._mask': segmentation(3) } })),
    }]);
    await consolidate({ manifest, out: path.join(dir, 'result/output.manifest') });
    const line = JSON.parse(await readFile(path.join(dir, 'result/output.manifest'), 'utf8'));
    expect(line.job).toEqual({ 'road/../mask-ref': 'output/1-road_.._mask.png', 'road_.._mask-ref': 'output/1-road_.._mask-2.png' });
    expect(pixelsOf(await readFile(path.join(dir, 'result/output/1-road_.._mask.png')))).toEqual([1, 1, 0, 0]);
    expect(pixelsOf(await readFile(path.join(dir, 'result/output/1-road_.._mask-2.png')))).toEqual([1, 1, 1, 0]);
  });

  it('refuses, before reading, an output whose file is where the mask folder goes', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects);
    const run = consolidate({ manifest, out: path.join(dir, 'output.manifest'), rejects: path.join(dir, 'output') });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(/--rejects .*output is also the side-file folder/);
  });
});

describe('consolidate: a semantic segmentation field, on S3 (s3rver)', () => {
  const bucket = 'masks';
  let s3: TestS3;
  let client: S3Client;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    s3 = await startS3Server([bucket]);
    client = s3.client();
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  const upload = async (name: string) => {
    const root = path.join(dir, name);
    await writeJobTree({ root, jobName: 'job', bucket, prefix: name }, objects);
    await s3.uploadTree(root, bucket, `${name}/`);
    return `s3://${bucket}/${name}/job/manifests/output/output.manifest`;
  };
  const keysUnder = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(({ Key }) => Key);
  const bytesOf = async (key: string) =>
    (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();

  it('uploads each mask beside the output manifest, the line holding its s3:// URI', async () => {
    const manifest = await upload('ok');
    const summary = await consolidate({ manifest, out: `s3://${bucket}/results/ok/output.manifest`, s3Client: client });
    expect(summary.sideFiles).toEqual({ folder: `s3://${bucket}/results/ok/output`, files: 3 });
    expect((await keysUnder('results/ok/')).sort()).toEqual([
      'results/ok/output.manifest', 'results/ok/output.rejects.jsonl', 'results/ok/output.summary.json',
      ...[1, 2, 3].map((line) => `results/ok/output/${line}-${field}.png`),
    ]);
    const lines = new TextDecoder().decode(await bytesOf('results/ok/output.manifest')).trim().split('\n').map((line) => JSON.parse(line));
    for (const [i, line] of lines.entries()) {
      expect(line.job[`${field}-ref`]).toBe(`s3://${bucket}/results/ok/output/${i + 1}-${field}.png`);
      expect(pixelsOf(await bytesOf(`results/ok/output/${i + 1}-${field}.png`))).toEqual(voted[i]);
    }
  });

  it('publishes no mask when the run fails: the staged upload is aborted, never completed', async () => {
    const manifest = await upload('failed');
    const observer = await startFaultProxy(s3.port, { rate: 0, seed: 1 });
    const observed = s3.client({ endpointUrl: observer.endpoint });
    try {
      const run = consolidate({ manifest, out: `s3://${bucket}/results/failed/output.manifest`, s3Client: observed, ...failingRun });
      await expect(run).rejects.toThrow('failure after a mask was staged');
    } finally {
      observed.destroy();
      await observer.close();
    }
    const requests = (method: string, query: RegExp) =>
      observer.log.filter((r) => r.startsWith(`${method} /${bucket}/results/failed/output/1-${field}.png?`) && query.test(r));
    expect(requests('POST', /uploads/)).toHaveLength(1); // CreateMultipartUpload
    expect(requests('PUT', /partNumber=1/)).toHaveLength(1); // the PNG was sent
    expect(requests('DELETE', /uploadId=/)).toHaveLength(1); // AbortMultipartUpload
    expect(requests('POST', /uploadId=/)).toHaveLength(0); // never completed
    expect(await keysUnder('results/failed/')).toEqual([]);
  });
});
