/**
 * S3 behind the `Storage` interface. Reads retry whole (request and body) and never leave a body unread: an unread
 * body holds its socket. The manifest stream resumes after a broken connection from the last byte received (a ranged
 * GET pinned to the first response's ETag), so a long manifest survives resets without re-reading or losing a line.
 * Writes stream through `@aws-sdk/lib-storage`'s `Upload` (multipart past 5 MiB) and are aborted on failure, so no
 * partial object is ever visible. A folder's files (`createFolderWriter`) are each a one-part multipart upload, the part
 * sent as the file comes and the upload completed on commit: published together, and none visible before.
 */
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand,
  ListObjectsV2Command, UploadPartCommand,
  type GetObjectCommandOutput, type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { RejectError, UsageError } from '../../errors.js';
import pLimit from 'p-limit';
import { checkFileName, type FolderWriter, type OutputWriter, type SizedReadable, type Storage } from '../storage.js';
import { backoff, isRetryable, sdkRetriesOf, withRetries, type RetryPolicy } from './retry.js';
import { s3Defaults, type S3Settings } from './s3-settings.js';
import { SignedGetter, type SignedGetResponse } from './signed-get.js';
import { parseS3Uri, type S3Location } from './s3-uri.js';

export interface RetryCounter {
  retries: number;
}

function locationOf(uri: string): S3Location {
  const location = parseS3Uri(uri);
  if (!location) throw new UsageError(`${uri}: expected s3://bucket/key`);
  return location;
}

const errorName = (error: unknown): string =>
  (error as { name?: string; code?: string }).code ?? (error as Error).name ?? 'Error';

export class S3Storage implements Storage {
  private signedGetter?: SignedGetter;

  constructor(
    private readonly client: S3Client,
    private readonly policy: RetryPolicy,
    private readonly counter: RetryCounter,
    private readonly settings: S3Settings = {},
  ) {}

