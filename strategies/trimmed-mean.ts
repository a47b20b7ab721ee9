/**
 * Trimmed mean: drop the floor(n * proportion) lowest and highest numbers, average the rest. With the default
 * proportion 0.2, five answers lose one at each end and three or four answers lose none. Confidence (see `numeric.ts`)
 * is computed on all answers, so a trimmed outlier still lowers it.
 */
import { mean } from 'simple-statistics';
import { z } from 'zod';
import { numericOptionFields, numericStrategy } from './numeric.js';

const cutOf = (count: number, proportion: number): number => Math.floor(count * proportion);

export const trimmedMean = numericStrategy({
  name: 'trimmed-mean',
  summary: 'mean after dropping floor(n*proportion) answers at each end (proportion 0.2)',
  options: z.strictObject({ ...numericOptionFields, proportion: z.number().min(0).lt(0.5).default(0.2) }),
  center: (values, { proportion }) => {
    const sorted = [...values].sort((a, b) => a - b);
    const cut = cutOf(sorted.length, proportion);
    return mean(sorted.slice(cut, sorted.length - cut));
  },
  details: (values, { proportion }) => ({ trimmed: 2 * cutOf(values.length, proportion) }),
});
