import type { z } from 'zod';
import { UsageError } from '../errors.js';

/** The first problem zod found, as one line naming the bad key: `fields.sentiment.tie: Invalid option: …`. */
export function usageErrorFrom(error: z.ZodError, prefix: readonly string[] = []): UsageError {
  const issue = error.issues[0]!;
  const at = [...prefix, ...issue.path.map(String)].join('.');
  return new UsageError(at ? `${at}: ${issue.message}` : issue.message);
}
