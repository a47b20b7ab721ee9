import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { didYouMeanHint } from '../text/did-you-mean.js';

/**
 * The first problem zod found, as one line naming the bad key: `fields.sentiment.tie: Invalid option: …`; an
 * unrecognised key of the object `known` lists gets a "did you mean" (`feilds` → `fields`).
 */
export function usageErrorFrom(error: z.ZodError, prefix: readonly string[] = [], known: readonly string[] = []): UsageError {
  const issue = error.issues[0]!;
  const at = [...prefix, ...issue.path.map(String)].join('.');
  const hint = issue.code === 'unrecognized_keys' && issue.path.length === 0 ? didYouMeanHint(issue.keys[0]!, known) : '';
  const message = `${issue.message}${hint}`;
  return new UsageError(at ? `${at}: ${message}` : message);
}
