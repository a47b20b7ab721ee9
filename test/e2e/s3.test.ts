/** The pipeline against a real S3-protocol server (s3rver, started by the test), directly and through faults. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPreferences } from '../../src/export/export.js';
import { consolidate, registerStrategy, UsageError, type ConsolidateOptions } from '../../src/index.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { s3rverEnv, startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const bucket = 'labels';
const labels = ['positive', 'negative', 'neutral'];
const jobObjects = (count: number): JobObject[] => Array.from({ length: count }, (_, i) => (i % 97 === 13
  ? { data: { id: i } }
  : {
    data: { id: i, source: `message ${i}` },
    answers: Array.from({ length: 3 + (i % 3) }, (_, w) => ({
      workerId: `private.us-east-1.${w}`,
      answerContent: { sentiment: { label: labels[(i + (w === 1 ? 1 : 0)) % 3]! }, score: 1 + ((i + w) % 5) },
    })),
  }));

let s3: TestS3;
let client: S3Client;
let dir: string;

async function text(key: string, via: S3Client = client): Promise<string> {
  const object = await via.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

async function exists(key: string): Promise<boolean> {
  return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);
}

/** Writes a job tree locally and uploads it under `s3://labels/<prefix>/`; returns the manifest URI and local path. */
async function uploadJob(name: string, objects: JobObject[]) {
  const root = path.join(dir, name);
  const manifest = await writeJobTree({ root, jobName: 'job', bucket, prefix: name }, objects);
  await s3.uploadTree(root, bucket, `${name}/`);
  return { uri: `s3://${bucket}/${name}/job/manifests/output/output.manifest`, local: manifest };
}

