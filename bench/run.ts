/**
 * `npm run bench [-- --objects N --s3-objects M --latency-ms L --rounds R]` — see BENCHMARKS.md. Every figure is
 * compared with a baseline measured in the same run on the same data, so the ratios hold on a shared, noisy machine.
 *
 * - S3 mode, against `synthetic-s3-server.ts` (in-repo, its own process, objects generated per request): the raw
 *   GetObject rate of the same SDK client at the same concurrency on the same objects (read + JSON.parse: the
 *   ceiling) vs the pipeline, at concurrency 16, 64 and 256;
 * - the fetch-and-parse stage on 0, 1 and 2 worker threads (S3 mode, in-repo server, concurrency 64);
 * - S3 mode against s3rver (the test server), concurrency 64;
 * - latency mode: the same server delaying every response (default 20 ms); the pipeline vs the ceiling and vs a boto3
 *   script with 32 threads (`boto3_baseline.py`; skipped when python3 or boto3 is missing);
 * - mirror mode (local files): the pipeline without and with a model to fit, vs reading and parsing the same files synchronously
 *   (the floor) and 64 at a time with promises;
 * - the spill of two-pass runs alone: prepared objects written once and read twice, µs per object;
 * - peak RSS of whole runs in a fresh process (mirror mode): streaming at N (and at 100k when N is larger),
 *   Dawid-Skene at N;
 * - the fit time of Dawid-Skene and of hierarchical-ds (the default for categorical fields) on the same 100k answers,
 *   4 classes, 100 iterations: `--fit-rounds` rounds (default 7), alternating, median and range.
 *
 * Throughput figures are the median and range of `--rounds` paired rounds (default 3).
 *
 * `--parts fit,spill,s3,latency,s3rver,mirror,rss` runs only those parts (default: all).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseArgs, promisify } from 'node:util';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { consolidate } from '../src/index.js';
import { readLines } from '../src/io/lines.js';
import { createS3Client } from '../src/io/s3/s3-client.js';
import { mapOrdered } from '../src/pipeline/ordered-map.js';
import { prepareLine, type Prepared } from '../src/pipeline/prepare.js';
import { Spill } from '../src/pipeline/spill.js';
import { seededRandom } from '../src/random.js';
import { AnswerTableBuilder } from '../strategies/answer-table.js';
import { fitDawidSkene } from '../strategies/dawid-skene.js';
import { fitHierarchical, hierarchicalDawidSkene } from '../strategies/hierarchical-ds.js';
import { s3rverEnv, startS3Server } from '../sample-output/s3-server.js';
import { bucket, jobName, manifestKey, manifestLine, responseKey, workerResponse } from './synthetic-job.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// s3rver's fixed credentials (the in-repo server accepts any); never probe the instance-metadata address.
const credentials = { ...s3rverEnv };
Object.assign(process.env, credentials);

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    's3-objects': { type: 'string', default: '10000' },
    'latency-ms': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'fit-rounds': { type: 'string', default: '7' },
    parts: { type: 'string' },
  },
});
const objects = Number(values.objects);
const s3Objects = Math.min(objects, Number(values['s3-objects']));
const latencyMs = Number(values['latency-ms']);
const rounds = Number(values.rounds);
const fitRounds = Number(values['fit-rounds']);
const allParts = ['fit', 'spill', 's3', 'latency', 's3rver', 'mirror', 'rss'];
const parts = new Set(values.parts?.split(',') ?? allParts);
for (const part of parts) if (!allParts.includes(part)) throw new Error(`--parts: unknown part "${part}" (known: ${allParts.join(', ')})`);
const repo = path.resolve(import.meta.dirname, '..');
const manifestUri = `s3://${bucket}/${manifestKey}`;

const report: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, objects, s3Objects, latencyMs, rounds, fitRounds, parts: [...parts] };
const table: Record<string, Record<string, number>> = {};
const say = (message: string) => process.stderr.write(`${message}\n`);
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

/** Objects per second of one contender over the rounds: the median, and the range around it. */
interface Rate { median: number; min: number; max: number }

/**
 * Every contender run `rounds` times, alternating so drift hits all alike; the median and the range of each (a best-of
 * on this shared machine once gave one configuration both 920 and 1,351 objects/s in the same run).
 */
async function paired(count: number, contenders: Record<string, () => Promise<unknown>>): Promise<Record<string, Rate>> {
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      await run();
      rates[name]!.push(count / ((performance.now() - start) / 1000));
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([name, all]) => [name, {
    median: Math.round(median(all)), min: Math.round(Math.min(...all)), max: Math.round(Math.max(...all)),
  }]));
}

