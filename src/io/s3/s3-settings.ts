/**
 * How to reach S3, and the defaults: apart from `s3-client.ts` so that the CLI's option table and a run that never
 * touches S3 do not load the SDK.
 */
export interface S3Settings {
  region?: string;
  profile?: string;
  /** An S3-compatible endpoint such as `http://127.0.0.1:9000`; implies path-style addressing. */
  endpointUrl?: string;
  /** Sockets to keep open: the fetch concurrency. */
  maxSockets?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * Longest silence while a worker response's body streams, shorter than `requestTimeoutMs`: responses are a few KB,
   * so a stalled one is retried at once instead of holding the in-order window for the whole request timeout.
   */
  bodyTimeoutMs?: number;
  /** SDK attempts per request (its own retries, until headers arrive). */
  sdkMaxAttempts?: number;
}

export const s3Defaults = { maxSockets: 64, connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000, bodyTimeoutMs: 3_000, sdkMaxAttempts: 3 } as const;
