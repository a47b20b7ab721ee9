/**
 * Median: the middle number; with an even count, the mean of the two middle ones (the convention that reproduces
 * Zheng et al.'s published N_Emotion figures). Robust to one harsh or lenient worker. Confidence: see `numeric.ts`.
 */
import { median as middle } from 'simple-statistics';
import { z } from 'zod';
import { numericOptionFields, numericStrategy } from './numeric.js';

export const median = numericStrategy({
  name: 'median',
  summary: 'median (even count: mean of the two middle values); confidence from the spread',
  options: z.strictObject({ ...numericOptionFields }),
  center: (values) => middle([...values]),
});
