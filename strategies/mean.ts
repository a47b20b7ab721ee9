/** Mean: the arithmetic mean of the workers' numbers; confidence from their spread (see `numeric.ts`). */
import { mean as average } from 'simple-statistics';
import { z } from 'zod';
import { numbersOf, numericDecision, numericOptionFields } from './numeric.js';
import type { Strategy } from './types.js';

const options = z.strictObject({ ...numericOptionFields });

export const mean: Strategy<z.infer<typeof options>> = {
  name: 'mean',
  summary: 'arithmetic mean; confidence from the spread (scale-aware with scale: [min, max])',
  kinds: ['numeric'],
  options,
  create: (config) => ({
    decide(answers) {
      const values = numbersOf(answers);
      return numericDecision(average(values), values, config);
    },
  }),
};
