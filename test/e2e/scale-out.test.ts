/**
 * A sharded run (shard, fit, decide, merge through the task handler the engines call) against a one-machine `run` of
 * the same job: the manifest, rejects, summary (its duration and own paths aside), worker report and review queue must
 * be the same bytes, for 1, 3 and 7 shards.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolidate, UsageError, type ConsolidateOptions } from '../../src/index.js';
import { loadConfig } from '../../src/config/config.js';
import { handleTask } from '../../src/scale-out/task-handler.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const labels = ['positive', 'negative', 'neutral'];
const topics = ['billing', 'shipping', 'returns', 'other'];

/** Categorical fields for majority vote, Dawid-Skene, wawa and the automatic pick, numeric ones; some failed objects. */
const jobObjects = (count: number): JobObject[] => Array.from({ length: count }, (_, i) => (i % 23 === 5
  ? { data: { id: i } }
  : {
    data: { id: i, source: `message ${i} é ✓` },
    answers: Array.from({ length: 2 + (i % 4) }, (_, w) => ({
      workerId: `private.us-east-1.${(i + w * 7) % 11}`,
      answerContent: {
        sentiment: { label: labels[(i + (w % 3 === 1 ? 1 : 0) + (w === 3 ? i : 0)) % 3]! },
        topic: { label: topics[(i * 3 + (w === 2 ? 1 : 0)) % 4]! },
        urgency: { label: w === 0 && i % 5 === 0 ? 'high' : i % 2 ? 'low' : 'high' },
        score: 1 + ((i + w * w) % 5),
        effort: (i * w) % 7,
        channel: { label: w === 1 ? 'email' : ['email', 'chat', 'phone'][i % 3]! },
      },
    })),
  }));

const syntheticFields = { sentiment: 'majority-vote', topic: 'dawid-skene', score: 'weighted-mean', channel: 'wawa' };

/** Lines a run rejects, and a blank one, among the job's. */
const badLines = ['{"source": "no label metadata"}', 'not json at all', '', '{"source-ref": "s3://x/y", "job-metadata": {"job-name": "x"}, "job": {}}'];

let dir: string;

async function syntheticJob(name: string): Promise<string> {
  const manifest = await writeJobTree({ root: path.join(dir, name), jobName: 'job', bucket: 'labels', prefix: name }, jobObjects(90));
  await appendFile(manifest, badLines.join('\n') + '\n');
  return manifest;
}

/** The synthetic job with a byte-order mark and CRLF line ends, and one bare CR (shards cut by bytes must not mind). */
async function crlfJob(name: string): Promise<string> {
  const manifest = await syntheticJob(name);
  const lines = (await readFile(manifest, 'utf8')).trimEnd().split('\n');
  await writeFile(manifest, `\uFEFF${lines.slice(0, 40).join('\r\n')}\r${lines.slice(40).join('\r\n')}\r\n`);
  return manifest;
}

type Options = Omit<ConsolidateOptions, 'manifest' | 'out'> & { config?: string };

/** What a run and a sharded run must agree on: the summary without its duration and its own output paths. */
function comparable(summary: string): unknown {
  const { durationMs: _, output: __, rejects: ___, ...rest } = JSON.parse(summary) as Record<string, unknown>;
  return rest;
}

async function runOnce(manifest: string, out: string, options: Options): Promise<void> {
  const { config, ...rest } = options;
  const fromConfig = config ? await loadConfig(config) : undefined;
  await consolidate({
    manifest,
    out,
    ...rest,
    ...(fromConfig && { fields: fromConfig.fields, preferences: fromConfig.preferences, schema: { groups: fromConfig.groups, keyPatterns: fromConfig.keyPatterns } }),
  });
}

async function runSharded(manifest: string, out: string, work: string, count: number, options: Options, client?: S3Client): Promise<void> {
  const job = { manifest, out, work, ...options };
  const io = client ? { s3Client: client } : {};
  const event = (step: string, index?: number) => ({ step, ...(index !== undefined && { index }), count, job: { ...job, ...io } });
  const indexes = Array.from({ length: count }, (_, index) => index);
  // Shards and deciders run at once, as a Map state runs them; out of order on purpose.
  await Promise.all(indexes.reverse().map((index) => handleTask(event('shard', index))));
  await handleTask(event('fit'));
  await Promise.all(indexes.map((index) => handleTask(event('decide', index))));
  await handleTask(event('merge'));
}

