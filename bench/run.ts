/**
 * `npm run bench [-- --objects N --concurrency C]`: mirror-mode throughput of the whole pipeline against a baseline,
 * measured in the same run on the same files: reading the manifest and reading and parsing every worker response
 * with the same concurrency, but no normalising, deciding or writing. The ratio is what to watch; absolute numbers
 * move with the machine.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { consolidate } from '../src/index.js';
import { readLines } from '../src/io/lines.js';
import { mapOrdered } from '../src/pipeline/ordered-map.js';
import { writeJobTree, type JobObject } from '../test/helpers/gt-job-tree.js';

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '64' }, rounds: { type: 'string', default: '3' } },
});
const objects = Number(values.objects);
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

async function baseline(manifest: string, jobDir: string): Promise<number> {
  let parsed = 0;
  const lines = readLines(createReadStream(manifest));
  for await (const answers of mapOrdered(lines, concurrency, async ({ text }) => {
    const ref = (JSON.parse(text)['bench-metadata'] as { 'worker-response-ref': string })['worker-response-ref'];
    const relative = ref.slice(ref.indexOf('/annotations/') + 1);
    return (JSON.parse(await readFile(path.join(jobDir, relative), 'utf8')) as { answers: unknown[] }).answers.length;
  })) parsed += answers;
  return parsed;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'gt-bench-'));
try {
  process.stderr.write(`writing a synthetic job of ${objects} objects in ${dir} …\n`);
  const manifest = await writeJobTree({ root: dir, jobName: 'bench', bucket: 'bench-bucket', prefix: 'out' }, syntheticObjects(objects));
  const jobDir = path.join(dir, 'bench');
  const results = { baseline: [] as number[], pipeline: [] as number[] };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  // Alternate the two so drift on a shared machine hits both alike; report the best round of each.
  for (let round = 0; round < rounds; round += 1) {
    results.baseline.push(objects / await timed(() => baseline(manifest, jobDir)));
    results.pipeline.push(objects / await timed(() => consolidate({ manifest, out: path.join(dir, 'out.manifest'), concurrency })));
  }
  clearInterval(sampler);
  const best = (xs: number[]) => Math.max(...xs);
  const report = {
    node: process.version,
    cpus: os.cpus().length,
    objects,
    concurrency,
    rounds,
    mirror: {
      baselineObjectsPerSecond: Math.round(best(results.baseline)),
      pipelineObjectsPerSecond: Math.round(best(results.pipeline)),
      ratio: Number((best(results.pipeline) / best(results.baseline)).toFixed(3)),
    },
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  };
  console.table({
    'read + parse only (baseline)': { 'objects/s': report.mirror.baselineObjectsPerSecond },
    'gt-consolidate run (mirror)': { 'objects/s': report.mirror.pipelineObjectsPerSecond, 'ratio to baseline': report.mirror.ratio },
  });
  console.log(JSON.stringify(report));
} finally {
  await rm(dir, { recursive: true, force: true });
}
