/**
 * The EM machinery shared by the confusion-matrix models (Dawid-Skene, one-coin): initialisation from majority-vote
 * shares, the E-step, class priors, the stopping rule, and deciding from the fitted posteriors. Each model supplies
 * only its M-step, which fills `errors[w][given][true]` from the current posteriors.
 *
 *   init      P[t,c] = majority-vote share of label c on object t;  prior = mean_t P[t,·];  M-step
 *   E-step    L[t,c] = log max(prior[c], 1e-10) + Σ_{answers (t,w,o)} log errors[w,o,c];  P[t,·] = normalise(exp(L[t,·] − max))
 *             (crowd-kit writes it in base 2; the posteriors are the same, and e^x is several times faster than 2 ** x)
 *   repeat    E-step, prior = mean_t P[t,·], M-step
 *
 * The hot loops walk objects in order and each object's answers in order, four labels at a time in registers, and
 * take e^x from `exp.ts` (V8's own, inlined): every sum is added in the order of a plain pass over the answers, so the
 * posteriors are the same bit for bit as label-by-label loops with `Math.exp` give.
 *
 * Stops after `maxIterations` E-steps, or once the log-likelihood per answer (log Σ_c prior[c] Π errors, summed over
 * objects) changes by less than `tol` in absolute value. crowd-kit stops on the signed change instead, which can stop
 * after two iterations while the fit is still improving; `tol: 0` runs every iteration.
 *
 * `fitReport()` gives the E-steps run, whether the change fell below `tol` (converged) or `maxIterations` stopped it,
 * and a warning when the fit decides every object the same label although majority vote decides several (a collapsed
 * class prior).
 */
import { z } from 'zod';
import { argmax, voteShares, type AnswerTable } from './answer-table.js';
import { exp } from './exp.js';
import { labelForm } from './label-form.js';
import { readSaved, savedFitReport } from './saved-model.js';
import { voteKey } from './submitted-form.js';
import type { Consolidator, FieldAnswer, FitReport, WorkerSkill } from './types.js';
import { UsageError } from '../src/errors.js';

/** The floor that keeps a probability no worker filled from zeroing a posterior (crowd-kit's clip). */
export const floor = 1e-10;

export interface EmOptions {
  maxIterations: number;
  tol: number;
}

/** The options every EM strategy takes, as a schema shape to spread into its own. */
export const emOptions = {
  maxIterations: z.int().min(0).default(100),
  tol: z.number().min(0).default(1e-7),
};

export interface EmModel {
  table: AnswerTable;
  /** objects × labels */
  posteriors: Float64Array;
  /**
   * objects × labels: L[t,c] = log prior[c] + Σ log errors of the last E-step (the unnormalised log posterior); kept
   * only when asked for (`runEm`'s `keepLogJoint`), since it is as large as the posteriors and only some models read it.
   */
  logJoint?: Float64Array;
  priors: Float64Array;
  /** workers × given × true: P(worker answers `given` | true label). */
  errors: Float64Array;
  iterations: number;
  /** True when the log-likelihood settled within `tol`, false when `maxIterations` stopped the fit. */
  converged: boolean;
  logLikelihood: number;
  /** How many labels majority vote decides (first maximum of the vote shares), counted up to two. */
  voteLabels: number;
}

/**
 * The answer table as EM reads it, indexed once a fit. An object's answers are contiguous and objects ascend (as
 * `AnswerTableBuilder` adds them), so each loop below walks objects and their answers in the table's own order: every
 * sum is taken in the same order as a plain pass over the answers would take it.
 */
export interface EmAnswers {
  table: AnswerTable;
  /** Object t's answers are [objectStart[t], objectStart[t + 1]). */
  objectStart: Int32Array;
  /** Where each answer's row starts in the padded workers × given × true arrays: (worker · k + given) · width. */
  rowOf: Int32Array;
  /** k rounded up to a multiple of `lanes`: the row width of the arrays the hot loops read four labels at a time. */
  width: number;
  /** Scratch: one object's labels in `width` cells (the padding stays zero), and counts in workers × given such rows. */
  laneRow: Float64Array;
  laneCounts: Float64Array;
}

/**
 * How many labels the hot loops handle at once, each in a register: label by label (the answers re-read per label) or
 * into memory, the E-step took 1.3–1.6× as long with 4 labels, and the confusion count 1.4×.
 */
