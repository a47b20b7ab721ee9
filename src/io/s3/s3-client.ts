/**
 * The one S3 client of a process, configured the AWS way: the SDK's default credential chain and region resolution
 * (environment, shared config and credentials files, `profile`, SSO, container and instance roles), or an explicit
 * region and profile; `endpointUrl` with path-style addressing for S3-compatible stores (MinIO, Ceph, s3rver).
 *
 * Throughput and failure settings, and why:
 * - one keep-alive agent whose socket pool matches the fetch concurrency, so every concurrent read has a warm
 *   connection and none waits for a socket;
 * - `connectionTimeout` bounds the TCP connect; `requestTimeout` bounds the wait for response headers and, with
 *   `throwOnRequestTimeout`, really aborts (by default the SDK only logs a warning); `socketTimeout` bounds inactivity,
 *   which is what catches a body that stalls mid-stream;
 * - the SDK's own retries (until response headers arrive) use the same capped, fully jittered backoff as the tool's
 *   whole-read retries (`retry.ts`);
 * - checksums only when an operation requires them: the SDK's default flexible checksums send streamed uploads with
 *   aws-chunked trailers that several S3-compatible stores mishandle, and reads need none (sizes are checked).
 */
import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { backoffMs, defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { s3Defaults, type S3Settings } from './s3-settings.js';

export function createS3Client(settings: S3Settings = {}, retry: RetryPolicy = defaultRetryPolicy): S3Client {
  const maxSockets = settings.maxSockets ?? s3Defaults.maxSockets;
  const requestTimeout = settings.requestTimeoutMs ?? s3Defaults.requestTimeoutMs;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  return new S3Client({
    ...(settings.region && { region: settings.region }),
    // A custom endpoint seldom has regions; the SDK still needs one to sign requests.
    ...(!settings.region && settings.endpointUrl && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && { region: 'us-east-1' }),
    ...(settings.profile && { profile: settings.profile }),
    ...(settings.endpointUrl && { endpoint: settings.endpointUrl, forcePathStyle: true }),
    retryStrategy: new ConfiguredRetryStrategy(settings.sdkMaxAttempts ?? s3Defaults.sdkMaxAttempts, (attempt) => backoffMs(retry, attempt - 1)),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: settings.connectionTimeoutMs ?? s3Defaults.connectionTimeoutMs,
      requestTimeout,
      socketTimeout: requestTimeout,
      throwOnRequestTimeout: true,
    }),
  });
}
