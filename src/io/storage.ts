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
  /** A writer of files into the folder (or S3 prefix) `folder`, published together: nothing appears there before `commit`. */
  createFolderWriter(folder: string): Promise<FolderWriter>;
  /** Deletes the folder (or every object under the S3 prefix `folder/`) and all it holds; none there is no error. */
  removeFolder(folder: string): Promise<void>;
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

/** Files of one folder (a mask's PNG per line), staged as they come and published together, like an `OutputWriter`. */
export interface FolderWriter extends Omit<OutputWriter, 'write'> {
  /** `name`: one path segment of `[A-Za-z0-9._-]`, made by the caller. Resolves once the file is staged. */
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Where the file `name` will be once published, as the line says it: an S3 URI, or a path relative to the folder's parent. */
  locationOf(name: string): string;
}

/** Throws unless `name` is one path segment that can neither climb out of its folder (`..`) nor hide (`.x`). */
export function checkFileName(name: string): void {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) throw new Error(`${JSON.stringify(name)} is not a file name a folder takes`);
}