const lanes = 4;

function indexAnswers(table: AnswerTable): EmAnswers {
  const { objectOf, workerOf, labelOf, answerCount, objectCount } = table;
  const k = table.labels.length;
  const objectStart = new Int32Array(objectCount + 1);
  const width = lanes * Math.ceil(k / lanes);
  const rowOf = new Int32Array(answerCount);
  for (let i = 0; i < answerCount; i += 1) {
    if (i > 0 && objectOf[i]! < objectOf[i - 1]!) throw new Error('EM needs each object\'s answers together, objects ascending');
    objectStart[objectOf[i]! + 1]! += 1;
    rowOf[i] = (workerOf[i]! * k + labelOf[i]!) * width;
  }
  for (let t = 0; t < objectCount; t += 1) objectStart[t + 1]! += objectStart[t]!;
  const laneCounts = new Float64Array(table.workers.length * k * width);
  return { table, objectStart, rowOf, width, laneRow: new Float64Array(width), laneCounts };
}

/** Fills `errors` from the posteriors. */
export type MStep = (answers: EmAnswers, posteriors: Float64Array, errors: Float64Array) => void;

/** The arrays EM updates in place; the hot loops below are plain functions over them (this is the whole cost of a fit). */
interface EmState {
  answers: EmAnswers;
  posteriors: Float64Array;
  priors: Float64Array;
  logPriors: Float64Array;
  errors: Float64Array;
  /** log errors in rows of `width` cells, the padding zero. */
  logErrors: Float64Array;
  /** L of the last E-step, objects × labels; or one object's k cells, reused, when the model does not keep it. */
  logJoint: Float64Array;
  keepLogJoint: boolean;
}

/** The soft confusion counts N[w,o,c] = Σ_{answers (t,w,o)} P[t,c] into `counts` (workers × given × true). */
export function countConfusions(answers: EmAnswers, posteriors: Float64Array, counts: Float64Array): void {
  countLanes(answers, posteriors);
  unpad(answers.laneCounts, answers.width, counts, answers.table.labels.length);
}

/** The counts into `laneCounts`, in rows of `width`. */
function countLanes({ table, objectStart, rowOf, width, laneRow, laneCounts }: EmAnswers, posteriors: Float64Array): void {
  const k = table.labels.length;
  laneCounts.fill(0);
  for (let t = 0, row = 0; t < table.objectCount; t += 1, row += k) {
    for (let c = 0; c < k; c += 1) laneRow[c] = posteriors[row + c]!;
    for (let c = 0; c < width; c += lanes) {
      const p0 = laneRow[c]!, p1 = laneRow[c + 1]!, p2 = laneRow[c + 2]!, p3 = laneRow[c + 3]!;
      for (let i = objectStart[t]!; i < objectStart[t + 1]!; i += 1) {
        const at = rowOf[i]! + c;
        laneCounts[at]! += p0;
        laneCounts[at + 1]! += p1;
        laneCounts[at + 2]! += p2;
        laneCounts[at + 3]! += p3;
      }
    }
  }
}

/** Copies rows of `width` cells into rows of k, dropping the padding. */
function unpad(padded: Float64Array, width: number, into: Float64Array, k: number): void {
  for (let row = 0; row < into.length / k; row += 1) for (let c = 0; c < k; c += 1) into[row * k + c] = padded[row * width + c]!;
}

/** Divides each column c of the k × k matrix at `at` (row = given o, column = true c) by its sum over o. */
export function normaliseColumns(matrix: Float64Array, at: number, k: number): void {
  for (let c = 0; c < k; c += 1) {
    let sum = 0;
    for (let o = 0; o < k; o += 1) sum += matrix[at + o * k + c]!;
    for (let o = 0; o < k; o += 1) matrix[at + o * k + c]! /= sum;
  }
}

/** prior = mean_t P[t,·], then the model's M-step, then the logs the E-step reads. */
function maximise({ answers, posteriors, priors, logPriors, errors, logErrors }: EmState, mStep: MStep): void {
  const k = priors.length;
  for (let c = 0; c < k; c += 1) {
    priors[c] = sumColumn(posteriors, c, k) / (answers.table.objectCount || 1);
    logPriors[c] = Math.log(Math.max(priors[c]!, floor));
  }
  mStep(answers, posteriors, errors);
  takeLogs(errors, k, answers.width, logErrors);
}

