/**
 * Where manifests, worker responses and results live. Every backend (local files now, S3 next) implements this, and
 * every writer owns its failure path: nothing is visible under the destination name until `commit`, and `abort`
 * leaves nothing behind.
 */
import type { Readable } from 'node:stream';

/** A stream that may know its size (for progress): a local file from `fstat`, an S3 object once its first response came. */
export type SizedReadable = Readable & { totalBytes?: number };

export interface Storage {
  /** Streams the object at `location`; never buffers it whole. */
  openRead(location: string): Promise<SizedReadable>;
  /**
   * Reads a whole (small) object. Throws `RejectError` `response-missing` when it does not exist and
   * `response-too-large` when it exceeds `maxBytes`, without reading more than `maxBytes + 1` bytes.
   */
  readAll(location: string, maxBytes: number): Promise<Buffer>;
  createWriter(location: string): Promise<OutputWriter>;
}

export interface OutputWriter {
  /** Resolves once the chunk is accepted (backpressure respected). */
  write(chunk: string): Promise<void>;
  /** Completes what was written without publishing it where that can wait (a local file, closed under a temporary name). */
  finish(): Promise<void>;
  /** Publishes everything written under the destination name (after `finish`). */
  commit(): Promise<void>;
  /** Discards everything written; safe to call after a failed write and more than once. */
  abort(): Promise<void>;
}
