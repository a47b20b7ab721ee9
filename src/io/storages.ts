/** Picks the storage for a location: `s3://` → S3 (one client, created on first use), anything else → local files. */
import type { S3Client } from '@aws-sdk/client-s3';
import { localStorage } from './local-storage.js';
import { S3Storage, type RetryCounter } from './s3/s3-storage.js';
import { isS3Uri } from './s3/s3-uri.js';
import type { RetryPolicy } from './s3/retry.js';
import type { Storage } from './storage.js';

export class Storages {
  private s3Storage?: S3Storage;
  private s3Client?: S3Client;
  readonly counter: RetryCounter = { retries: 0 };

  /** `s3` is a client to use as is, or a factory for one that these storages own and `close`. */
  constructor(private readonly s3: S3Client | (() => S3Client), private readonly policy: RetryPolicy) {}

  for(location: string): Storage {
    return isS3Uri(location) ? (this.s3Storage ??= new S3Storage(this.client(), this.policy, this.counter)) : localStorage;
  }

  client(): S3Client {
    return (this.s3Client ??= typeof this.s3 === 'function' ? this.s3() : this.s3);
  }

  /** Releases the connections of a client made here; a client passed in stays its owner's. */
  close(): void {
    if (typeof this.s3 === 'function') this.s3Client?.destroy();
  }
}
