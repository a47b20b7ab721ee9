/**
 * Dawid-Skene: each worker has a full confusion matrix, the job has class priors, and EM estimates both together with
 * each object's posterior over the true label.
 *
 * A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
 * Journal of the Royal Statistical Society C 28(1), 1979; as implemented by crowd-kit's `DawidSkene` (reference
 * `consolidation-algorithms.md` §1.6), which this reproduces. The EM loop, priors and stopping rule are in `em.ts`;
 * the M-step is
 *
 *   errors[w,o,c] = Σ_{answers (t,w,o)} P[t,c],  floored at 1e-10,  then errors[w,·,c] /= Σ_o errors[w,o,c]
 *
 * (no smoothing: the floor keeps a confusion cell no worker filled from zeroing a posterior).
 */
import { z } from 'zod';
import type { AnswerTable } from './answer-table.js';
import { countConfusions, emConsolidator, emOptions, floor, normaliseColumns, runEm, type EmAnswers, type EmModel, type EmOptions } from './em.js';
import type { Strategy } from './types.js';

const options = z.strictObject(emOptions);

function confusionMStep(answers: EmAnswers, posteriors: Float64Array, errors: Float64Array): void {
  const { table } = answers;
  const k = table.labels.length;
  countConfusions(answers, posteriors, errors);
  for (let at = 0; at < errors.length; at += 1) errors[at] = Math.max(errors[at]!, floor);
  for (let w = 0; w < table.workers.length; w += 1) normaliseColumns(errors, w * k * k, k);
}

export const fitDawidSkene = (table: AnswerTable, options: EmOptions): EmModel => runEm(table, options, confusionMStep);

export const dawidSkene: Strategy<z.infer<typeof options>> = {
  name: 'dawid-skene',
  summary: 'Dawid-Skene EM: per-worker confusion matrices and class priors; confidence = max posterior',
  kinds: ['categorical', 'boolean'],
  options,
  create: (config) => emConsolidator(config, confusionMStep),
};
