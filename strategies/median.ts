/**
 * Median: the middle number; with an even count, the mean of the two middle ones (the convention that reproduces
 * Zheng et al.'s published N_Emotion figures). Robust to one harsh or lenient worker. Confidence: see `numeric.ts`.
 */
import { median as middle } from 'simple-statistics';
import { z } from 'zod';
import { numbersOf, numericDecision, numericOptionFields } from './numeric.js';
import type { Strategy } from './types.js';

const options = z.strictObject({ ...numericOptionFields });

export const median: Strategy<z.infer<typeof options>> = {
  name: 'median',
  summary: 'median (even count: mean of the two middle values); confidence from the spread',
  kinds: ['numeric'],
  options,
  create: (config) => ({
    decide(answers) {
      const values = numbersOf(answers);
      return numericDecision(middle(values), values, config);
    },
  }),
};
