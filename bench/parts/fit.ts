/**
 * The fit time of Dawid-Skene and of hierarchical-ds (the default for categorical fields) on the same 100k answers,
 * 4 classes, 100 iterations, against the same Dawid-Skene written with numpy and scipy.sparse (`bench/ds_numpy.py`,
 * one Python process for the part): `--fit-rounds` rounds, the three alternating, median and range. The numpy
 * posteriors are checked against the JavaScript ones, so both are known to do the same work.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { seededRandom } from '../../src/random.js';
import { AnswerTableBuilder, type AnswerTable } from '../../strategies/answer-table.js';
import { fitDawidSkene } from '../../strategies/dawid-skene.js';
import { fitHierarchical, hierarchicalDawidSkene } from '../../strategies/hierarchical-ds.js';
import { type Bench, median, ratio, spread } from '../measure.js';

/** 20k objects × 5 answers from 200 workers of accuracy 0.6–0.95, 4 classes, seeded. */
export function syntheticAnswerTable(): AnswerTable {
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

/** E-steps of every timed fit: `tol: 0` runs them all, so every contender does the same number. */
const fitIterations = 100;

const script = path.resolve(import.meta.dirname, '../ds_numpy.py');

/** Why `bench/ds_numpy.py` cannot run here, or undefined when python3 imports numpy and scipy. */
export function numpyMissing(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.error) return `python3: ${probe.error.message}`;
  return probe.status === 0 ? undefined : probe.stderr.trim().split('\n').at(-1);
}

export interface NumpyFit {
  /** One fit in the Python process; resolves to its milliseconds (the fit alone, not the load). */
  fit(): Promise<number>;
  /** Ends the process; resolves to the last fit's posteriors (objects × labels). */
  finish(): Promise<Float64Array>;
}

/** Starts `bench/ds_numpy.py` on `answers` (written to `dir` as int32 columns), `iterations` E-steps a fit. */
export async function startNumpyFit(answers: AnswerTable, iterations: number, dir: string): Promise<NumpyFit> {
  const tablePath = path.join(dir, 'answers.int32');
  const posteriorsPath = path.join(dir, 'numpy-posteriors.float64');
  const head = Int32Array.of(answers.objectCount, answers.workers.length, answers.labels.length, answers.answerCount);
  const columns = [head, answers.objectOf, answers.workerOf, answers.labelOf];
  await writeFile(tablePath, Buffer.concat(columns.map((array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength))));
  const python = spawn('python3', [script, tablePath, String(iterations), posteriorsPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const closed = once(python, 'close');
  const replies = createInterface({ input: python.stdout })[Symbol.asyncIterator]();
  return {
    async fit() {
      python.stdin.write('fit\n');
      const reply = await replies.next();
      if (reply.done) throw new Error(`${script} exited before answering`);
      return Number(reply.value);
    },
    async finish() {
      python.stdin.end();
      const [code] = await closed;
      if (code !== 0) throw new Error(`${script} exited with ${code}`);
      const bytes = await readFile(posteriorsPath);
      return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  };
}

/** The largest |a[i] − b[i]|; Infinity when the lengths differ. */
export function largestDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let largest = 0;
  for (let i = 0; i < a.length; i += 1) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
}

export async function fitPart({ fitRounds, dir, report, table, say }: Bench): Promise<void> {
  say(`model fits, ${fitRounds} rounds …`);
  const answers = syntheticAnswerTable();
  const hierarchical = hierarchicalDawidSkene.options.parse({ maxIterations: fitIterations, tol: 0 });
  const missing = numpyMissing();
  if (missing) say(`numpy Dawid-Skene skipped: ${missing}`);
  const numpy = missing ? undefined : await startNumpyFit(answers, fitIterations, dir);
  let posteriors: Float64Array = new Float64Array();
  const fits: Record<string, () => number | Promise<number>> = {
    'dawid-skene': () => {
      const start = performance.now();
      posteriors = fitDawidSkene(answers, { maxIterations: fitIterations, tol: 0 }).posteriors;
      return performance.now() - start;
    },
    'hierarchical-ds': () => {
      const start = performance.now();
      fitHierarchical(answers, hierarchical);
      return performance.now() - start;
    },
    ...(numpy && { 'numpy dawid-skene': () => numpy.fit() }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fits).map((name) => [name, []]));
  for (let round = 0; round < fitRounds; round += 1) {
    for (const [name, fit] of Object.entries(fits)) times[name]!.push(await fit());
  }
  const difference = numpy && largestDifference(await numpy.finish(), posteriors);
  if (difference !== undefined && !(difference <= 1e-9)) {
    throw new Error(`numpy and JavaScript Dawid-Skene posteriors differ by ${difference}: they no longer fit the same model`);
  }
  const medianOf = (name: string) => median(times[name]!);
  const numpyMs = numpy && medianOf('numpy dawid-skene');
  report.modelFit = {
    answers: answers.answerCount, classes: answers.labels.length, iterations: fitIterations, rounds: fitRounds,
    ratio: ratio(medianOf('hierarchical-ds'), medianOf('dawid-skene')),
    ...(numpyMs ? { ratioToNumpy: ratio(medianOf('dawid-skene'), numpyMs), numpyPosteriorDifference: difference } : { numpy: 'skipped' }),
    ...Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, spread(ms)])),
  };
  for (const [name, ms] of Object.entries(times)) {
    const { median: medianMs, min, max } = spread(ms);
    table[`${name} fit: ${answers.answerCount / 1000}k answers, ${answers.labels.length} classes, ${fitIterations} iterations`] = {
      'median ms': medianMs, 'min ms': min, 'max ms': max,
      ...(numpyMs && name !== 'numpy dawid-skene' && { '÷ numpy': ratio(medianMs, numpyMs) }),
      ...(name === 'hierarchical-ds' && { '÷ dawid-skene': ratio(medianMs, medianOf('dawid-skene')) }),
    };
  }
}
