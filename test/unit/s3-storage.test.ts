import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { backoffMs, isRetryable, withRetries } from '../../src/io/s3/retry.js';
import { S3Storage } from '../../src/io/s3/s3-storage.js';

const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
const s3 = mockClient(S3Client);

/** A body that yields `chunks` and then fails with a connection reset, as a dropped connection does mid-body. */
function brokenBody(chunks: string[]) {
  async function* generate() {
    for (const chunk of chunks) yield Buffer.from(chunk);
    throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  }
  return sdkStreamMixin(Readable.from(generate()));
}
const body = (text: string) => sdkStreamMixin(Readable.from([Buffer.from(text)]));
const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

describe('S3Storage writers when the upload fails', () => {
  beforeEach(() => s3.reset());
  const storage = () => new S3Storage(new S3Client({ region: 'us-east-1' }), policy, { retries: 0 });

  it('a write waiting for the upload gets its error (it used to wait for a drain that never came)', async () => {
    s3.on(CreateMultipartUploadCommand).rejects(serviceError('AccessDenied', 403));
    const writer = await storage().createWriter('s3://b/out.manifest');
    const chunk = 'x'.repeat(1024 * 1024);
    const writing = (async () => {
      // Far past what the upload buffers (a 5 MiB part, four at once), so a write must wait for it.
      for (let i = 0; i < 64; i += 1) await writer.write(chunk);
    })();
    await expect(writing).rejects.toThrow('upload to s3://b/out.manifest failed: AccessDenied');
    await writer.abort();
  });

  it('a small upload that fails makes commit fail with one line naming the object', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('InternalError', 500));
    const writer = await storage().createWriter('s3://b/summary.json');
    await writer.write('{}');
    await writer.finish();
    await expect(writer.commit()).rejects.toThrow('upload to s3://b/summary.json failed: InternalError');
  });
});

describe('S3Storage.openRead', () => {
  it('resumes a broken manifest stream from the last byte received, pinned to the ETag; its size (progress\'s total) is the object\'s', async () => {
    s3.reset();
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: brokenBody(['line 1\nli']), ETag: '"abc"', ContentLength: 14 })
      .resolvesOnce({ Body: body('ne 2\n'), ETag: '"abc"', ContentLength: 5 });
    const counter = { retries: 0 };
    const stream = await new S3Storage(new S3Client({ region: 'us-east-1' }), policy, counter).openRead('s3://b/m.manifest');
    let text = '';
    for await (const chunk of stream) text += chunk;
    expect(text).toBe('line 1\nline 2\n');
    expect(s3.commandCalls(GetObjectCommand)[1]!.args[0].input).toMatchObject({ Range: 'bytes=9-', IfMatch: '"abc"' });
    expect(counter.retries).toBe(1);
    expect(stream.totalBytes).toBe(14); // the first response's Content-Length, not the resumed range's
  });

  it('a stream that keeps breaking fails with one line naming the object, the byte and the error, not the SDK\'s text', async () => {
    s3.reset();
    s3.on(GetObjectCommand).callsFake(() => ({ Body: brokenBody([]), ETag: '"abc"' }));
    const stream = await new S3Storage(new S3Client({ region: 'us-east-1' }), policy, { retries: 0 }).openRead('s3://b/m.manifest');
    const reading = (async () => {
      for await (const _ of stream);
    })();
    await expect(reading).rejects.toThrow(`reading s3://b/m.manifest failed at byte 0 after ${policy.attempts} attempts: ECONNRESET`);
  });
});

describe('retry policy', () => {
  it('classifies throttling, 5xx, timeouts and broken connections as retryable, client errors not', () => {
    expect(isRetryable(serviceError('SlowDown', 503))).toBe(true);
    expect(isRetryable(serviceError('InternalError', 500))).toBe(true);
    expect(isRetryable(serviceError('TooManyRequests', 429))).toBe(true);
    expect(isRetryable(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new Error('socket hang up'))).toBe(true);
    expect(isRetryable(serviceError('AccessDenied', 403))).toBe(false);
    expect(isRetryable(new RejectError('response-too-large', 'big'))).toBe(false);
  });

  it('backs off with full jitter under a capped exponential', () => {
    const wide = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(wide, 0, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffMs(wide, 3, () => 0.5)).toBe(400);
    expect(backoffMs(wide, 8, () => 0.999)).toBeCloseTo(999);
    expect(backoffMs(wide, 8, () => 0)).toBe(0);
  });

  it('returns the first success and stops on a non-retryable error', async () => {
    let calls = 0;
    const retried: unknown[] = [];
    await expect(withRetries(policy, async () => {
      calls += 1;
      if (calls < 3) throw serviceError('SlowDown', 503);
      return 'ok';
    }, (e) => retried.push(e))).resolves.toBe('ok');
    expect(retried).toHaveLength(2);
    await expect(withRetries(policy, async () => { throw serviceError('AccessDenied', 403); }, () => retried.push(1)))
      .rejects.toMatchObject({ name: 'AccessDenied' });
    expect(retried).toHaveLength(2);
  });
});