/** A table row for a rate: median and range, and its ratio of medians to `baseline` when given. */
const rateRow = (rate: Rate, baseline?: Rate) => ({
  'objects/s': rate.median, min: rate.min, max: rate.max, ...(baseline && { ratio: ratio(rate.median, baseline.median) }),
});

/** The ceiling: every ref of the manifest fetched with `read` and parsed, `width` at a time, nothing else. */
async function readAndParse(manifest: Readable, read: (key: string) => Promise<string>, width: number): Promise<void> {
  for await (const _ of mapOrdered(readLines(manifest), width, async ({ text }) => {
    const ref = (JSON.parse(text)[`${jobName}-metadata`] as { 'worker-response-ref': string })['worker-response-ref'];
    return (JSON.parse(await read(ref.slice(`s3://${bucket}/`.length))) as { answers: unknown[] }).answers.length;
  }));
}

/** The mirror floor: what a user's script does, one file after the other with `readFileSync`, no concurrency. */
async function readAndParseSync(manifest: Readable, file: (key: string) => string): Promise<void> {
  for await (const { text } of readLines(manifest)) {
    const ref = (JSON.parse(text)[`${jobName}-metadata`] as { 'worker-response-ref': string })['worker-response-ref'];
    (JSON.parse(readFileSync(file(ref.slice(`s3://${bucket}/`.length)), 'utf8')) as { answers: unknown[] }).answers.length;
  }
}