  private async get(location: S3Location, range?: { offset: number; etag: string | undefined }): Promise<GetObjectCommandOutput> {
    try {
      const response = await this.client.send(new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(range && { Range: `bytes=${range.offset}-`, IfMatch: range.etag }),
      }));
      this.counter.retries += sdkRetriesOf(response);
      return response;
    } catch (error) {
      this.counter.retries += sdkRetriesOf(error);
      throw error;
    }
  }

  async openRead(uri: string): Promise<SizedReadable> {
    const stream: SizedReadable = Readable.from(this.resumableChunks(locationOf(uri), (size) => (stream.totalBytes = size)), { objectMode: false });
    return stream;
  }

  /** The object's bytes, resuming a broken stream; `onSize` hears the whole object's `Content-Length` from the first response. */
  private async *resumableChunks(location: S3Location, onSize: (size: number) => void): AsyncGenerator<Buffer> {
    let offset = 0;
    let etag: string | undefined;
    for (let failures = 0; ;) {
      try {
        const response = await this.get(location, offset > 0 ? { offset, etag } : undefined);
        etag ??= response.ETag;
        if (offset === 0 && response.ContentLength !== undefined) onSize(response.ContentLength);
        for await (const chunk of response.Body as Readable) {
          offset += (chunk as Buffer).length;
          failures = 0;
          yield chunk as Buffer;
        }
        return;
      } catch (error) {
        failures += 1;
        if (failures >= this.policy.attempts || !isRetryable(error)) {
          const after = isRetryable(error) ? ` after ${failures} attempts` : '';
          throw new Error(`reading s3://${location.bucket}/${location.key} failed at byte ${offset}${after}: ${errorName(error)}`, { cause: error });
        }
        this.counter.retries += 1;
        await backoff(this.policy, failures - 1);
      }
    }
  }

  async readAll(uri: string, maxBytes: number): Promise<Buffer> {
    const location = locationOf(uri);
    try {
      return await withRetries(this.policy, async () => {
        const { contentLength, body } = await this.getWhole(location);
        if ((contentLength ?? 0) > maxBytes) {
          body.destroy();
          throw new RejectError('response-too-large', `${uri} is ${contentLength} bytes, over the ${maxBytes}-byte limit`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of withinSilence(body, this.settings.bodyTimeoutMs ?? s3Defaults.bodyTimeoutMs)) {
          size += chunk.length;
          // Leaving the loop destroys the body, so an oversized stream is never read to its end.
          if (size > maxBytes) throw new RejectError('response-too-large', `${uri} is over the ${maxBytes}-byte limit`);
          chunks.push(chunk);
        }
        return Buffer.concat(chunks, size);
      }, () => (this.counter.retries += 1));
    } catch (error) {
      if (error instanceof RejectError) throw error;
      const name = errorName(error);
      if (name === 'NoSuchKey' || name === 'NotFound') throw new RejectError('response-missing', `not found: ${uri}`);
      const attempts = isRetryable(error) ? ` after ${this.policy.attempts} attempts` : '';
      throw new RejectError('response-unreadable', `${name}${attempts}: ${(error as Error).message}`);
    }
  }

  /** One GET of a whole object: a lean signed GET (`signed-get.ts`), or the SDK's for buckets that path cannot sign. */
  private async getWhole(location: S3Location): Promise<SignedGetResponse> {
    const { maxSockets, connectionTimeoutMs, requestTimeoutMs } = { ...s3Defaults, ...this.settings };
    this.signedGetter ??= new SignedGetter(this.client, { maxSockets, connectionTimeoutMs, requestTimeoutMs });
    if (await this.signedGetter.supports(location.bucket)) return this.signedGetter.get(location.bucket, location.key);
    const response = await this.get(location);
    return { contentLength: response.ContentLength, body: response.Body as Readable };
  }

  /** Closes the lean path's connections (the SDK client is closed by its owner). */
  async close(): Promise<void> {
    await this.signedGetter?.close();
  }

  async createWriter(uri: string): Promise<OutputWriter> {
    const { bucket, key } = locationOf(uri);
    return new UploadWriter(this.client, uri, bucket, key);
  }

  async createFolderWriter(uri: string): Promise<FolderWriter> {
    const { bucket, key } = locationOf(uri);
    return new FolderUploadWriter(this.client, bucket, asFolder(key));
  }

  /** One DELETE per object listed under the prefix: what this removes (a checkpoint) holds a few. */
  async removeFolder(uri: string): Promise<void> {
    const { bucket, key } = locationOf(uri);
    const limit = pLimit(folderUploads);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: asFolder(key), ContinuationToken }));
      await Promise.all((page.Contents ?? []).map(({ Key }) => limit(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key })))));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
  }
}

/** `out/masks` and `out/masks/` → `out/masks/`: the objects of a folder, not those whose names merely start alike. */
const asFolder = (key: string): string => (key.endsWith('/') || key === '' ? key : `${key}/`);

