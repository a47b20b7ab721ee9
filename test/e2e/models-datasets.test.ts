/**
 * Verification of the model-based strategies (dawid-skene, one-coin, wawa) on real crowd data, through the whole
 * pipeline (job tree → `consolidate` → output manifest): the correct counts of `test/fixtures/datasets/README.md` §5 and
 * `shared/reference/consolidation-algorithms.md` §1.5–§1.6, the EM stopping rule, gold scoring (`summary.gold`), the
 * per-worker report, and the two-pass path (every object kept, in input order, each worker response fetched once).
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { consolidate, type ConsolidateOptions, type Summary } from '../../src/index.js';
import { loadBluebirds, loadDSentiment, loadSnowRte, votesByTask, writeDatasetJobTree, type CrowdDataset } from '../helpers/crowd-datasets.js';

const datasetsDir = path.resolve(import.meta.dirname, '../fixtures/datasets');

type Name = 'd_sentiment' | 'snow2008_rte' | 'd_Duck_Identification';

interface Reference {
  name: Name;
  load: (dir: string) => Promise<CrowdDataset>;
  tasks: number;
  workers: number;
  /** DS converged (crowd-kit `DawidSkene` run to convergence, §1.6): correct / tasks. */
  dawidSkene: number;
  /** crowd-kit `Wawa` (§1.5). */
  wawa: number;
  /** crowd-kit `OneCoinDawidSkene` (§1.5), and how far ours may be from it (its early-stop rule differs). */
  oneCoin: { correct: number; tolerance: number };
}

const references: Reference[] = [
  { name: 'd_sentiment', load: loadDSentiment, tasks: 1_000, workers: 85, dawidSkene: 960, wawa: 951, oneCoin: { correct: 949, tolerance: 2 } },
  { name: 'snow2008_rte', load: loadSnowRte, tasks: 800, workers: 164, dawidSkene: 742, wawa: 737, oneCoin: { correct: 740, tolerance: 0 } },
  { name: 'd_Duck_Identification', load: loadBluebirds, tasks: 108, workers: 39, dawidSkene: 97, wawa: 82, oneCoin: { correct: 63, tolerance: 0 } },
];

/** Job names (and so label attributes) as Ground Truth allows them: lowercase letters, digits and hyphens. */
const jobNameOf = (name: Name): string => `models-${name.toLowerCase().replace(/_/g, '-')}`;

interface Job {
  data: CrowdDataset;
  /** The output manifest of the job tree. */
  manifest: string;
  /** Gold labels as `key,label` CSV and as `{key,label}` JSON Lines. */
  goldCsv: string;
  goldJsonl: string;
}

let root: string;
const jobs = new Map<Name, Job>();
const job = (name: Name): Job => jobs.get(name)!;

// Every dataset is loaded and laid out as a job tree once, with its gold files; the runs below share them.
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'gt-consolidate-models-'));
  await mkdir(path.join(root, 'gold'), { recursive: true });
  await Promise.all(references.map(async ({ name, load }) => {
    const data = await load(datasetsDir);
    const manifest = await writeDatasetJobTree(data, { root: path.join(root, 'jobs'), jobName: jobNameOf(name) });
    const goldCsv = path.join(root, 'gold', `${name}.csv`);
    const goldJsonl = path.join(root, 'gold', `${name}.jsonl`);
    await writeFile(goldCsv, ['key,label', ...[...data.gold].map(([key, label]) => `${key},${label}`)].join('\n') + '\n');
    await writeFile(goldJsonl, [...data.gold].map(([key, label]) => JSON.stringify({ key, label })).join('\n') + '\n');
    jobs.set(name, { data, manifest, goldCsv, goldJsonl });
  }));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

interface OutputObject {
  task: string;
  /** `line[<label attribute>].answer.label` */
  label: string | undefined;
  strategy: string;
  iterations: number | undefined;
  posterior: Record<string, number> | undefined;
}

interface Run {
  summary: Summary;
  lines: Record<string, unknown>[];
  objects: OutputObject[];
  out: string;
}