/**
 * Σ_t matrix[t, c] over rows of k cells, in a register. This and the other hot loops end their function: V8 compiles a
 * long loop while it first runs, and code after the loop that had not yet run would leave that compiled code at every
 * later call.
 */
function sumColumn(matrix: Float64Array, c: number, k: number): number {
  let sum = 0;
  for (let at = c; at < matrix.length; at += k) sum += matrix[at]!;
  return sum;
}

/** log of each cell of rows of k into rows of `width` (the padding stays zero). */
function takeLogs(values: Float64Array, k: number, width: number, logs: Float64Array): void {
  for (let row = 0; row < values.length / k; row += 1) {
    for (let c = 0; c < k; c += 1) logs[row * width + c] = Math.log(values[row * k + c]!);
  }
}

/** Updates `logJoint` and the posteriors, one object at a time; returns the log-likelihood Σ_t log Σ_c e^{L[t,c]}. */
function expectation({ answers, posteriors, logPriors, logErrors, logJoint, keepLogJoint }: EmState): number {
  const { table: { objectCount }, objectStart, rowOf, width, laneRow: sums } = answers;
  const k = logPriors.length;
  let logLikelihood = 0;
  for (let t = 0, row = 0; t < objectCount; t += 1, row += k) {
    const from = objectStart[t]!;
    const to = objectStart[t + 1]!;
    for (let c = 0; c < width; c += lanes) {
      let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
      for (let i = from; i < to; i += 1) {
        const at = rowOf[i]! + c;
        sum0 += logErrors[at]!;
        sum1 += logErrors[at + 1]!;
        sum2 += logErrors[at + 2]!;
        sum3 += logErrors[at + 3]!;
      }
      sums[c] = sum0;
      sums[c + 1] = sum1;
      sums[c + 2] = sum2;
      sums[c + 3] = sum3;
    }
    const jointRow = keepLogJoint ? row : 0;
    let max = -Infinity;
    for (let c = 0; c < k; c += 1) {
      // The object's log errors summed first and its log prior added last, as crowd-kit does: starting every label
      // from a different prior rounds the sums differently, and EM then drifts off an exact fixed point.
      const joint = (logJoint[jointRow + c] = sums[c]! + logPriors[c]!);
      if (joint > max) max = joint;
    }
    let sum = 0;
    for (let c = 0; c < k; c += 1) sum += (posteriors[row + c] = exp(logJoint[jointRow + c]! - max));
    for (let c = 0; c < k; c += 1) posteriors[row + c]! /= sum;
    logLikelihood += max + Math.log(sum);
  }
  return logLikelihood;
}

export function runEm(table: AnswerTable, options: EmOptions, mStep: MStep): EmModel;
export function runEm(table: AnswerTable, options: EmOptions, mStep: MStep, keepLogJoint: true): EmModel & { logJoint: Float64Array };
export function runEm(table: AnswerTable, { maxIterations, tol }: EmOptions, mStep: MStep, keepLogJoint = false): EmModel {
  const k = table.labels.length;
  const errors = new Float64Array(table.workers.length * k * k);
  const answers = indexAnswers(table);
  const state: EmState = {
    answers,
    posteriors: voteShares(table),
    priors: new Float64Array(k),
    logPriors: new Float64Array(k),
    errors,
    logErrors: new Float64Array(table.workers.length * k * answers.width),
    logJoint: new Float64Array(keepLogJoint ? table.objectCount * k : k),
    keepLogJoint,
  };
  // Read here, while the posteriors are still the vote shares, rather than from a second copy of them after the fit.
  const voteLabels = labelsChosen(state.posteriors, k).size;
  maximise(state, mStep);
  let iterations = 0;
  let converged = false;
  let logLikelihood = Number.NaN;
  while (iterations < maxIterations && !converged) {
    const next = expectation(state) / (table.answerCount || 1);
    iterations += 1;
    maximise(state, mStep);
    converged = Math.abs(next - logLikelihood) < tol;
    logLikelihood = next;
  }
  const { posteriors, logJoint, priors } = state;
  return { table, posteriors, ...(keepLogJoint && { logJoint }), priors, errors, iterations, converged, logLikelihood, voteLabels };
}