/** The body's chunks; a silence longer than `ms` fails it with a retryable `TimeoutError`. */
async function* withinSilence(body: Readable, ms: number): AsyncGenerator<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => body.destroy(Object.assign(new Error(`the body stalled for ${ms} ms`), { name: 'TimeoutError' })), ms);
  };
  arm();
  try {
    for await (const chunk of body) {
      arm();
      yield chunk as Buffer;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Uploads in flight at once, per folder; `write` waits while this many are. */
const folderUploads = 16;
const contentTypes: Record<string, string> = { png: 'image/png' };

/**
 * One multipart upload per file: created and its single part sent by `write` (up to `folderUploads` at a time), so the
 * bytes are not held until the end; completed by `commit`, aborted by `abort`. An upload never completed stays
 * invisible (and is removed by the bucket's `AbortIncompleteMultipartUpload` rule if the process is killed).
 */
class FolderUploadWriter implements FolderWriter {
  private readonly staged: { key: string; uploadId: string; etag?: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly client: S3Client, private readonly bucket: string, private readonly prefix: string) {}

  locationOf(name: string): string {
    return `s3://${this.bucket}/${this.prefix}${name}`;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    checkFileName(name);
    while (this.inFlight.size >= folderUploads) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const task: Promise<void> = this.upload(name, bytes)
      .catch((error: unknown) => void (this.failure ??= new Error(`upload to ${this.locationOf(name)} failed: ${errorName(error)}: ${(error as Error).message}`, { cause: error })))
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async upload(name: string, bytes: Uint8Array): Promise<void> {
    const Key = this.prefix + name;
    const ContentType = contentTypes[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType }));
    const staged: (typeof this.staged)[number] = { key: Key, uploadId: UploadId! };
    this.staged.push(staged); // before the part, so that `abort` covers it
    const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber: 1, Body: bytes }));
    staged.etag = ETag;
  }

  async finish(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    await this.finish();
    const limit = pLimit(folderUploads);
    await Promise.all(this.staged.map(({ key, uploadId, etag }) => limit(() => this.client.send(new CompleteMultipartUploadCommand({
      Bucket: this.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] },
    })))));
    this.staged.length = 0;
  }

  /** Best effort, on a run that is failing anyway: an abort that fails leaves an upload that was never visible. */
  async abort(): Promise<void> {
    this.failure ??= new Error('upload aborted');
    await Promise.allSettled(this.inFlight);
    const limit = pLimit(folderUploads);
    await Promise.allSettled(this.staged.map(({ key, uploadId }) => limit(() =>
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })))));
    this.staged.length = 0;
  }
}

/**
 * Feeds an `Upload` through a stream; the upload runs while lines are written, completes on commit and is aborted on
 * failure. When the upload itself fails, lib-storage has already destroyed the body: a write waiting for `drain` would
 * wait forever, so every wait also watches the upload, and the upload's error reaches the writer.
 */
class UploadWriter implements OutputWriter {
  private readonly body = new PassThrough();
  private readonly done: Promise<unknown>;
  /** Rejects with the upload's error as soon as it fails; never resolves. */
  private readonly failed: Promise<never>;
  private failure: unknown;

  constructor(client: S3Client, private readonly uri: string, bucket: string, key: string) {
    const upload = new Upload({ client, params: { Bucket: bucket, Key: key, Body: this.body }, leavePartsOnError: false });
    this.done = upload.done();
    this.failed = new Promise<never>((_, reject) => {
      this.done.catch((error: unknown) => {
        this.failure ??= this.describe(error);
        this.body.destroy();
        reject(this.failure);
      });
    });
    this.failed.catch(() => {}); // observed by the writes and the commit
  }

  async write(chunk: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.body.write(chunk)) await Promise.race([once(this.body, 'drain'), this.failed]);
  }

  /** Nothing to stage: an S3 object appears only when its upload completes, in `commit`. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    if (this.failure) throw this.failure;
    this.body.end();
    await this.done.catch(() => this.failed);
  }

  /**
   * Fails the body stream rather than calling `Upload.abort()`: `abort()` settles `done()` at once and leaves the
   * AbortMultipartUpload request running in the background, while a failed body makes the upload abort its multipart
   * upload before `done()` settles, so when this returns no part is left behind.
   */
  async abort(): Promise<void> {
    this.failure ??= new Error('upload aborted');
    this.body.destroy(this.failure as Error);
    await this.done.catch(() => {});
  }

  /** One line naming the object and the cause ("The operation was aborted" alone says neither). */
  private describe(error: unknown): Error {
    const name = errorName(error);
    const cause = name === 'AbortError' || name === 'TimeoutError' ? 'no answer from S3 in time' : `${name}: ${(error as Error).message}`;
    return new Error(`upload to ${this.uri} failed: ${cause}`, { cause: error });
  }
}