function readOutput(name: Name, text: string): { lines: Record<string, unknown>[]; objects: OutputObject[] } {
  const labelAttribute = jobNameOf(name);
  const lines = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  const objects = lines.map((json): OutputObject => {
    const label = json[labelAttribute] as { answer?: { label: string } };
    const metadata = json[`${labelAttribute}-metadata`] as {
      consolidation: { answer: { strategy: string; iterations?: number; posterior?: Record<string, number> } };
    };
    const field = metadata.consolidation.answer;
    return { task: json.task as string, label: label.answer?.label, strategy: field.strategy, iterations: field.iterations, posterior: field.posterior };
  });
  return { lines, objects };
}

// One run per key, shared by the tests that read it.
const runs = new Map<string, Promise<Run>>();
function run(key: string, name: Name, options: (job: Job) => Omit<ConsolidateOptions, 'manifest' | 'out'>): Promise<Run> {
  let promise = runs.get(key);
  if (!promise) {
    promise = (async () => {
      const out = path.join(root, 'out', `${key}.manifest`);
      const summary = await consolidate({ ...options(job(name)), manifest: job(name).manifest, out });
      return { summary, out, ...readOutput(name, await readFile(out, 'utf8')) };
    })();
    runs.set(key, promise);
  }
  return promise;
}

/** DS with its default options, scored against the CSV gold. */
const dawidSkeneDefaults = (name: Name) => run(`${name}-ds-defaults`, name, ({ goldCsv }) => ({
  fields: { answer: { strategy: 'dawid-skene' } },
  gold: goldCsv,
}));
const dawidSkeneFixed = (name: Name) => run(`${name}-ds-fixed-100`, name, () => ({
  fields: { answer: { strategy: 'dawid-skene', maxIterations: 100, tol: 0 } },
}));
const wawa = (name: Name) => run(`${name}-wawa`, name, () => ({ fields: { answer: { strategy: 'wawa' } } }));
const oneCoin = (name: Name) => run(`${name}-one-coin`, name, () => ({ fields: { answer: { strategy: 'one-coin' } } }));

const correctOf = (name: Name, objects: readonly OutputObject[]): number =>
  objects.filter((o) => o.label !== undefined && o.label === job(name).data.gold.get(o.task)).length;

/** Every task of the dataset consolidated once, with a label, nothing rejected. */
function expectComplete(ref: Reference, { summary, objects }: Run, strategy: string): void {
  expect(summary.lines).toEqual({ read: ref.tasks, consolidated: ref.tasks, failedInJob: 0, rejected: 0, blank: 0 });
  expect(summary.workers).toBe(ref.workers);
  expect(summary.fields.answer).toMatchObject({ strategy, objects: ref.tasks, unresolved: 0 });
  expect(objects).toHaveLength(ref.tasks);
  expect(new Set(objects.map((o) => o.task))).toEqual(new Set(job(ref.name).data.gold.keys()));
  expect(objects.every((o) => o.strategy === strategy && o.label !== undefined)).toBe(true);
}

describe.each(references)('dawid-skene on $name (converged: $dawidSkene correct)', (ref) => {
  it(`defaults: ${ref.dawidSkene}/${ref.tasks} correct, stopping early (< 100 iterations)`, async () => {
    const result = await dawidSkeneDefaults(ref.name);
    expectComplete(ref, result, 'dawid-skene');
    expect(correctOf(ref.name, result.objects)).toBe(ref.dawidSkene);
    const iterations = new Set(result.objects.map((o) => o.iterations));
    expect(iterations.size).toBe(1);
    const [count] = iterations;
    expect(count).toBeGreaterThan(1);
    expect(count).toBeLessThan(100);
    // Posteriors are distributions over the two labels, and the label is their first maximum.
    for (const { posterior, label } of result.objects) {
      expect(Object.keys(posterior!).sort()).toEqual(['0', '1']);
      expect(posterior!['0']! + posterior!['1']!).toBeCloseTo(1, 12);
      expect(label).toBe(posterior!['1']! > posterior!['0']! ? '1' : '0');
    }
  });

  it(`maxIterations 100, tol 0: ${ref.dawidSkene}/${ref.tasks} correct after exactly 100 iterations`, async () => {
    const result = await dawidSkeneFixed(ref.name);
    expectComplete(ref, result, 'dawid-skene');
    expect(correctOf(ref.name, result.objects)).toBe(ref.dawidSkene);
    expect(new Set(result.objects.map((o) => o.iterations))).toEqual(new Set([100]));
  });
});