/** Each worker's `confusion[true][given]` and accuracy Σ_c prior[c] · P(given c | true c). */
function workerSkills(workers: readonly string[], k: number, priors: ArrayLike<number>, errors: ArrayLike<number>): Map<string, WorkerSkill> {
  return new Map(workers.map((worker, w) => {
    const confusion = Array.from({ length: k }, (_, c) => Array.from({ length: k }, (_, o) => errors[(w * k + o) * k + c]!));
    return [worker, { accuracy: confusion.reduce((sum, row, c) => sum + priors[c]! * row[c]!, 0), confusion }];
  }));
}

/**
 * The warning when the fit decides every object the same label although majority vote decided at least two: the class
 * prior has collapsed onto one label (one-coin does this on some jobs, as crowd-kit's does).
 */
function collapseWarning({ table, voteLabels }: EmModel, decided: Float64Array): string | undefined {
  const decidedLabels = labelsChosen(decided, table.labels.length);
  if (decidedLabels.size !== 1 || voteLabels < 2) return undefined;
  const [only] = decidedLabels;
  return `the fit collapsed onto one label: every object is decided "${table.labels[only!]}" although majority vote ` +
    'decides several labels; check the field with majority-vote';
}

/** The labels chosen (first maximum) over rows of `posteriors`, stopping at two. */
function labelsChosen(posteriors: Float64Array, k: number): Set<number> {
  const chosen = new Set<number>();
  for (let at = 0; at < posteriors.length && chosen.size < 2; at += k) chosen.add(argmax(posteriors, at, at + k));
  return chosen;
}

/**
 * From one object's unnormalised log posterior L[·] (log prior + Σ log errors), its vote shares V[·] and its number of
 * answers: the probabilities it is decided by (the EM posterior softmax(L) unless the model post-processes it).
 */
export type ObjectPosterior = (logJoint: Float64Array, shares: Float64Array, answers: number) => Float64Array;

/** softmax(L): the plain EM posterior. */
export const softmaxPosterior: ObjectPosterior = (logJoint) => {
  const max = Math.max(...logJoint);
  const posterior = logJoint.map((joint) => Math.exp(joint - max));
  const sum = posterior.reduce((total, p) => total + p, 0);
  return posterior.map((p) => p / sum);
};

/**
 * Fits on the field's answers, then decides each object from `decisionPosteriors(model)` (the EM posteriors unless the
 * model post-processes them from the log joint, which the fit then keeps): label = first maximal probability in
 * ascending label order (ties → smallest label), confidence = that probability, `details.posterior` = all of them.
 *
 * A model can also be saved and restored (`saved-model.ts`). Restored, it decides the objects of its fit by their rows
 * as before (the sharded run), and any other object (a frozen model: `run --model`, the post-annotation Lambda) by one
 * E-step with the fitted parameters, `objectPosterior` of L[c] = log prior[c] + Σ log errors[w,o,c] over the object's
 * answers; a worker the fit never saw is taken as the mean of the fitted workers' confusion matrices, and an answer
 * with a label the fit never saw is left out (`run --model` and the Lambda refuse such jobs before deciding).
 */