const files = ['output.manifest', 'output.rejects.jsonl'];

async function expectSameOutputs(local: (file: string) => Promise<string>, reference: string, sharded: string, extra: string[] = []) {
  for (const file of [...files, ...extra]) expect(await local(path.join(sharded, file)), file).toBe(await local(path.join(reference, file)));
  const summary = 'output.summary.json';
  expect(comparable(await local(path.join(sharded, summary)))).toEqual(comparable(await local(path.join(reference, summary))));
}

const readLocal = (file: string) => readFile(file, 'utf8');

/** The synthetic job has what the comparison needs: rejects, failed lines, a blank line, and each strategy. */
function expectEverythingCompared(summary: { lines: Record<string, number>; fields: Record<string, { strategy: string; pickedFor?: string }> }) {
  expect(summary.lines.rejected).toBeGreaterThanOrEqual(3);
  expect(summary.lines.failedInJob).toBeGreaterThan(0);
  expect(summary.lines.blank).toBe(1);
  expect(summary.fields.sentiment?.strategy).toBe('majority-vote');
  expect(summary.fields.topic?.strategy).toBe('dawid-skene');
  expect(summary.fields.urgency).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical' });
  expect(summary.fields.score?.strategy).toBe('weighted-mean');
  expect(summary.fields.channel?.strategy).toBe('wawa');
  expect(summary.fields.effort?.pickedFor).toBe('numeric');
}

beforeAll(async () => {
  dir = await tempDir();
});

describe('a sharded run gives the outputs of one run', () => {
  const jobs: [name: string, manifest: () => Promise<string>, options: Options, extra?: string[]][] = [
    ['majority vote, Dawid-Skene, wawa, weighted mean, the automatic picks, rejects and failed lines', () => syntheticJob('synthetic'),
      { fields: syntheticFields }],
    ['CRLF line ends and a byte-order mark', () => crlfJob('crlf'), { fields: syntheticFields }],
    ['hierarchical-ds with gold, a worker report and a review queue (sample job)',
      async () => 'sample-output/support-ticket-sentiment/manifests/output/output.manifest',
      { config: 'sample-output/support-ticket-sentiment.config.yaml', gold: 'sample-output/support-ticket-sentiment.gold.csv' }, ['workers.csv', 'review.manifest']],
    ['preference (ranking) fields (sample job)', async () => 'sample-output/text-ranking-preferences/manifests/output/output.manifest',
      { config: 'sample-output/text-ranking-preferences.config.yaml' }],
    ['numeric sliders and free text (sample job)', async () => 'sample-output/multimodal-content-eval/manifests/output/output.manifest',
      { config: 'sample-output/multimodal-content-eval.config.yaml' }],
  ];

  for (const [name, manifestOf, options, extra = []] of jobs) {
    it(name, async () => {
      const manifest = await manifestOf();
      const slug = name.replace(/\W+/g, '-').slice(0, 40);
      const withReports = (folder: string): Options => ({
        ...options,
        ...(extra.includes('workers.csv') && { workersReport: path.join(folder, 'workers.csv') }),
        ...(extra.includes('review.manifest') && { review: path.join(folder, 'review.manifest') }),
      });
      const reference = path.join(dir, slug, 'run');
      await runOnce(manifest, path.join(reference, 'output.manifest'), withReports(reference));
      const summary = JSON.parse(await readLocal(path.join(reference, 'output.summary.json')));
      expect(summary.lines.consolidated).toBeGreaterThan(0);
      if (name.startsWith('majority vote')) expectEverythingCompared(summary);
      for (const count of [1, 3, 7]) {
        const sharded = path.join(dir, slug, `shards-${count}`);
        await runSharded(manifest, path.join(sharded, 'output.manifest'), path.join(sharded, 'work'), count, withReports(sharded));
        await expectSameOutputs(readLocal, reference, sharded, extra);
      }
    });
  }
});

