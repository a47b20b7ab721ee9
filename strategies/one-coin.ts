/**
 * One-coin Dawid-Skene: each worker has a single accuracy s_w; a wrong answer is spread evenly over the other K − 1
 * labels. Far fewer parameters than the full confusion matrix, so it needs fewer answers per worker.
 *
 * As crowd-kit's `OneCoinDawidSkene` (reference `consolidation-algorithms.md` §1.2): the EM loop, priors and stopping
 * rule are in `em.ts`; the M-step is
 *
 *   s_w = mean over w's answers (t, o) of P[t,o],  clipped to [1e-10, 1 − 1e-10]
 *   errors[w,o,c] = s_w if o = c, else (1 − s_w) / (K − 1)
 *
 * crowd-kit notes it as unstable on some data (bluebirds); prefer `dawid-skene` when workers answer many objects.
 * Its class prior can collapse (one label's prior goes to 0 and every object gets the other): rather than floor the
 * prior, which would change the model's answers on the jobs where it works, the fit report then carries a warning
 * (`fitReport().warnings`, see `em.ts`) so the run summary says so.
 */
import { z } from 'zod';
import { emConsolidator, emOptions, floor, type EmAnswers } from './em.js';
import type { Strategy } from './types.js';

const options = z.strictObject(emOptions);

function oneCoinMStep({ table }: EmAnswers, posteriors: Float64Array, errors: Float64Array): void {
  const k = table.labels.length;
  const hits = new Float64Array(table.workers.length);
  const counts = new Float64Array(table.workers.length);
  for (let i = 0; i < table.answerCount; i += 1) {
    hits[table.workerOf[i]!]! += posteriors[table.objectOf[i]! * k + table.labelOf[i]!]!;
    counts[table.workerOf[i]!]! += 1;
  }
  for (let w = 0; w < table.workers.length; w += 1) {
    const skill = Math.min(1 - floor, Math.max(floor, hits[w]! / counts[w]!));
    const wrong = k > 1 ? (1 - skill) / (k - 1) : floor;
    for (let o = 0; o < k; o += 1) for (let c = 0; c < k; c += 1) errors[(w * k + o) * k + c] = o === c ? skill : wrong;
  }
}

export const oneCoin: Strategy<z.infer<typeof options>> = {
  name: 'one-coin',
  summary: 'one-coin Dawid-Skene: one accuracy per worker, errors spread evenly; confidence = max posterior',
  kinds: ['categorical', 'boolean'],
  options,
  create: (config) => emConsolidator(config, oneCoinMStep),
};
