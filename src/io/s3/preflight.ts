/**
 * Fails fast, before any line is processed, with one clear line, when the manifest or an output bucket cannot be
 * reached: missing credentials or region, a bucket that does not exist or is in another region, a missing manifest,
 * access denied.
 */
import { HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../../errors.js';
import { withRetries, type RetryPolicy } from './retry.js';
import type { RetryCounter } from './s3-storage.js';
import { parseS3Uri } from './s3-uri.js';

/** Throttling, 5xx and broken connections are retried like any read (`policy`); the rest is the user's to fix. */
export async function checkS3Access(
  client: S3Client, manifest: string | undefined, outputs: readonly string[], policy: RetryPolicy, counter: RetryCounter,
): Promise<void> {
  const check = (command: HeadObjectCommand | HeadBucketCommand) =>
    withRetries(policy, () => client.send(command as HeadObjectCommand), () => (counter.retries += 1));
  if (manifest !== undefined) {
    const { bucket, key } = parseS3Uri(manifest) ?? invalid(manifest);
    await check(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error) => {
      throw explain(error, manifest, 'manifest');
    });
  }
  const buckets = new Set(outputs.map((uri) => (parseS3Uri(uri) ?? invalid(uri)).bucket));
  for (const bucket of buckets) {
    await check(new HeadBucketCommand({ Bucket: bucket })).catch((error) => {
      throw explain(error, `s3://${bucket}`, 'output bucket');
    });
  }
}

function invalid(uri: string): never {
  throw new UsageError(`${uri}: expected s3://bucket/key`);
}

function explain(error: unknown, uri: string, what: string): UsageError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const message = e.message ?? String(error);
  if (e.name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new UsageError(`no AWS credentials for ${uri}: set AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run with a role (${message})`);
  }
  if (/region is missing/i.test(message)) return new UsageError(`no AWS region for ${uri}: pass --region or set AWS_REGION`);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) return new UsageError(`${what} ${uri}: cannot reach the S3 endpoint (${message})`);
  if (status === 301 || e.name === 'PermanentRedirect') return new UsageError(`${what} ${uri} is in another region: pass its --region`);
  if (e.name === 'NoSuchBucket' || (what === 'output bucket' && status === 404)) return new UsageError(`${what} ${uri}: the bucket does not exist`);
  if (status === 404 || e.name === 'NotFound' || e.name === 'NoSuchKey') return new UsageError(`${what} ${uri} does not exist`);
  if (status === 403) return new UsageError(`${what} ${uri}: access denied (check the credentials and the IAM policy in the README)`);
  return new UsageError(`${what} ${uri}: ${e.name ?? 'Error'}: ${message}`);
}
