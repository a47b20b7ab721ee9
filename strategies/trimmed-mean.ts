/**
 * Trimmed mean: drop the floor(n * proportion) lowest and highest numbers, average the rest. With the default
 * proportion 0.2, five answers lose one at each end and three or four answers lose none. Confidence (see `numeric.ts`)
 * is computed on all answers, so a trimmed outlier still lowers it.
 */
import { mean } from 'simple-statistics';
import { z } from 'zod';
import { numbersOf, numericDecision, numericOptionFields } from './numeric.js';
import type { Strategy } from './types.js';

const options = z.strictObject({
  ...numericOptionFields,
  proportion: z.number().min(0).lt(0.5).default(0.2),
});

export const trimmedMean: Strategy<z.infer<typeof options>> = {
  name: 'trimmed-mean',
  summary: 'mean after dropping floor(n*proportion) answers at each end (proportion 0.2)',
  kinds: ['numeric'],
  options,
  create: (config) => ({
    decide(answers) {
      const values = numbersOf(answers);
      const sorted = [...values].sort((a, b) => a - b);
      const cut = Math.floor(sorted.length * config.proportion);
      const decision = numericDecision(mean(sorted.slice(cut, sorted.length - cut)), values, config);
      return { ...decision, details: { ...decision.details, trimmed: cut * 2 } };
    },
  }),
};
