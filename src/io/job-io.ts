/**
 * A job's I/O, built once per process (or worker thread): the storage for each location (`s3://` → S3, anything else
 * → local files), the one S3 client (made on first use), the retry policy and its counter, and the ref policy that
 * says where worker responses may be read from. The CLI, a run, an export and each worker thread all start here.
 *
 * The S3 side (the SDK, undici, the signer: about 35 MiB of a process's memory) is imported on the first S3
 * location, so a run on local files never loads it.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { localStorage, readWithin } from './local-storage.js';
import { jobMirror, parseMirror, type JobMirror, type Mirror } from './mirror.js';
import { MirrorReader } from './mirror-reader.js';
import { parseAllowedPrefix, RefResolver } from './refs.js';
import { defaultRetryPolicy, type RetryPolicy } from './s3/retry.js';
import type { S3Settings } from './s3/s3-settings.js';
import type { RetryCounter, S3Storage } from './s3/s3-storage.js';
import { isS3Uri, parseS3Uri } from './s3/s3-uri.js';
import type { Storage } from './storage.js';

export interface IoSettings {
  /**
   * How to reach S3 (region, profile, endpoint, timeouts, sockets). With `s3Client`, only the sockets and timeouts of
   * whole-object reads (signed GETs outside the client, `signed-get.ts`) apply.
   */
  s3?: S3Settings;
  /** A client to use as is; its owner closes it. */
  s3Client?: S3Client;
  /** Whole-read retries for S3 (attempts, backoff). */
  retry?: Partial<RetryPolicy>;
  /** Mirrored worker responses read on a thread of their own (`mirror-reader.ts`); else on the calling thread. */
  mirrorThread?: boolean;
}

/** Where worker responses may be read from: mirrors (explicit, or the synced job's own folder), then S3 prefixes. */
export interface RefPolicy {
  mirrors: readonly Mirror[];
  job?: JobMirror;
  allowedPrefixes: readonly string[];
}

export class JobIO {
  readonly retry: RetryPolicy;
  readonly counter: RetryCounter = { retries: 0 };
  private s3Storage?: S3Storage;
  private s3StorageLoaded?: Promise<S3Storage>;
  private s3Client?: Promise<S3Client>;
  /** Started on the first mirrored read. */
  private mirrorReader?: MirrorReader;

  constructor(private readonly settings: IoSettings = {}) {
    this.retry = { ...defaultRetryPolicy, ...settings.retry };
  }

  storageFor(location: string): Storage {
    return isS3Uri(location) ? (this.s3Storage ?? this.s3StorageOnFirstUse) : localStorage;
  }

  client(): Promise<S3Client> {
    return (this.s3Client ??= this.settings.s3Client
      ? Promise.resolve(this.settings.s3Client)
      : import('./s3/s3-client.js').then(({ createS3Client }) => createS3Client(this.settings.s3, this.retry)));
  }

  /** Stands in for the S3 storage until its modules are loaded; later calls get the storage itself. */
  private readonly s3StorageOnFirstUse: Storage = {
    openRead: async (location) => (await this.loadS3Storage()).openRead(location),
    readAll: async (location, maxBytes) => (await this.loadS3Storage()).readAll(location, maxBytes),
    createWriter: async (location) => (await this.loadS3Storage()).createWriter(location),
    createFolderWriter: async (location) => (await this.loadS3Storage()).createFolderWriter(location),
    removeFolder: async (location) => (await this.loadS3Storage()).removeFolder(location),
  };

  private loadS3Storage(): Promise<S3Storage> {
    return (this.s3StorageLoaded ??= Promise.all([this.client(), import('./s3/s3-storage.js')])
      .then(([client, { S3Storage }]) => (this.s3Storage = new S3Storage(client, this.retry, this.counter, this.settings.s3))));
  }

  /** Reads the worker response a ref points at, where the policy allows (throws `RejectError` otherwise). */
  responseReader(refs: RefPolicy): (ref: string, maxBytes: number) => Promise<Buffer> {
    const resolver = new RefResolver(refs.mirrors, refs.job, refs.allowedPrefixes);
    return (ref, maxBytes) => {
      const location = resolver.resolve(ref);
      if (typeof location === 'string') return this.storageFor(location).readAll(location, maxBytes);
      if (!this.settings.mirrorThread) return readWithin(location, maxBytes);
      return (this.mirrorReader ??= new MirrorReader(readWithin)).read(location, maxBytes);
    };
  }

  /** Releases the connections of a client made here (a client passed in stays its owner's), and the mirror reader. */
  close(): void {
    void this.mirrorReader?.close();
    this.s3Storage?.close().catch(() => {}); // idle connections: nothing a finished run could act on
    if (!this.settings.s3Client) void this.s3Client?.then((client) => client.destroy(), () => {});
  }
}

/**
 * The ref policy of a job: explicit mirrors; else, for a local manifest in a synced job folder, that folder; and S3
 * refs in the manifest's own bucket or under an allowed prefix.
 */
export function refPolicyFor(
  manifest: string,
  settings: { mirrors?: readonly string[]; allowRefPrefixes?: readonly string[] },
  log: (message: string) => void,
): RefPolicy {
  const mirrors = (settings.mirrors ?? []).map(parseMirror);
  const manifestIsLocal = manifest !== '-' && !isS3Uri(manifest);
  const job = manifestIsLocal && mirrors.length === 0 ? jobMirror(manifest) : undefined;
  if (job) log(`worker responses: s3://…/${job.job}/annotations/ read from ${path.join(job.directory, 'annotations')}`);
  const manifestBucket = isS3Uri(manifest) ? parseS3Uri(manifest)?.bucket : undefined;
  return {
    mirrors,
    ...(job && { job }),
    allowedPrefixes: [...(manifestBucket ? [`s3://${manifestBucket}/`] : []), ...(settings.allowRefPrefixes ?? []).map(parseAllowedPrefix)],
  };
}