describe.each(references)('wawa on $name (crowd-kit: $wawa correct)', (ref) => {
  it(`${ref.wawa}/${ref.tasks} correct`, async () => {
    const result = await wawa(ref.name);
    expectComplete(ref, result, 'wawa');
    expect(correctOf(ref.name, result.objects)).toBe(ref.wawa);
    expect(result.summary.gold).toBeUndefined();
  });
});

describe.each(references)('one-coin on $name (crowd-kit: $oneCoin.correct correct)', (ref) => {
  const { correct, tolerance } = ref.oneCoin;
  it(tolerance === 0 ? `${correct}/${ref.tasks} correct` : `${correct} ± ${tolerance} of ${ref.tasks} correct`, async () => {
    const result = await oneCoin(ref.name);
    expectComplete(ref, result, 'one-coin');
    const ours = correctOf(ref.name, result.objects);
    if (tolerance === 0) expect(ours).toBe(correct);
    else expect(Math.abs(ours - correct)).toBeLessThanOrEqual(tolerance);
  });
});

describe('gold scoring (summary.gold)', () => {
  it.each(references)('$name: CSV gold scores the dawid-skene labels as the test does ($dawidSkene correct)', async (ref) => {
    const { summary, objects } = await dawidSkeneDefaults(ref.name);
    const correct = correctOf(ref.name, objects);
    expect(correct).toBe(ref.dawidSkene);
    expect(summary.gold).toEqual({ answer: { objects: ref.tasks, correct, accuracy: correct / ref.tasks } });
  });

  it('d_sentiment: JSON Lines gold gives the same as CSV gold (960/1000)', async () => {
    const jsonl = await run('d_sentiment-ds-gold-jsonl', 'd_sentiment', ({ goldJsonl }) => ({
      fields: { answer: { strategy: 'dawid-skene' } },
      gold: goldJsonl,
    }));
    const csv = await dawidSkeneDefaults('d_sentiment');
    expect(jsonl.summary.gold).toEqual({ answer: { objects: 1_000, correct: 960, accuracy: 0.96 } });
    expect(jsonl.summary.gold).toEqual(csv.summary.gold);
    expect(jsonl.objects.map((o) => o.label)).toEqual(csv.objects.map((o) => o.label));
  });
});

interface ReportRow {
  workerId: string;
  objects: number;
  agreement?: number;
  goldAnswers: number;
  goldAccuracy?: number;
  models: Record<string, { accuracy: number; confusion?: number[][]; labels: string[] }>;
}