const s3Getter = (client: S3Client) => async (key: string) =>
  (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

async function startSynthetic(count: number, latency: number): Promise<{ endpoint: string; stop: () => Promise<void> }> {
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

/** S3 mode: the ceiling and the pipeline with one client at concurrency `width`. */
async function s3Mode(endpoint: string, count: number, width: number) {
  const client = createS3Client({ endpointUrl: endpoint, maxSockets: width });
  const read = s3Getter(client);
  try {
    return await paired(count, {
      ceiling: async () => readAndParse(Readable.from([await read(manifestKey)]), read, width),
      pipeline: () => consolidate({ manifest: manifestUri, out: path.join(dir, 's3.manifest'), s3Client: client, concurrency: width }),
    });
  } finally {
    client.destroy();
  }
}

/** Peak RSS (MiB) of a whole run in a fresh Node process, from the built package. */
async function peakRss(options: Record<string, unknown>): Promise<number> {
  const script = `import { consolidate } from ${JSON.stringify(path.join(repo, 'dist/src/index.js'))};
    await consolidate(${JSON.stringify(options)});
    console.log(process.resourceUsage().maxRSS);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...credentials } });
  return Math.round(Number(stdout.trim()) / 1024);
}

/** 20k objects × 5 answers from 200 workers of accuracy 0.6–0.95, 4 classes, seeded. */
function syntheticAnswerTable() {
  const random = seededRandom(42);
  const accuracy = Array.from({ length: 200 }, () => 0.6 + 0.35 * random());
  const builder = new AnswerTableBuilder();
  for (let t = 0; t < 20_000; t += 1) {
    const truth = Math.floor(random() * 4);
    builder.addObject(Array.from({ length: 5 }, () => {
      const w = Math.floor(random() * 200);
      return [`w${w}`, `c${random() < accuracy[w]! ? truth : Math.floor(random() * 4)}`] as const;
    }));
  }
  return builder.build();
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** E-steps of every timed fit: `tol: 0` runs them all, so both models do the same number. */
const fitIterations = 100;

/** Each model fitted `fitRounds` times on the same table, alternating so drift hits both alike. */
function modelFits() {
  const table = syntheticAnswerTable();
  const hierarchical = hierarchicalDawidSkene.options.parse({ maxIterations: fitIterations, tol: 0 });
  const fits: Record<string, () => unknown> = {
    'dawid-skene': () => fitDawidSkene(table, { maxIterations: fitIterations, tol: 0 }),
    'hierarchical-ds': () => fitHierarchical(table, hierarchical),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fits).map((name) => [name, []]));
  for (let round = 0; round < fitRounds; round += 1) {
    for (const [name, fit] of Object.entries(fits)) {
      const start = performance.now();
      fit();
      times[name]!.push(performance.now() - start);
    }
  }
  const summary = (ms: number[]) => ({ medianMs: Math.round(median(ms)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)) });
  return {
    answers: table.answerCount, classes: table.labels.length, iterations: fitIterations, rounds: fitRounds,
    'dawid-skene': summary(times['dawid-skene']!),
    'hierarchical-ds': summary(times['hierarchical-ds']!),
    ratio: ratio(median(times['hierarchical-ds']!), median(times['dawid-skene']!)),
  };
}

/**
 * The spill of a two-pass run on its own: `objects` prepared lines of the synthetic job (responses from memory) written,
 * then read twice (fit, decide), `rounds` times; microseconds per object, median and range.
 */
async function spillRounds() {
  const prepared: Prepared[] = [];
  for (let index = 0; index < objects; index += 1) {
    prepared.push(await prepareLine({ number: index + 1, text: manifestLine(index) }, {
      maxResponseBytes: Infinity, readResponse: async () => Buffer.from(workerResponse(index)),
    }));
  }
  const perObject: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    const spill = await Spill.create();
    try {
      for (const line of prepared) await spill.write(line);
      for (let pass = 0; pass < 2; pass += 1) for await (const _ of spill.read());
    } finally {
      await spill.remove();
    }
    perObject.push(((performance.now() - start) * 1000) / objects);
  }
  return { medianUs: Number(median(perObject).toFixed(1)), minUs: Number(Math.min(...perObject).toFixed(1)), maxUs: Number(Math.max(...perObject).toFixed(1)) };
}

/** Writes the synthetic job as files in Ground Truth's layout, for mirror mode and s3rver. */
async function writeJob(root: string, count: number): Promise<string> {
  const limit = pLimit(32);
  await Promise.all(Array.from({ length: count }, (_, index) => limit(async () => {
    const file = path.join(root, responseKey(index));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, workerResponse(index));
  })));
  const manifest = path.join(root, manifestKey);
  await mkdir(path.dirname(manifest), { recursive: true });
  await writeManifest(manifest, count);
  return manifest;
}

/** The first `count` manifest lines, streamed (a million lines do not fit one string). */
async function writeManifest(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  for (let index = 0; index < count; index += 1) {
    if (!out.write(manifestLine(index) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function writeLocalJob(): Promise<string> {
  say(`writing ${objects} objects as files …`);
  return writeJob(path.join(dir, 'local'), objects);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-bench-'));
try {
  if (parts.has('fit')) {
    say(`model fits, ${fitRounds} rounds …`);
    const fits = modelFits();
    report.modelFit = fits;
    for (const model of ['dawid-skene', 'hierarchical-ds'] as const) {
      table[`${model} fit: ${fits.answers / 1000}k answers, ${fits.classes} classes, ${fits.iterations} iterations`] = {
        'median ms': fits[model].medianMs, 'min ms': fits[model].minMs, 'max ms': fits[model].maxMs,
        ...(model === 'hierarchical-ds' && { ratio: fits.ratio }),
      };
    }
  }

  if (parts.has('spill')) {
    say(`spill: ${objects} prepared objects written and read twice, ${rounds} rounds …`);
    report.spill = await spillRounds();
    table[`spill: write + 2 reads, ${objects} objects (µs/object)`] = report.spill as Record<string, number>;
  }

  if (parts.has('s3')) {
    say(`S3 mode against the in-repo server, ${s3Objects} objects, concurrency 16/64/256 …`);
    const fast = await startSynthetic(s3Objects, 0);
    try {
      const sweep: Record<string, unknown> = {};
      for (const width of [16, 64, 256]) {
        const rates = await s3Mode(fast.endpoint, s3Objects, width);
        sweep[`concurrency${width}`] = { ...rates, ratio: ratio(rates.pipeline!.median, rates.ceiling!.median) };
        table[`S3 c=${width}: raw GetObject + parse (ceiling)`] = rateRow(rates.ceiling!);
        table[`S3 c=${width}: gt-consolidate`] = rateRow(rates.pipeline!, rates.ceiling!);
      }
      report.s3 = sweep;

      // The fetch-and-parse stage on worker threads (each with its own client), against the main thread alone.
      const threads = await paired(s3Objects, Object.fromEntries([0, 1, 2].map((workers) => [`workers${workers}`, () => consolidate({
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

  if (parts.has('latency')) {
    say(`latency mode: ${latencyMs} ms per request, ${s3Objects} objects …`);
    const slow = await startSynthetic(s3Objects, latencyMs);
    try {
      const rates = await s3Mode(slow.endpoint, s3Objects, 64);
      const latency: Record<string, unknown> = { ...rates, ratioToCeiling: ratio(rates.pipeline!.median, rates.ceiling!.median) };
      table[`latency ${latencyMs} ms, c=64: raw GetObject + parse (ceiling)`] = rateRow(rates.ceiling!);
      table[`latency ${latencyMs} ms, c=64: gt-consolidate`] = rateRow(rates.pipeline!, rates.ceiling!);
      try {
        const { stdout } = await promisify(execFile)('python3', [path.join(repo, 'bench/boto3_baseline.py'), slow.endpoint, bucket, manifestKey, '32']);
        const boto3 = JSON.parse(stdout) as { objectsPerSecond: number };
        latency.boto3 = Math.round(boto3.objectsPerSecond);
        latency.ratioToBoto3 = ratio(rates.pipeline!.median, boto3.objectsPerSecond);
        table[`latency ${latencyMs} ms: boto3, 32 threads`] = { 'objects/s': Math.round(boto3.objectsPerSecond) };
        table[`latency ${latencyMs} ms: gt-consolidate / boto3`] = { ratio: ratio(rates.pipeline!.median, boto3.objectsPerSecond) };
      } catch (error) {
        say(`boto3 baseline skipped: ${(error as Error).message.split('\n')[0]}`);
        latency.boto3 = 'skipped';
      }
      report.latency = latency;
    } finally {
      await slow.stop();
    }
  }

  if (parts.has('s3rver')) {
    say(`S3 mode against s3rver, ${Math.min(s3Objects, 2000)} objects …`);
    const count = Math.min(s3Objects, 2000);
    await writeJob(path.join(dir, 's3rver'), count);
    const s3rver = await startS3Server([bucket]);
    try {
      await s3rver.uploadTree(path.join(dir, 's3rver', 'out'), bucket, 'out/');
      const rates = await s3Mode(s3rver.endpoint, count, 64);
      report.s3rver = { ...rates, ratio: ratio(rates.pipeline!.median, rates.ceiling!.median) };
      table['s3rver c=64: raw GetObject + parse (ceiling)'] = rateRow(rates.ceiling!);
      table['s3rver c=64: gt-consolidate'] = rateRow(rates.pipeline!, rates.ceiling!);
    } finally {
      await s3rver.stop();
    }
  }

  // Mirror mode and the RSS runs read the same job, written as files once.
  const local = parts.has('mirror') || parts.has('rss') ? await writeLocalJob() : undefined;
  if (local && parts.has('mirror')) {
    say('mirror mode …');
    const jobDir = path.join(dir, 'local', 'out', jobName);
    const response = (key: string) => path.join(jobDir, key.slice(key.indexOf('/annotations/') + 1));
    const out = path.join(dir, 'local.manifest');
    const mirror = await paired(objects, {
      // The floor: the manifest streamed, each worker response read and parsed synchronously, one after the other.
      floor: () => readAndParseSync(createReadStream(local), response),
      'async read + parse': () => readAndParse(createReadStream(local), (key) => readFile(response(key), 'utf8'), 64),
      // No model to fit: the spill is written and read once, to decide.
      pipeline: () => consolidate({ manifest: local, out, concurrency: 64, fields: { sentiment: { strategy: 'majority-vote' } } }),
      // A model to fit (the default for categorical fields is one too): the spill is read twice, to fit and to decide.
      'two-pass': () => consolidate({ manifest: local, out, concurrency: 64, fields: { sentiment: { strategy: 'dawid-skene' } } }),
    });
    // Time, not rate: how much longer a run that fits a model takes than one that does not (issue 13: ≤ 1.15 at 1M).
    const twoPassOverhead = ratio(mirror.pipeline!.median, mirror['two-pass']!.median);
    report.mirror = { ...mirror, ratio: ratio(mirror.pipeline!.median, mirror.floor!.median), twoPassOverhead };
    table['mirror: sync read + parse (floor)'] = rateRow(mirror.floor!);
    table['mirror: async read + parse, 64 at a time'] = rateRow(mirror['async read + parse']!, mirror.floor!);
    table['mirror: gt-consolidate, no model (spill read once)'] = rateRow(mirror.pipeline!, mirror.floor!);
    table['mirror: gt-consolidate, dawid-skene (spill read twice)'] = { ...rateRow(mirror['two-pass']!, mirror.floor!), 'time ÷ no model': twoPassOverhead };
  }

  if (local && parts.has('rss')) {
    say('peak RSS of whole runs …');
    // On the mirror files (S3 mode is ~10x slower here and its client adds a constant, measured in BENCHMARKS.md).
    const rss: Record<string, number> = {};
    const runs: [number, string, string][] = [[objects, 'majority-vote', local], [objects, 'dawid-skene', local]];
    if (objects > 100_000) {
      const first = path.join(dir, 'first-100000.manifest');
      await writeManifest(first, 100_000);
      runs.unshift([100_000, 'majority-vote', first]);
    }
    for (const [count, strategy, manifest] of runs) {
      const mib = await peakRss({ manifest, out: path.join(dir, 'rss.manifest'), mirrors: [`s3://${bucket}/out/=${path.join(dir, 'local', 'out')}`], fields: { sentiment: { strategy } } });
      rss[`${strategy}, ${count} objects`] = mib;
      table[`peak RSS: ${strategy}, ${count} objects (MiB)`] = { MiB: mib };
    }
    report.peakRssMiB = rss;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.table(table);
console.log(JSON.stringify(report));
await mkdir(path.join(repo, 'bench/results'), { recursive: true });
await writeFile(path.join(repo, 'bench/results/latest.json'), JSON.stringify(report, null, 2) + '\n');
