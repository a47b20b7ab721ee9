/**
 * `npm run bench [-- --objects N --s3-objects M --rounds R]`: throughput of the whole pipeline against a baseline
 * measured in the same run on the same data, so the ratio holds on a shared, noisy machine:
 * - mirror mode (local files): the pipeline vs reading the manifest and reading and parsing every worker response
 *   with the same concurrency (no normalising, deciding or writing);
 * - S3 mode (s3rver on loopback, started here): the pipeline vs the raw GetObject rate of the same client at the same
 *   concurrency on the same objects (read and JSON.parse each), at concurrency 16 and 64.
 * On loopback the server, not the client, is usually the cap; the ratio is what to watch.
 * Also: Dawid-Skene's fit time on 100k answers (4 classes, 100 iterations), and the peak RSS of whole runs (in a child
 * process, so this script's own synthetic job does not count) with majority vote (one pass) and Dawid-Skene (two).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AnswerTableBuilder } from '../strategies/answer-table.js';
import { fitDawidSkene } from '../strategies/dawid-skene.js';
import { seededRandom } from '../src/pipeline/random.js';
import { consolidate } from '../src/index.js';
import { readLines } from '../src/io/lines.js';
import { mapOrdered } from '../src/pipeline/ordered-map.js';
import { writeJobTree, type JobObject } from '../test/helpers/gt-job-tree.js';
import { startS3Server } from '../test/helpers/s3-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '20000' },
    's3-objects': { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
  },
});
const objects = Number(values.objects);
const s3Objects = Number(values['s3-objects']);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

/** 3-5 answers per object of mixed shapes: a classifier, a slider, a checkbox group and sometimes a comment. */
function syntheticObjects(count: number): JobObject[] {
  const labels = ['positive', 'negative', 'neutral'];
  return Array.from({ length: count }, (_, i) => ({
    data: { source: `Synthetic object ${i}: a short customer message to label.` },
    answers: Array.from({ length: 3 + (i % 3) }, (_, w) => ({
      workerId: `private.us-east-1.${((i * 7 + w) % 40).toString(16).padStart(16, '0')}`,
      acceptanceTime: '2025-03-08T13:24:54.282Z',
      submissionTime: '2025-03-08T13:26:50.009Z',
      timeSpentInSeconds: 115.727,
      answerContent: {
        sentiment: { label: labels[(i + (w === 2 ? 1 : 0)) % 3]! },
        accuracy: 1 + ((i + w) % 5),
        issues: { grammar: w % 2 === 0, factual: i % 4 === 0, other: false },
        ...(w === 0 && { comment: 'The response misses one detail of the message.' }),
      },
    })),
  }));
}

/** Reads every line's worker response with `read` and parses it, at the given concurrency, in order. */
async function readAndParse(manifest: string, read: (ref: string) => Promise<string>, width: number): Promise<void> {
  for await (const _ of mapOrdered(readLines(createReadStream(manifest)), width, async ({ text }) => {
    const ref = (JSON.parse(text)['bench-metadata'] as { 'worker-response-ref': string })['worker-response-ref'];
    return (JSON.parse(await read(ref)) as { answers: unknown[] }).answers.length;
  }));
}

/** Objects per second of the best of `rounds` runs; the two contenders alternate so drift hits both alike. */
async function compare(count: number, baseline: () => Promise<unknown>, pipeline: () => Promise<unknown>) {
  const rate = async (run: () => Promise<unknown>) => {
    const start = performance.now();
    await run();
    return count / ((performance.now() - start) / 1000);
  };
  let best = { baseline: 0, pipeline: 0 };
  for (let round = 0; round < rounds; round += 1) {
    best = { baseline: Math.max(best.baseline, await rate(baseline)), pipeline: Math.max(best.pipeline, await rate(pipeline)) };
  }
  return {
    baselineObjectsPerSecond: Math.round(best.baseline),
    pipelineObjectsPerSecond: Math.round(best.pipeline),
    ratio: Number((best.pipeline / best.baseline).toFixed(3)),
  };
}