describe('worker report: dawid-skene on d_Duck_Identification (39 workers × 108 images)', () => {
  const name: Name = 'd_Duck_Identification';
  const withReport = (extension: 'csv' | 'jsonl') => run(`${name}-ds-report-${extension}`, name, ({ goldCsv }) => ({
    fields: { answer: { strategy: 'dawid-skene' } },
    gold: goldCsv,
    workersReport: path.join(root, 'reports', `${name}-workers.${extension}`),
  }));

  /** Per worker: accuracy against truth.csv and agreement with the run's consolidated labels, from the dataset. */
  function expectedPerWorker(objects: readonly OutputObject[]): Map<string, { answers: number; goldAccuracy: number; agreement: number }> {
    const { data } = job(name);
    const consolidated = new Map(objects.map((o) => [o.task, o.label]));
    const tallies = new Map<string, { answers: number; gold: number; agreed: number }>();
    for (const { task, worker, label } of data.answers) {
      const tally = tallies.get(worker) ?? { answers: 0, gold: 0, agreed: 0 };
      tally.answers += 1;
      if (label === data.gold.get(task)) tally.gold += 1;
      if (label === consolidated.get(task)) tally.agreed += 1;
      tallies.set(worker, tally);
    }
    return new Map([...tallies].map(([worker, t]) => [worker, { answers: t.answers, goldAccuracy: t.gold / t.answers, agreement: t.agreed / t.answers }]));
  }

  it('JSON Lines: one row per worker with objects, gold accuracy, agreement and a 2×2 confusion matrix', async () => {
    const { objects, summary } = await withReport('jsonl');
    expect(correctOf(name, objects)).toBe(97);
    expect(summary.gold).toEqual({ answer: { objects: 108, correct: 97, accuracy: 97 / 108 } });
    const text = await readFile(path.join(root, 'reports', `${name}-workers.jsonl`), 'utf8');
    const rows = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ReportRow);
    expect(rows).toHaveLength(39);
    const expected = expectedPerWorker(objects);
    expect(new Set(rows.map((r) => r.workerId))).toEqual(new Set(expected.keys()));
    for (const row of rows) {
      const want = expected.get(row.workerId)!;
      expect(want.answers, row.workerId).toBe(108);
      expect(row.objects, row.workerId).toBe(108);
      expect(row.goldAnswers, row.workerId).toBe(108);
      expect(row.goldAccuracy, row.workerId).toBe(want.goldAccuracy);
      expect(row.agreement, row.workerId).toBe(want.agreement);
      const model = row.models.answer!;
      expect(model.labels).toEqual(['0', '1']);
      expect(model.accuracy).toBeGreaterThan(0);
      expect(model.accuracy).toBeLessThan(1);
      expect(model.confusion).toHaveLength(2);
      for (const matrixRow of model.confusion!) {
        expect(matrixRow).toHaveLength(2);
        expect(matrixRow.every((p) => p >= 0 && p <= 1)).toBe(true);
        expect(matrixRow[0]! + matrixRow[1]!).toBeCloseTo(1, 12);
      }
    }
    // The workers' accuracies differ (the point of the model): not every worker gets the same estimate.
    expect(new Set(rows.map((r) => r.models.answer!.accuracy)).size).toBeGreaterThan(1);
  });

  it('CSV: header with workerId, agreement, goldAccuracy and accuracy:answer, then 39 rows matching the JSON Lines', async () => {
    const { objects } = await withReport('csv');
    const text = await readFile(path.join(root, 'reports', `${name}-workers.csv`), 'utf8');
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toBeDefined();
    for (const column of ['workerId', 'objects', 'agreement', 'goldAnswers', 'goldAccuracy', 'accuracy:answer']) {
      expect(header).toContain(column);
    }
    expect(rows).toHaveLength(39);
    const at = (row: readonly string[], column: string): string => row[header!.indexOf(column)]!;
    const expected = expectedPerWorker(objects);
    await withReport('jsonl'); // shared with the JSON Lines test; makes sure its report exists
    const jsonl = (await readFile(path.join(root, 'reports', `${name}-workers.jsonl`), 'utf8')).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as ReportRow);
    const modelAccuracy = new Map(jsonl.map((r) => [r.workerId, r.models.answer!.accuracy]));
    expect(new Set(rows.map((row) => at(row, 'workerId')))).toEqual(new Set(expected.keys()));
    for (const row of rows) {
      const worker = at(row, 'workerId');
      const want = expected.get(worker)!;
      expect(Number(at(row, 'objects')), worker).toBe(108);
      expect(Number(at(row, 'goldAnswers')), worker).toBe(108);
      expect(Number(at(row, 'goldAccuracy')), worker).toBe(want.goldAccuracy);
      expect(Number(at(row, 'agreement')), worker).toBe(want.agreement);
      const accuracy = Number(at(row, 'accuracy:answer'));
      expect(accuracy, worker).toBeGreaterThan(0);
      expect(accuracy, worker).toBeLessThan(1);
      // DS is deterministic: the CSV run's estimate is the JSON Lines run's.
      expect(accuracy, worker).toBe(modelAccuracy.get(worker));
    }
  });
});

