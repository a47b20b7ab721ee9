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
 */
import { voteShares, type AnswerTable } from './answer-table.js';
import { argmax, labelForm } from './label-form.js';
import type { Consolidator, WorkerSkill } from './types.js';

/** The floor that keeps a probability no worker filled from zeroing a posterior (crowd-kit's clip). */
export const floor = 1e-10;

export interface EmOptions {
  maxIterations: number;
  tol: number;
}

export interface EmModel {
  table: AnswerTable;
  /** objects × labels */
  posteriors: Float64Array;
  priors: Float64Array;
  /** workers × given × true: P(worker answers `given` | true label). */
  errors: Float64Array;
  iterations: number;
  logLikelihood: number;
}

/** Fills `errors` from the posteriors. */
export type MStep = (table: AnswerTable, posteriors: Float64Array, errors: Float64Array) => void;

export function runEm(table: AnswerTable, { maxIterations, tol }: EmOptions, mStep: MStep): EmModel {
  // Hot loops over typed arrays held in locals: this is the whole cost of a fit (see bench/run.ts).
  const { objectOf, workerOf, labelOf, answerCount, objectCount } = table;
  const k = table.labels.length;
  const posteriors = voteShares(table);
  const priors = new Float64Array(k);
  const logPriors = new Float64Array(k);
  const errors = new Float64Array(table.workers.length * k * k);
  const logErrors = new Float64Array(errors.length);
  const scores = new Float64Array(objectCount * k);

  const maximise = () => {
    priors.fill(0);
    for (let at = 0; at < posteriors.length; at += k) for (let c = 0; c < k; c += 1) priors[c]! += posteriors[at + c]!;
    for (let c = 0; c < k; c += 1) {
      priors[c]! /= objectCount || 1;
      logPriors[c] = Math.log(Math.max(priors[c]!, floor));
    }
    mStep(table, posteriors, errors);
    for (let i = 0; i < errors.length; i += 1) logErrors[i] = Math.log(errors[i]!);
  };
  /** Updates the posteriors; returns the log-likelihood per answer. */
  const expect = (): number => {
    // Each object's log errors are summed first and its log prior added last, as crowd-kit does: starting every label
    // from a different prior rounds the sums differently, and EM then drifts off an exact fixed point.
    scores.fill(0);
    for (let i = 0; i < answerCount; i += 1) {
      const cell = (workerOf[i]! * k + labelOf[i]!) * k;
      const row = objectOf[i]! * k;
      for (let c = 0; c < k; c += 1) scores[row + c]! += logErrors[cell + c]!;
    }
    let logLikelihood = 0;
    for (let row = 0; row < scores.length; row += k) {
      let max = -Infinity;
      for (let c = 0; c < k; c += 1) {
        scores[row + c]! += logPriors[c]!;
        if (scores[row + c]! > max) max = scores[row + c]!;
      }
      let sum = 0;
      for (let c = 0; c < k; c += 1) sum += (posteriors[row + c] = Math.exp(scores[row + c]! - max));
      for (let c = 0; c < k; c += 1) posteriors[row + c]! /= sum;
      logLikelihood += max + Math.log(sum);
    }
    return logLikelihood / (answerCount || 1);
  };

  maximise();
  let iterations = 0;
  let logLikelihood = Number.NaN;
  while (iterations < maxIterations) {
    const next = expect();
    iterations += 1;
    maximise();
    const converged = Math.abs(next - logLikelihood) < tol;
    logLikelihood = next;
    if (converged) break;
  }
  return { table, posteriors, priors, errors, iterations, logLikelihood };
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
 * Fits on the field's answers, then decides each object from its posterior: label = first maximal posterior in
 * ascending label order (ties → smallest label), confidence = that posterior, `details.posterior` = all of them.
 */
export function emConsolidator(options: EmOptions, mStep: MStep): Consolidator {
  let model: EmModel | undefined;
  return {
    fit(table) {
      model = runEm(table, options, mStep);
    },
    decide(answers, { object }) {
      if (!model) throw new Error('decide() called before fit()');
      const { labels } = model.table;
      const k = labels.length;
      const row = model.posteriors.subarray(object * k, object * k + k);
      const best = argmax(row);
      return {
        value: labelForm(labels[best]!, answers),
        confidence: row[best]!,
        details: { posterior: Object.fromEntries(labels.map((label, c) => [label, row[c]!])), iterations: model.iterations },
      };
    },
    skills: () => (model ? workerSkills(model) : new Map()),
  };
}