beforeAll(async () => {
  dir = await tempDir();
  s3 = await startS3Server([bucket, 'other-bucket']);
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('S3 end to end', () => {
  it('reads the manifest and worker responses from S3 and writes output, rejects and summary to S3', async () => {
    const job = await uploadJob('small', jobObjects(40));
    const options = (out: string): ConsolidateOptions => ({ manifest: job.uri, out, s3Client: client });
    const summary = await consolidate(options(`s3://${bucket}/results/small/output.manifest`));
    expect(summary.lines).toMatchObject({ read: 40, consolidated: 39, failedInJob: 1, rejected: 0 });
    const local = await consolidate({ manifest: job.local, out: path.join(dir, 'small-local.manifest') });
    expect(await text('results/small/output.manifest')).toBe(await readFile(path.join(dir, 'small-local.manifest'), 'utf8'));
    expect(await text('results/small/output.rejects.jsonl')).toBe('');
    const written = JSON.parse(await text('results/small/output.summary.json'));
    expect(written.lines).toEqual(local.lines);
  });

  it('consolidates a job of 1,200 objects in order', async () => {
    const job = await uploadJob('large', jobObjects(1200));
    const summary = await consolidate({ manifest: job.uri, out: `s3://${bucket}/results/large.manifest`, s3Client: client, concurrency: 32 });
    expect(summary.lines).toMatchObject({ read: 1200, rejected: 0 });
    expect(summary.lines.consolidated + summary.lines.failedInJob).toBe(1200);
    const ids = (await text('results/large.manifest')).trim().split('\n').map((line) => JSON.parse(line).id);
    expect(ids).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  describe('through a proxy that breaks over 20% of requests', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(s3.port, { rate: 0.3, seed: 7 });
    });
    afterAll(() => proxy?.close());

    it('writes byte-identical output to the fault-free run, losing no line, and counts retries', async () => {
      const job = await uploadJob('faults', jobObjects(1200));
      const clean = await consolidate({ manifest: job.uri, out: `s3://${bucket}/results/clean.manifest`, s3Client: client });
      const retry = { attempts: 12, baseDelayMs: 5, maxDelayMs: 100 };
      const faulty = s3.client({ endpointUrl: proxy.endpoint, requestTimeoutMs: 500, sdkMaxAttempts: 10 }, retry);
      const summary = await consolidate({
        manifest: job.uri, out: `s3://${bucket}/results/faulty.manifest`, s3Client: faulty, concurrency: 32, retry,
        s3: { requestTimeoutMs: 500, bodyTimeoutMs: 500 }, // worker responses are read outside the client
      });
      faulty.destroy();
      const { requests, faults } = proxy.stats;
      const broken = Object.values(faults).reduce((a, b) => a + b, 0);
      expect(broken / requests).toBeGreaterThanOrEqual(0.2);
      for (const count of Object.values(faults)) expect(count).toBeGreaterThan(0);
      expect(summary.lines).toEqual(clean.lines);
      expect(summary.retries).toBeGreaterThan(0);
      expect(await text('results/faulty.manifest')).toBe(await text('results/clean.manifest'));
      expect(await text('results/faulty.rejects.jsonl')).toBe('');
    });
  });

  it('fetches each worker response once when a model-based strategy makes the run two-pass', async () => {
    const job = await uploadJob('two-pass', jobObjects(300));
    const observer = await startFaultProxy(s3.port, { rate: 0, seed: 1 });
    const observed = s3.client({ endpointUrl: observer.endpoint });
    const summary = await consolidate({
      manifest: job.uri, out: `s3://${bucket}/results/two-pass.manifest`, s3Client: observed, fields: { sentiment: { strategy: 'dawid-skene' } },
    });
    observed.destroy();
    await observer.close();
    const gets = observer.log.filter((request) => request.startsWith(`GET /${bucket}/two-pass/`)).map((request) => request.split('?')[0]!);
    const responses = gets.filter((request) => request.includes('/annotations/worker-response/'));
    expect(responses).toHaveLength(summary.lines.consolidated);
    expect(new Set(responses).size).toBe(responses.length);
    expect(gets.filter((request) => request.endsWith('/output.manifest'))).toHaveLength(1);
    const lines = (await text('results/two-pass.manifest')).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(lines.find((line) => line.job)?.['job-metadata'].consolidation.sentiment.strategy).toBe('dawid-skene');
  });

  it('exports a preference dataset from a job in S3 to S3', async () => {
    const ranking = (n: number, ranks: number[]) => ({ workerId: `w${n}`, answerContent: { ordinalRankingDimensions: [{ name: 'Overall', responseRankings: ranks }] } });
    const job = await uploadJob('ranking', [
      { data: { source: 'Say hi.', responses: ['Hello!', 'Hi there, how can I help?', 'Go away.'] }, answers: [ranking(1, [2, 1, 3]), ranking(2, [2, 1, 3]), ranking(3, [1, 2, 3])] },
    ]);
    const stats = await exportPreferences({ manifest: job.uri, format: 'trl', out: `s3://${bucket}/results/ranking/trl.jsonl`, s3Client: client });
    expect(stats.pairsWritten).toBe(1);
    expect(JSON.parse(await text('results/ranking/trl.jsonl'))).toMatchObject({ prompt: 'Say hi.', chosen: 'Hi there, how can I help?', rejected: 'Go away.' });
    expect(JSON.parse(await text('results/ranking/trl.stats.json')).pairsWritten).toBe(1);
  });

  it('refuses refs outside the manifest bucket unless allowed, and oversized responses', async () => {
    const job = await uploadJob('refs', jobObjects(3));
    const foreign = JSON.stringify({ id: 'foreign', job: {}, 'job-metadata': { 'worker-response-ref': 's3://other-bucket/r.json' } });
    const big = JSON.stringify({ id: 'big', job: {}, 'job-metadata': { 'worker-response-ref': `s3://${bucket}/refs/big.json` } });
    await client.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'r.json', Body: JSON.stringify({ answers: [] }) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'refs/big.json', Body: JSON.stringify({ answers: [], pad: 'x'.repeat(50_000) }) }));
    const manifest = `${(await readFile(job.local, 'utf8')).trim()}\n${foreign}\n${big}\n`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'refs/mixed.manifest', Body: manifest }));
    const run = (allowRefPrefixes: string[]) => consolidate({
      manifest: `s3://${bucket}/refs/mixed.manifest`, out: path.join(dir, 'refs.manifest'), s3Client: client, allowRefPrefixes, maxResponseBytes: 10_000,
    });
    const strict = await run([]);
    expect(strict.rejectedBy).toEqual({ 'ref-not-allowed': 1, 'response-too-large': 1 });
    const rejects = (await readFile(path.join(dir, 'refs.rejects.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[4, 'ref-not-allowed'], [5, 'response-too-large']]);
    const widened = await run(['s3://other-bucket/']);
    expect(widened.rejectedBy).toEqual({ 'response-too-large': 1 });
    expect(widened.lines.consolidated).toBe(4);
  });

  it('reads worker responses whose keys need encoding (space, unicode, colon, plus) and rejects a missing one', async () => {
    const keys = ['odd/a b/2025-03-08_00:00:00+01.json', 'odd/données/ラベル (1)!*.json'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify({ answers: [] }) }));
    const line = (id: string, key: string) => JSON.stringify({ id, job: {}, 'job-metadata': { 'worker-response-ref': `s3://${bucket}/${key}` } });
    const manifest = [line('space', keys[0]!), line('unicode', keys[1]!), line('gone', 'odd/missing.json')].join('\n');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'odd/odd.manifest', Body: `${manifest}\n` }));
    const summary = await consolidate({ manifest: `s3://${bucket}/odd/odd.manifest`, out: path.join(dir, 'odd.manifest'), s3Client: client });
    expect(summary.rejectedBy).toEqual({ 'response-missing': 1 });
    const rejects = (await readFile(path.join(dir, 'odd.rejects.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.line, r.code])).toEqual([[3, 'response-missing']]);
  });

  it('fails fast with one clear line when the bucket or the manifest does not exist', async () => {
    const out = path.join(dir, 'never.manifest');
    await expect(consolidate({ manifest: 's3://no-such-bucket/m.manifest', out, s3Client: client })).rejects.toThrow(UsageError);
    await expect(consolidate({ manifest: `s3://${bucket}/missing.manifest`, out, s3Client: client }))
      .rejects.toThrow(`manifest s3://${bucket}/missing.manifest does not exist`);
    await expect(consolidate({ manifest: path.join(dir, 'small/job/manifests/output/output.manifest'), out: 's3://no-such-bucket/out.manifest', s3Client: client }))
      .rejects.toThrow('output bucket s3://no-such-bucket: the bucket does not exist');
  });

  /**
   * Runs a 1,600-object job with long texts (a consolidated manifest of about 7 MiB: a multipart upload) whose strategy
   * calls `late` at the 1,500th object, after the first part went out, through a proxy with faults off that logs the
   * requests. Returns the run's error and the requests made for the output object.
   */
  async function interruptedUpload(name: string, late: () => void, signal?: AbortSignal) {
    const objects: JobObject[] = Array.from({ length: 1600 }, (_, i) => ({
      data: { id: i, source: `${i} `.padEnd(4000, 'lorem ipsum ') },
      answers: [{ workerId: 'w', answerContent: { sentiment: { label: 'positive' } } }],
    }));
    const job = await uploadJob(name, objects);
    let decided = 0;
    registerStrategy({
      name: `interrupted-${name}`,
      summary: 'test strategy',
      kinds: ['categorical'],
      options: z.strictObject({}),
      create: () => ({
        decide() {
          decided += 1;
          if (decided === 1500) late();
          return { value: { label: 'positive' }, confidence: 1 };
        },
      }),
    });
    const observer = await startFaultProxy(s3.port, { rate: 0, seed: 1 });
    const observed = s3.client({ endpointUrl: observer.endpoint });
    const error = await consolidate({
      manifest: job.uri, out: `s3://${bucket}/results/${name}.manifest`, s3Client: observed,
      fields: { sentiment: { strategy: `interrupted-${name}` } }, signal,
    }).then(() => undefined, (failure: unknown) => failure as Error);
    observed.destroy();
    await observer.close();
    const upload = (method: string, query: RegExp) =>
      observer.log.filter((r) => r.startsWith(`${method} /${bucket}/results/${name}.manifest?`) && query.test(r));
    return { error, upload };
  }

  it('aborts a multipart upload that fails mid-way, leaving no object and no parts behind', async () => {
    const { error, upload } = await interruptedUpload('aborted', () => {
      throw new Error('failure after the first part was uploaded');
    });
    expect(error?.message).toContain('failure after the first part');
    expect(upload('POST', /uploads/)).toHaveLength(1); // CreateMultipartUpload
    expect(upload('PUT', /partNumber=1/).length).toBeGreaterThan(0); // a part was sent
    expect(upload('DELETE', /uploadId=/)).toHaveLength(1); // AbortMultipartUpload
    expect(upload('POST', /uploadId=/)).toHaveLength(0); // never completed
    expect(await exists('results/aborted.manifest')).toBe(false);
    expect(await exists('results/aborted.rejects.jsonl')).toBe(false);
  });

  it('a stopped run (the signal SIGTERM and SIGINT abort in the CLI) aborts its multipart upload: no object, no parts', async () => {
    const stop = new AbortController();
    const { error, upload } = await interruptedUpload('stopped', () => stop.abort(new Error('stopped by SIGTERM')), stop.signal);
    expect(error).toBeDefined();
    expect(upload('PUT', /partNumber=1/).length).toBeGreaterThan(0); // stopped mid-upload
    expect(upload('DELETE', /uploadId=/)).toHaveLength(1); // AbortMultipartUpload
    expect(upload('POST', /uploadId=/)).toHaveLength(0); // never completed
    expect(await exists('results/stopped.manifest')).toBe(false);
    expect(await exists('results/stopped.summary.json')).toBe(false);
  });
});

describe('gt-consolidate CLI with S3', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  const bin = path.join(repo, 'dist/src/cli/bin.js');
  const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });

  it('runs on s3:// locations with --endpoint-url, reading a config file from S3 too', async () => {
    const job = await uploadJob('cli', jobObjects(30));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'cli/config.yaml', Body: 'fields:\n  score: { strategy: median, scale: [1, 5] }\n' }));
    const result = await run(['run', job.uri, '--out', `s3://${bucket}/cli/out/output.manifest`, '--endpoint-url', s3.endpoint,
      '--config', `s3://${bucket}/cli/config.yaml`], { ...s3rverEnv, HOME: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('30 lines read: 29 consolidated, 1 failed in job, 0 rejected');
    const first = JSON.parse((await text('cli/out/output.manifest')).split('\n')[0]!);
    expect(first['job-metadata'].consolidation.score.strategy).toBe('median');
  });

  it('fails fast with one line and exit code 2 without credentials', async () => {
    const result = await run(['run', `s3://${bucket}/cli/job/manifests/output/output.manifest`, '--out', path.join(dir, 'x.manifest'),
      '--endpoint-url', s3.endpoint], { HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no AWS credentials');
  });
});