export function emConsolidator(
  options: EmOptions,
  mStep: MStep,
  decisionPosteriors?: (model: EmModel & { logJoint: Float64Array }) => Float64Array,
  objectPosterior: ObjectPosterior = softmaxPosterior,
): Consolidator {
  const fitAndDecide = (table: AnswerTable): [EmModel, Float64Array] => {
    if (!decisionPosteriors) {
      const model = runEm(table, options, mStep);
      return [model, model.posteriors];
    }
    const model = runEm(table, options, mStep, true);
    return [model, decisionPosteriors(model)];
  };
  let fitted: FittedEm | undefined;
  const fittedModel = () => {
    if (!fitted) throw new Error('decide() or fitReport() called before fit()');
    return fitted;
  };
  return {
    fit(table) {
      const [model, decided] = fitAndDecide(table);
      const warning = collapseWarning(model, decided);
      const report = { iterations: model.iterations, converged: model.converged, ...(warning ? { warnings: [warning] } : {}) };
      fitted = fittedEm(table.labels, table.workers, model.priors, model.errors, decided, report);
    },
    decide(answers, { object }) {
      const model = fittedModel();
      const { labels, decided, report } = model;
      const k = labels.length;
      const row = object === undefined ? frozenPosterior(model, answers, objectPosterior) : decided.subarray(object * k, object * k + k);
      const best = argmax(row);
      return {
        value: labelForm(labels[best]!, answers),
        confidence: row[best]!,
        details: { posterior: Object.fromEntries(labels.map((label, c) => [label, row[c]!])), iterations: report.iterations },
      };
    },
    skills: () => fitted?.skills ?? new Map(),
    fitReport: () => fittedModel().report,
    save() {
      const { labels, workers, priors, errors, decided, report } = fittedModel();
      return { labels, workers: [...workers.keys()], priors: Array.from(priors), errors: Array.from(errors), decided: Array.from(decided), report };
    },
    restore(saved) {
      const { labels, workers, priors, errors, decided, report } = readSaved('EM', savedEm, saved);
      const k = labels.length;
      if (priors.length !== k || errors.length !== workers.length * k * k || decided.length % Math.max(k, 1) !== 0) {
        throw new UsageError('the saved EM model\'s arrays do not match its labels and workers; fit it again');
      }
      fitted = fittedEm(labels, workers, Float64Array.from(priors), Float64Array.from(errors), Float64Array.from(decided), report);
    },
  };
}

/** What deciding needs of a fit: each table row's decision probabilities (objects × labels), the parameters, the reports. */
interface FittedEm {
  labels: readonly string[];
  labelIndex: ReadonlyMap<string, number>;
  workers: ReadonlyMap<string, number>;
  priors: Float64Array;
  errors: Float64Array;
  /** log max(prior, floor) by label; log errors, workers × given × true; log of the workers' mean confusion, given × true. */
  logPriors: Float64Array;
  logErrors: Float64Array;
  logPopulation: Float64Array;
  decided: Float64Array;
  report: FitReport;
  skills: ReadonlyMap<string, WorkerSkill>;
}

function fittedEm(
  labels: readonly string[], workers: readonly string[], priors: Float64Array, errors: Float64Array, decided: Float64Array, report: FitReport,
): FittedEm {
  const k = labels.length;
  const population = new Float64Array(k * k);
  for (let w = 0; w < workers.length; w += 1) for (let oc = 0; oc < k * k; oc += 1) population[oc]! += errors[w * k * k + oc]! / workers.length;
  return {
    labels,
    labelIndex: new Map(labels.map((label, c) => [label, c])),
    workers: new Map(workers.map((worker, w) => [worker, w])),
    priors,
    errors,
    logPriors: priors.map((prior) => Math.log(Math.max(prior, floor))),
    logErrors: errors.map((error) => Math.log(error)),
    logPopulation: population.map((error) => Math.log(error)),
    decided,
    report,
    skills: workerSkills(workers, k, priors, errors),
  };
}

/** One E-step for an object the fit did not see (see `emConsolidator`). */
function frozenPosterior(model: FittedEm, answers: readonly FieldAnswer[], objectPosterior: ObjectPosterior): Float64Array {
  const k = model.labels.length;
  const logJoint = new Float64Array(k);
  const shares = new Float64Array(k);
  let counted = 0;
  for (const { workerId, value } of answers) {
    const given = model.labelIndex.get(voteKey(value));
    if (given === undefined) continue;
    const worker = model.workers.get(workerId);
    const [logErrors, at] = worker === undefined ? [model.logPopulation, given * k] : [model.logErrors, (worker * k + given) * k];
    for (let c = 0; c < k; c += 1) logJoint[c]! += logErrors[at + c]!;
    shares[given]! += 1;
    counted += 1;
  }
  for (let c = 0; c < k; c += 1) {
    logJoint[c]! += model.logPriors[c]!;
    shares[c]! /= counted || 1;
  }
  return objectPosterior(logJoint, shares, counted);
}

const savedEm = z.strictObject({
  labels: z.array(z.string()),
  workers: z.array(z.string()),
  priors: z.array(z.number().min(0).max(1)),
  errors: z.array(z.number().min(0).max(1)),
  decided: z.array(z.number().min(0).max(1)),
  report: savedFitReport,
});
