/**
 * A fitted model as plain JSON (`Consolidator.save` / `restore`): what `fit` learned, written by one process (the
 * sharded `fit`, `src/scale-out/`) and read back by others. Read back, it is untrusted: every part is checked here
 * before a strategy decides from it. JSON keeps doubles exactly (shortest round-trip form), so a restored model
 * decides bit for bit as the fitted one.
 */
import { z } from 'zod';
import { UsageError } from '../src/errors.js';
import type { FitReport, WorkerSkill } from './types.js';

const probability = z.number().min(0).max(1);

export const savedFitReport: z.ZodType<FitReport> = z.strictObject({
  iterations: z.int().min(0),
  converged: z.boolean(),
  warnings: z.array(z.string()).optional(),
});

export const savedSkills: z.ZodType<[string, WorkerSkill][]> = z.array(z.tuple([
  z.string(),
  z.strictObject({ accuracy: z.number(), confusion: z.array(z.array(probability)).optional() }),
]));

/** `saved` as `schema` says, or a `UsageError` naming the strategy (a model file that does not fit is the user's to fix). */
export function readSaved<T>(strategy: string, schema: z.ZodType<T>, saved: unknown): T {
  const parsed = schema.safeParse(saved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`the saved ${strategy} model is not valid at ${issue.path.join('.') || 'its top'}: ${issue.message}; fit it again`);
  }
  return parsed.data;
}
