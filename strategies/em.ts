/**
 * The EM machinery shared by the confusion-matrix models (Dawid-Skene, one-coin): initialisation from majority-vote
 * shares, the E-step, class priors, the stopping rule, and deciding from the fitted posteriors. Each model supplies
 * only its M-step, which fills `errors[w][given][true]` from the current posteriors.
 *
 *   init      P[t,c] = majority-vote share of label c on object t;  prior = mean_t P[t,·];  M-step
 *   E-step    L[t,c] = log max(prior[c], 1e-10) + Σ_{answers (t,w,o)} log errors[w,o,c];  P[t,·] = normalise(exp(L[t,·] − max))
 *             (crowd-kit writes it in base 2; the posteriors are the same, and Math.exp is several times faster than 2 ** x)
 *   repeat    E-step, prior = mean_t P[t,·], M-step
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
import { labelForm } from './label-form.js';
import type { Consolidator, FitReport, WorkerSkill } from './types.js';

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
  /** objects × labels: L[t,c] = log prior[c] + Σ log errors of the last E-step (the unnormalised log posterior). */
  logJoint: Float64Array;
  priors: Float64Array;
  /** workers × given × true: P(worker answers `given` | true label). */
  errors: Float64Array;
  iterations: number;
  /** True when the log-likelihood settled within `tol`, false when `maxIterations` stopped the fit. */
  converged: boolean;
  logLikelihood: number;
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
  /** Where each answer's k cells start in a workers × given × true array: (worker · k + given) · k. */
  cellOf: Int32Array;
}

function indexAnswers(table: AnswerTable): EmAnswers {
  const { objectOf, workerOf, labelOf, answerCount, objectCount } = table;
  const k = table.labels.length;
  const objectStart = new Int32Array(objectCount + 1);
  const cellOf = new Int32Array(answerCount);
  for (let i = 0; i < answerCount; i += 1) {
    if (i > 0 && objectOf[i]! < objectOf[i - 1]!) throw new Error('EM needs each object\'s answers together, objects ascending');
    objectStart[objectOf[i]! + 1]! += 1;
    cellOf[i] = (workerOf[i]! * k + labelOf[i]!) * k;
  }
  for (let t = 0; t < objectCount; t += 1) objectStart[t + 1]! += objectStart[t]!;
  return { table, objectStart, cellOf };
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
  logErrors: Float64Array;
  logJoint: Float64Array;
}

