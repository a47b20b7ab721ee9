import { Readable } from 'node:stream';
import { CreateMultipartUploadCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
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

describe('S3Storage.readAll', () => {
  let counter: { retries: number };
  let storage: S3Storage;
  beforeEach(() => {
    s3.reset();
    counter = { retries: 0 };
    storage = new S3Storage(new S3Client({ region: 'us-east-1' }), policy, counter);
  });

  it('retries a read whose body breaks mid-stream, and counts the retry', async () => {
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: brokenBody(['{"answ']) })
      .resolvesOnce({ Body: body('{"answers":[]}') });
    expect((await storage.readAll('s3://b/k.json', 1000)).toString()).toBe('{"answers":[]}');
    expect(counter.retries).toBe(1);
  });

  it('retries 503 SlowDown and 500, then gives up with the error code after the last attempt', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('SlowDown', 503));
    const error = await storage.readAll('s3://b/k.json', 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectError);
    expect(error).toMatchObject({ code: 'response-unreadable', message: expect.stringContaining('SlowDown after 4 attempts') });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(4);
    expect(counter.retries).toBe(3);
  });

  it('gives up on a body that stalls mid-stream after the body timeout, not the request timeout, and retries it', async () => {
    const stalled = new Readable({ read() {} }); // headers came, then silence
    s3.on(GetObjectCommand).resolvesOnce({ Body: sdkStreamMixin(stalled) }).resolvesOnce({ Body: body('{"answers":[]}') });
    const quick = new S3Storage(new S3Client({ region: 'us-east-1' }), policy, counter, 50);
    // Without the body timeout this read would wait for the stalled body for ever.
    expect((await quick.readAll('s3://b/k.json', 1000)).toString()).toBe('{"answers":[]}');
    expect(counter.retries).toBe(1);
    expect(stalled.destroyed).toBe(true);
  });

  it('does not retry a missing key or access denied', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(new NoSuchKey({ message: 'gone', $metadata: {} }))
      .rejectsOnce(serviceError('AccessDenied', 403));
    await expect(storage.readAll('s3://b/k.json', 1000)).rejects.toMatchObject({ code: 'response-missing' });
    await expect(storage.readAll('s3://b/k.json', 1000)).rejects.toMatchObject({ code: 'response-unreadable', message: expect.stringMatching(/^AccessDenied:/) });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
    expect(counter.retries).toBe(0);
  });

  it('rejects an oversized response from its Content-Length, destroying the unread body', async () => {
    const stream = Readable.from([Buffer.from('x'.repeat(100))]);
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(stream), ContentLength: 100 });
    await expect(storage.readAll('s3://b/k.json', 10)).rejects.toMatchObject({ code: 'response-too-large' });
    expect(stream.destroyed).toBe(true);
  });

  it('stops reading a body without Content-Length once it passes the limit', async () => {
    let produced = 0;
    async function* endless() {
      for (;;) {
        produced += 1;
        yield Buffer.alloc(1024);
      }
    }
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from(endless())) });
    await expect(storage.readAll('s3://b/k.json', 4096)).rejects.toMatchObject({ code: 'response-too-large' });
    expect(produced).toBeLessThan(10);
  });
});

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
  it('resumes a broken manifest stream from the last byte received, pinned to the ETag', async () => {
    s3.reset();
    s3.on(GetObjectCommand)
      .resolvesOnce({ Body: brokenBody(['line 1\nli']), ETag: '"abc"' })
      .resolvesOnce({ Body: body('ne 2\n'), ETag: '"abc"' });
    const counter = { retries: 0 };
    const stream = await new S3Storage(new S3Client({ region: 'us-east-1' }), policy, counter).openRead('s3://b/m.manifest');
    let text = '';
    for await (const chunk of stream) text += chunk;
    expect(text).toBe('line 1\nline 2\n');
    expect(s3.commandCalls(GetObjectCommand)[1]!.args[0].input).toMatchObject({ Range: 'bytes=9-', IfMatch: '"abc"' });
    expect(counter.retries).toBe(1);
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