describe('two passes, one fetch: dawid-skene on d_Duck_Identification', () => {
  const name: Name = 'd_Duck_Identification';

  it('every task in input order, counts that add up, and each worker response fetched exactly once', async () => {
    const { manifest, data } = job(name);
    const inputText = await readFile(manifest, 'utf8');
    const inputLines = inputText.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inputLines).toHaveLength(108);

    // The manifest moved out of its job folder, so responses are read from "S3" (a local server that serves the job
    // tree path-style and counts GETs) rather than from the job's own annotations/ folder.
    const jobsDir = path.join(root, 'jobs');
    const fetchDir = path.join(root, 'fetch');
    await mkdir(fetchDir, { recursive: true });
    const movedManifest = path.join(fetchDir, 'input.manifest');
    await writeFile(movedManifest, inputText);
    const gets = new Map<string, number>();
    const server = http.createServer((request, response) => {
      const key = decodeURIComponent(request.url!.split('?')[0]!).replace(/^\/crowd-datasets\//, '');
      if (request.method !== 'GET' || !key.startsWith('jobs/')) return void response.writeHead(400).end(`unexpected ${request.method} ${request.url}`);
      gets.set(key, (gets.get(key) ?? 0) + 1);
      readFile(path.join(jobsDir, key.slice('jobs/'.length))).then((body) => response.writeHead(200, { 'content-length': body.length }).end(body), () => response.writeHead(404).end());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = new S3Client({
      region: 'us-east-1', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    onTestFinished(() => {
      client.destroy();
      server.close();
    });

    const out = path.join(root, 'out', `${name}-ds-fetch.manifest`);
    const summary = await consolidate({
      manifest: movedManifest,
      out,
      fields: { answer: { strategy: 'dawid-skene' } },
      allowRefPrefixes: ['s3://crowd-datasets/jobs/'],
      s3Client: client,
      concurrency: 16,
    });

    // One GET per worker response, none repeated by the second pass.
    const labelAttribute = jobNameOf(name);
    const refs = inputLines.map((line) =>
      ((line[`${labelAttribute}-metadata`] as Record<string, string>)['worker-response-ref']!).replace('s3://crowd-datasets/', ''));
    expect(new Set(refs).size).toBe(108);
    expect(new Set(gets.keys())).toEqual(new Set(refs));
    expect([...gets.values()].every((count) => count === 1)).toBe(true);

    // Counts add up and nothing is lost.
    const { read, consolidated, failedInJob, rejected } = summary.lines;
    expect(read).toBe(consolidated + failedInJob + rejected);
    expect(summary.lines).toEqual({ read: 108, consolidated: 108, failedInJob: 0, rejected: 0, blank: 0 });
    expect(summary.answers).toBe(data.answers.length);
    expect(summary.retries).toBe(0);

    // The output is the input, line for line, in order, with the label and consolidation added.
    const { lines, objects } = readOutput(name, await readFile(out, 'utf8'));
    expect(lines).toHaveLength(inputLines.length);
    expect(objects.map((o) => o.task)).toEqual(inputLines.map((line) => line.task));
    expect(objects.map((o) => o.task)).toEqual([...votesByTask(data.answers).keys()]);
    lines.forEach((line, index) => {
      const input = inputLines[index]!;
      expect(line.source).toBe(input.source);
      expect(line[`${labelAttribute}-metadata`]).toMatchObject(input[`${labelAttribute}-metadata`] as object);
    });
    expect(correctOf(name, objects)).toBe(97);

    // Same labels and posteriors as the run that read the job's own folder.
    const local = await dawidSkeneDefaults(name);
    expect(objects.map((o) => [o.label, o.posterior])).toEqual(local.objects.map((o) => [o.label, o.posterior]));
  });
});
