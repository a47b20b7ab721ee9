/** Mean: the arithmetic mean of the workers' numbers; confidence from their spread (see `numeric.ts`). */
import { mean as average } from 'simple-statistics';
import { z } from 'zod';
import { numericOptionFields, numericStrategy } from './numeric.js';

export const mean = numericStrategy({
  name: 'mean',
  summary: 'arithmetic mean; confidence from the spread (scale-aware with scale: [min, max])',
  options: z.strictObject({ ...numericOptionFields }),
  center: (values) => average([...values]),
});