/** The soft confusion counts N[w,o,c] = Σ_{answers (t,w,o)} P[t,c] into `counts` (workers × given × true). */
export function countConfusions({ table, objectStart, cellOf }: EmAnswers, posteriors: Float64Array, counts: Float64Array): void {
  const k = table.labels.length;
  counts.fill(0);
  for (let t = 0, row = 0; t < table.objectCount; t += 1, row += k) {
    for (let i = objectStart[t]!; i < objectStart[t + 1]!; i += 1) {
      const cell = cellOf[i]!;
      for (let c = 0; c < k; c += 1) counts[cell + c]! += posteriors[row + c]!;
    }
  }
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
function maximise(state: EmState, mStep: MStep): void {
  const { answers, posteriors, priors, logPriors, errors, logErrors } = state;
  const k = priors.length;
  priors.fill(0);
  for (let at = 0; at < posteriors.length; at += k) for (let c = 0; c < k; c += 1) priors[c]! += posteriors[at + c]!;
  for (let c = 0; c < k; c += 1) {
    priors[c]! /= answers.table.objectCount || 1;
    logPriors[c] = Math.log(Math.max(priors[c]!, floor));
  }
  mStep(answers, posteriors, errors);
  for (let i = 0; i < errors.length; i += 1) logErrors[i] = Math.log(errors[i]!);
}

/** Updates `logJoint` and the posteriors, one object at a time; returns the log-likelihood per answer. */
function expectation({ answers, posteriors, logPriors, logErrors, logJoint }: EmState): number {
  const { table, objectStart, cellOf } = answers;
  const k = logPriors.length;
  let logLikelihood = 0;
  for (let t = 0, row = 0; t < table.objectCount; t += 1, row += k) {
    const from = objectStart[t]!;
    const to = objectStart[t + 1]!;
    let max = -Infinity;
    for (let c = 0; c < k; c += 1) {
      // The object's log errors summed first and its log prior added last, as crowd-kit does: starting every label
      // from a different prior rounds the sums differently, and EM then drifts off an exact fixed point.
      let sum = 0;
      for (let i = from; i < to; i += 1) sum += logErrors[cellOf[i]! + c]!;
      const joint = (logJoint[row + c] = sum + logPriors[c]!);
      if (joint > max) max = joint;
    }
    let sum = 0;
    for (let c = 0; c < k; c += 1) sum += (posteriors[row + c] = Math.exp(logJoint[row + c]! - max));
    for (let c = 0; c < k; c += 1) posteriors[row + c]! /= sum;
    logLikelihood += max + Math.log(sum);
  }
  return logLikelihood / (table.answerCount || 1);
}

export function runEm(table: AnswerTable, { maxIterations, tol }: EmOptions, mStep: MStep): EmModel {
  const k = table.labels.length;
  const errors = new Float64Array(table.workers.length * k * k);
  const state: EmState = {
    answers: indexAnswers(table),
    posteriors: voteShares(table),
    priors: new Float64Array(k),
    logPriors: new Float64Array(k),
    errors,
    logErrors: new Float64Array(errors.length),
    logJoint: new Float64Array(table.objectCount * k),
  };
  maximise(state, mStep);
  let iterations = 0;
  let converged = false;
  let logLikelihood = Number.NaN;
  while (iterations < maxIterations && !converged) {
    const next = expectation(state);
    iterations += 1;
    maximise(state, mStep);
    converged = Math.abs(next - logLikelihood) < tol;
    logLikelihood = next;
  }
  const { posteriors, logJoint, priors } = state;
  return { table, posteriors, logJoint, priors, errors, iterations, converged, logLikelihood };
}

/** Each worker's `confusion[true][given]` and accuracy Σ_c prior[c] · P(given c | true c). */
function workerSkills({ table, priors, errors }: EmModel): Map<string, WorkerSkill> {
  const k = table.labels.length;
  return new Map(table.workers.map((worker, w) => {
    const confusion = Array.from({ length: k }, (_, c) => Array.from({ length: k }, (_, o) => errors[(w * k + o) * k + c]!));
    return [worker, { accuracy: confusion.reduce((sum, row, c) => sum + priors[c]! * row[c]!, 0), confusion }];
  }));
}

/**
 * The warning when the fit decides every object the same label although majority vote decided at least two: the class
 * prior has collapsed onto one label (one-coin does this on some jobs, as crowd-kit's does).
 */
function collapseWarning(table: AnswerTable, decided: Float64Array): string | undefined {
  const decidedLabels = labelsChosen(decided, table.labels.length);
  if (decidedLabels.size !== 1 || labelsChosen(voteShares(table), table.labels.length).size < 2) return undefined;
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
 * Fits on the field's answers, then decides each object from `decisionPosteriors(model)` (the EM posteriors unless the
 * model post-processes them): label = first maximal probability in ascending label order (ties → smallest label),
 * confidence = that probability, `details.posterior` = all of them.
 */
export function emConsolidator(
  options: EmOptions,
  mStep: MStep,
  decisionPosteriors: (model: EmModel) => Float64Array = (model) => model.posteriors,
): Consolidator {
  let fitted: { model: EmModel; decided: Float64Array; report: FitReport } | undefined;
  const fittedModel = () => {
    if (!fitted) throw new Error('decide() or fitReport() called before fit()');
    return fitted;
  };
  return {
    fit(table) {
      const model = runEm(table, options, mStep);
      const decided = decisionPosteriors(model);
      const warning = collapseWarning(table, decided);
      const report = { iterations: model.iterations, converged: model.converged, ...(warning ? { warnings: [warning] } : {}) };
      fitted = { model, decided, report };
    },
    decide(answers, { object }) {
      const { model, decided } = fittedModel();
      const { labels } = model.table;
      const k = labels.length;
      const row = decided.subarray(object * k, object * k + k);
      const best = argmax(row);
      return {
        value: labelForm(labels[best]!, answers),
        confidence: row[best]!,
        details: { posterior: Object.fromEntries(labels.map((label, c) => [label, row[c]!])), iterations: model.iterations },
      };
    },
    skills: () => (fitted ? workerSkills(fitted.model) : new Map()),
    fitReport: () => fittedModel().report,
  };
}