describe('the commands', () => {
  it('shard, fit, decide and merge on the command line, an AWS Batch array child taking its shard from the environment', async () => {
    const manifest = await syntheticJob('cli');
    const reference = path.join(dir, 'cli', 'run');
    await runOnce(manifest, path.join(reference, 'output.manifest'), { fields: syntheticFields });
    const sharded = path.join(dir, 'cli', 'shards');
    const common = [manifest, '--out', path.join(sharded, 'output.manifest'), '--work', path.join(sharded, 'work'), '-s', 'sentiment=majority-vote',
      '-s', 'topic=dawid-skene', '-s', 'score=weighted-mean', '-s', 'channel=wawa', '--quiet'];
    expect(await cli(['shard', ...common, '--index', '0', '--count', '2'])).toMatchObject({ code: 0, stderr: '' });
    Object.assign(process.env, { AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: '2' });
    try {
      expect(await cli(['shard', ...common, '--index-from-env', '--json'])).toMatchObject({ code: 0, stderr: '' });
    } finally {
      delete process.env.AWS_BATCH_JOB_ARRAY_INDEX;
      delete process.env.AWS_BATCH_JOB_ARRAY_SIZE;
    }
    // fit and decide through the library (each command costs a process start, slow on a loaded machine).
    const job = { manifest, out: path.join(sharded, 'output.manifest'), work: path.join(sharded, 'work'), fields: syntheticFields };
    expect(await handleTask({ step: 'fit', count: 2, job })).toMatchObject({ shards: 2, fitted: ['topic', 'urgency', 'score', 'channel'] });
    for (const index of [0, 1]) await handleTask({ step: 'decide', index, count: 2, job });
    // Lines were rejected: exit 3, as a run's.
    expect(await cli(['merge', ...common, '--count', '2'])).toMatchObject({ code: 3, stderr: '' });
    await expectSameOutputs(readLocal, reference, sharded);
    expect((await cli(['decide', ...common, '--count', '2'])).stderr).toContain('give the shard with --index');
  }, 180_000);

  it('refuse, with the step to run, parts that are missing, of another split or settings, or tampered with', async () => {
    const manifest = await syntheticJob('refusals');
    const job = { manifest, out: path.join(dir, 'refusals', 'output.manifest'), work: path.join(dir, 'refusals', 'work'), fields: { topic: 'dawid-skene' } };
    const step = (name: string, count: number, index?: number, more: object = {}) => handleTask({ step: name, count, index, job: { ...job, ...more } });
    const refused = async (task: Promise<unknown>, message: string) => {
      await expect(task).rejects.toThrow(UsageError);
      await expect(task).rejects.toThrow(message);
    };
    await step('shard', 2, 0);
    await refused(step('fit', 2), 'run shard --index 1 --count 2 first');
    await step('shard', 2, 1);
    await refused(step('decide', 2, 0), 'run fit first');
    await refused(step('fit', 3), 'is shard 0 of 2 of');
    await step('fit', 2);
    await refused(step('decide', 2, 0, { seed: 5 }), 'was fitted with other settings');
    await refused(step('merge', 2), 'run decide --index 0 --count 2 first');
    const part = path.join(job.work, 'lines', 'part-00001.jsonl');
    const lines = (await readFile(part, 'utf8')).split('\n');
    await writeFile(part, [lines[0]!.replace(/"kind":"categorical"/, '"kind":"sorcery"'), ...lines.slice(1)].join('\n'));
    await refused(step('decide', 2, 1), 'lines/part-00001.jsonl line 1 is not a line a shard writes: shard that part again');
  });
});

describe('on S3', () => {
  let s3: TestS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Server(['labels']);
    client = s3.client();
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('shards read from and write to S3, and merge streams the parts into the same outputs', async () => {
    const root = path.join(dir, 's3-job');
    const manifest = await writeJobTree({ root, jobName: 'job', bucket: 'labels', prefix: 'jobs' }, jobObjects(60));
    await appendFile(manifest, badLines.join('\n') + '\n');
    await s3.uploadTree(root, 'labels', 'jobs/');
    const uri = 's3://labels/jobs/job/manifests/output/output.manifest';
    const reference = path.join(dir, 's3-run');
    await consolidate({ manifest: uri, out: path.join(reference, 'output.manifest'), fields: syntheticFields, s3Client: client });
    await runSharded(uri, 's3://labels/results/output.manifest', 's3://labels/work/', 3, { fields: syntheticFields }, client);
    const readS3 = async (file: string) => {
      if (file.startsWith(reference)) return readLocal(file);
      const key = `results/${path.basename(file)}`;
      return (await client.send(new GetObjectCommand({ Bucket: 'labels', Key: key }))).Body!.transformToString();
    };
    await expectSameOutputs(readS3, reference, 'results');
  });
});
