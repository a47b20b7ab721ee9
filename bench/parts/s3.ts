/**
 * S3 mode: the pipeline reading manifest and worker responses over the S3 protocol, against two fetch-and-parse
 * ceilings at the same concurrency on the same objects (GET + JSON.parse, nothing else): the lean signed GET the
 * pipeline reads worker responses with (`S3Storage.readAll`, `src/io/s3/signed-get.ts`: the ceiling), and the SDK's
 * raw GetObject (what the pipeline read with before, and an upper bound of that pipeline).
 *
 * - `s3`: the in-repo server (`synthetic-s3-server.ts`, its own process) at concurrency 16, 64 and 256, then the
 *   fetch-and-parse stage on 0, 1 and 2 worker threads;
 * - `latency`: the same server delaying every response (`--latency-ms`) at concurrency 64 and 256, also against
 *   `boto3_baseline.py` (boto3, 32 threads; skipped when python3 or boto3 is missing);
 * - `s3rver`: the test suite's S3 server.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { consolidate } from '../../src/index.js';
import { defaultRetryPolicy } from '../../src/io/s3/retry.js';
import { createS3Client } from '../../src/io/s3/s3-client.js';
import { S3Storage } from '../../src/io/s3/s3-storage.js';
import { startS3Server } from '../../sample-output/s3-server.js';
import { readAndParse } from '../baselines.js';
import { writeJob } from '../job-files.js';
import { type Bench, paired, rateRow, ratio } from '../measure.js';
import { bucket, manifestKey } from '../synthetic-job.js';

const manifestUri = `s3://${bucket}/${manifestKey}`;

const s3Getter = (client: S3Client) => async (key: string) =>
  (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const leanGetter = (storage: S3Storage) => async (key: string) =>
  (await storage.readAll(`s3://${bucket}/${key}`, 16 * 1024 * 1024)).toString('utf8');

async function startSynthetic(repo: string, count: number, latency: number): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'bench/synthetic-s3-server.ts'), String(count), String(latency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return {
    endpoint: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/** The two ceilings and the pipeline with one client at concurrency `width`. */
async function s3Mode({ rounds, dir }: Bench, endpoint: string, count: number, width: number) {
  const client = createS3Client({ endpointUrl: endpoint, maxSockets: width });
  const storage = new S3Storage(client, defaultRetryPolicy, { retries: 0 }, { maxSockets: width });
  const [sdk, lean] = [s3Getter(client), leanGetter(storage)];
  try {
    return await paired(rounds, count, {
      sdk: async () => readAndParse(Readable.from([await sdk(manifestKey)]), sdk, width),
      lean: async () => readAndParse(Readable.from([await sdk(manifestKey)]), lean, width),
      pipeline: () => consolidate({ manifest: manifestUri, out: path.join(dir, 's3.manifest'), s3Client: client, concurrency: width }),
    });
  } finally {
    await storage.close();
    client.destroy();
  }
}

/** Table rows and report entry for one `s3Mode` run: the pipeline divided by the lean ceiling and by the SDK's. */
function s3Rows({ table }: Bench, label: string, rates: Awaited<ReturnType<typeof s3Mode>>) {
  table[`${label}: raw GetObject + parse (SDK)`] = rateRow(rates.sdk!);
  table[`${label}: lean signed GET + parse (ceiling)`] = rateRow(rates.lean!, rates.sdk!);
  table[`${label}: gt-consolidate`] = rateRow(rates.pipeline!, rates.lean!);
  table[`${label}: gt-consolidate ÷ SDK GetObject`] = { ratio: ratio(rates.pipeline!.median, rates.sdk!.median) };
  return { ...rates, ratio: ratio(rates.pipeline!.median, rates.lean!.median), ratioToSdk: ratio(rates.pipeline!.median, rates.sdk!.median) };
}

export async function s3Part(bench: Bench): Promise<void> {
  const { s3Objects, rounds, repo, dir, report, table, say } = bench;
  say(`S3 mode against the in-repo server, ${s3Objects} objects, concurrency 16/64/256 …`);
  const fast = await startSynthetic(repo, s3Objects, 0);
  try {
    const sweep: Record<string, unknown> = {};
    for (const width of [16, 64, 256]) {
      sweep[`concurrency${width}`] = s3Rows(bench, `S3 c=${width}`, await s3Mode(bench, fast.endpoint, s3Objects, width));
    }
    report.s3 = sweep;

    // The fetch-and-parse stage on worker threads (each with its own client), against the main thread alone.
    const threads = await paired(rounds, s3Objects, Object.fromEntries([0, 1, 2].map((workers) => [`workers${workers}`, () => consolidate({
      manifest: manifestUri, out: path.join(dir, 's3.manifest'), concurrency: 64, workers, s3: { endpointUrl: fast.endpoint },
    })])));
    report.workers = { ...threads, speedUp2: ratio(threads.workers2!.median, threads.workers0!.median) };
    for (const workers of [0, 1, 2]) {
      table[`S3 c=64, ${workers} worker threads: gt-consolidate`] = rateRow(threads[`workers${workers}`]!, threads.workers0!);
    }
  } finally {
    await fast.stop();
  }
}

export async function latencyPart(bench: Bench): Promise<void> {
  const { s3Objects, latencyMs, repo, report, table, say } = bench;
  say(`latency mode: ${latencyMs} ms per request, ${s3Objects} objects …`);
  const slow = await startSynthetic(repo, s3Objects, latencyMs);
  try {
    const latency: Record<string, unknown> = {};
    for (const width of [64, 256]) {
      latency[`concurrency${width}`] = s3Rows(bench, `latency ${latencyMs} ms, c=${width}`, await s3Mode(bench, slow.endpoint, s3Objects, width));
    }
    const pipeline = (latency.concurrency256 as { pipeline: { median: number } }).pipeline.median;
    try {
      const { stdout } = await promisify(execFile)('python3', [path.join(repo, 'bench/boto3_baseline.py'), slow.endpoint, bucket, manifestKey, '32']);
      const boto3 = JSON.parse(stdout) as { objectsPerSecond: number };
      latency.boto3 = Math.round(boto3.objectsPerSecond);
      latency.ratioToBoto3 = ratio(pipeline, boto3.objectsPerSecond);
      table[`latency ${latencyMs} ms: boto3, 32 threads`] = { 'objects/s': Math.round(boto3.objectsPerSecond) };
      table[`latency ${latencyMs} ms: gt-consolidate (c=256) / boto3`] = { ratio: ratio(pipeline, boto3.objectsPerSecond) };
    } catch (error) {
      say(`boto3 baseline skipped: ${(error as Error).message.split('\n')[0]}`);
      latency.boto3 = 'skipped';
    }
    report.latency = latency;
  } finally {
    await slow.stop();
  }
}

export async function s3rverPart(bench: Bench): Promise<void> {
  const { s3Objects, dir, report, table, say } = bench;
  const count = Math.min(s3Objects, 2000);
  say(`S3 mode against s3rver, ${count} objects …`);
  await writeJob(path.join(dir, 's3rver'), count);
  const s3rver = await startS3Server([bucket]);
  try {
    await s3rver.uploadTree(path.join(dir, 's3rver', 'out'), bucket, 'out/');
    report.s3rver = s3Rows(bench, 's3rver c=64', await s3Mode(bench, s3rver.endpoint, count, 64));
  } finally {
    await s3rver.stop();
  }
}