/** Fits Dawid-Skene with a fixed 100 iterations on synthetic answers: workers 60-95% accurate, errors uniform. */
function dawidSkeneFit(objectCount: number, perObject: number, classes: number, workers: number) {
  const random = seededRandom(42);
  const accuracy = Array.from({ length: workers }, () => 0.6 + 0.35 * random());
  const builder = new AnswerTableBuilder();
  for (let t = 0; t < objectCount; t += 1) {
    const truth = Math.floor(random() * classes);
    builder.addObject(Array.from({ length: perObject }, () => {
      const w = Math.floor(random() * workers);
      const label = random() < accuracy[w]! ? truth : Math.floor(random() * classes);
      return [`w${w}`, `c${label}`] as const;
    }));
  }
  const table = builder.build();
  const start = performance.now();
  const model = fitDawidSkene(table, { maxIterations: 100, tol: 0 });
  return { answers: table.answerCount, iterations: model.iterations, ms: Math.round(performance.now() - start) };
}

/** Peak RSS (MiB) of a whole run in a fresh Node process, from the built package. */
async function peakRssOfRun(manifest: string, out: string, strategy: string): Promise<number> {
  const script = `import { consolidate } from ${JSON.stringify(path.resolve('dist/src/index.js'))};
    await consolidate({ manifest: ${JSON.stringify(manifest)}, out: ${JSON.stringify(out)}, fields: { sentiment: { strategy: ${JSON.stringify(strategy)} } } });
    console.log(process.resourceUsage().maxRSS);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return Math.round(Number(stdout.trim()) / 1024);
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-bench-'));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
try {
  const report: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, objects, s3Objects, concurrency, rounds };
  const table: Record<string, Record<string, number>> = {};

  process.stderr.write(`mirror mode: writing a synthetic job of ${objects} objects …\n`);
  const local = await writeJobTree({ root: path.join(dir, 'local'), jobName: 'bench', bucket: 'bench', prefix: 'out' }, syntheticObjects(objects));
  const jobDir = path.join(dir, 'local/bench');
  const mirror = await compare(objects,
    () => readAndParse(local, (ref) => readFile(path.join(jobDir, ref.slice(ref.indexOf('/annotations/') + 1)), 'utf8'), concurrency),
    () => consolidate({ manifest: local, out: path.join(dir, 'local.manifest'), concurrency }));
  report.mirror = mirror;
  table['mirror: read + parse only'] = { 'objects/s': mirror.baselineObjectsPerSecond };
  table['mirror: gt-consolidate'] = { 'objects/s': mirror.pipelineObjectsPerSecond, ratio: mirror.ratio };

  process.stderr.write('Dawid-Skene fit on 100k answers …\n');
  const fit = dawidSkeneFit(20_000, 5, 4, 200);
  report.dawidSkeneFit = fit;
  table['dawid-skene fit, 100k answers, 4 classes, 100 iterations'] = { ms: fit.ms };

  for (const strategy of ['majority-vote', 'dawid-skene']) {
    const rss = await peakRssOfRun(local, path.join(dir, `rss-${strategy}.manifest`), strategy);
    report[`peakRssMiB_${strategy}`] = rss;
    table[`peak RSS MiB, ${objects} objects, ${strategy}`] = { MiB: rss };
  }

  process.stderr.write(`S3 mode: uploading a job of ${s3Objects} objects to s3rver …\n`);
  const s3 = await startS3Server(['bench']);
  try {
    const manifest = await writeJobTree({ root: path.join(dir, 's3'), jobName: 'bench', bucket: 'bench', prefix: 'out' }, syntheticObjects(s3Objects));
    await s3.uploadTree(path.join(dir, 's3'), 'bench', 'out/');
    const s3Report: Record<string, unknown> = {};
    for (const width of [16, 64]) {
      const client = s3.client({ maxSockets: width });
      const get = async (ref: string) => {
        const key = ref.slice('s3://bench/'.length);
        return (await client.send(new GetObjectCommand({ Bucket: 'bench', Key: key }))).Body!.transformToString();
      };
      const result = await compare(s3Objects, () => readAndParse(manifest, get, width),
        () => consolidate({ manifest: 's3://bench/out/bench/manifests/output/output.manifest', out: path.join(dir, 's3.manifest'), s3Client: client, concurrency: width }));
      client.destroy();
      s3Report[`concurrency${width}`] = result;
      table[`S3 c=${width}: raw GetObject + parse`] = { 'objects/s': result.baselineObjectsPerSecond };
      table[`S3 c=${width}: gt-consolidate`] = { 'objects/s': result.pipelineObjectsPerSecond, ratio: result.ratio };
    }
    report.s3 = s3Report;
  } finally {
    await s3.stop();
  }
  report.peakRssMiB = Math.round(peakRss / 2 ** 20);
  console.table(table);
  console.log(JSON.stringify(report));
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
