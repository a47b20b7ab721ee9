/**
 * Retries for S3 reads. The SDK retries a request until its response headers arrive; a connection reset or stall
 * while the body streams surfaces afterwards, so whole reads (request and body) are retried here, with capped
 * exponential backoff and full jitter (delay uniform in [0, min(cap, base * 2^attempt)], the AWS Architecture Blog's
 * recommendation), for throttling, 5xx, timeouts and broken connections.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Total attempts per read, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 5_000 };

const retryableCodes = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError',
  'ServiceUnavailable', 'TooManyRequestsException', 'RequestThrottled', 'TimeoutError',
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);

interface MaybeServiceError {
  name?: string;
  code?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  cause?: unknown;
}

export function isRetryable(error: unknown): boolean {
  const e = error as MaybeServiceError;
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  if (e.$retryable || status === 429 || (status !== undefined && status >= 500)) return true;
  if ((e.name && retryableCodes.has(e.name)) || (e.code && retryableCodes.has(e.code))) return true;
  if (e.name === 'AbortError' || /socket hang up|aborted|premature close/i.test(String((error as Error).message))) return true;
  return e.cause !== undefined && isRetryable(e.cause);
}

/** Attempts the SDK made inside one call, beyond the first (0 when unknown). */
export const sdkRetriesOf = (value: unknown): number =>
  Math.max(0, ((value as MaybeServiceError)?.$metadata?.attempts ?? 1) - 1);

/** The wait before retry number `n` (0-based): full jitter over a capped exponential. */
export function backoffMs(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
}

export function backoff(policy: RetryPolicy, n: number, random: () => number = Math.random): Promise<void> {
  return sleep(backoffMs(policy, n, random));
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or the policy's attempts are spent. */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  onRetry: (error: unknown) => void,
  random: () => number = Math.random,
): Promise<T> {
  for (let n = 0; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (n + 1 >= policy.attempts || !isRetryable(error)) throw error;
      onRetry(error);
      await backoff(policy, n, random);
    }
  }
}
