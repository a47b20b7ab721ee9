/**
 * The outputs of one run (manifest, rejects, reports, datasets, folders of side files, the summary), owned together.
 * Every writer is opened before the first line is read, so an unwritable destination fails the run at once. When the
 * run succeeds the group commits in two phases: every writer first finishes (a local file is complete and closed under
 * its temporary name), then each is published: folders first (the files lines refer to exist before the lines), then
 * files in the order they were opened, the marker (the summary or stats file, which says the run is complete) last. When the run fails or is interrupted every writer is aborted: temporary files removed, multipart
 * uploads aborted, nothing published.
 * Writes are batched into 64 KiB chunks: one awaited stream write per line cost the pipeline about 5% (bench/).
 */
import { UsageError } from '../errors.js';
import type { FolderWriter, OutputWriter, Storage } from './storage.js';

const chunkBytes = 64 * 1024;

class BatchingWriter implements OutputWriter {
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(private readonly inner: OutputWriter) {}

  async write(chunk: string): Promise<void> {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= chunkBytes) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.inner.finish();
  }

  commit(): Promise<void> {
    return this.inner.commit();
  }

  abort(): Promise<void> {
    this.pending = [];
    return this.inner.abort();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    await this.inner.write(text);
  }
}

export class OutputGroup {
  private readonly folders: FolderWriter[] = [];
  private readonly writers: OutputWriter[] = [];
  private readonly markers: OutputWriter[] = [];

  constructor(private readonly storageFor: (location: string) => Storage) {}

  /** A writer for `location`; a `marker` is published after every other output of the group. */
  async open(location: string, { marker = false } = {}): Promise<OutputWriter> {
    const writer = new BatchingWriter(await this.opening(location, (storage) => storage.createWriter(location)));
    (marker ? this.markers : this.writers).push(writer);
    return writer;
  }

  /** A writer of files into the folder (or S3 prefix) `location`, published before the group's other outputs. */
  async openFolder(location: string): Promise<FolderWriter> {
    const folder = await this.opening(location, (storage) => storage.createFolderWriter(location));
    this.folders.push(folder);
    return folder;
  }

  private async opening<W>(location: string, create: (storage: Storage) => Promise<W>): Promise<W> {
    try {
      return await create(this.storageFor(location));
    } catch (error) {
      // Opened before the first line is read: a destination that cannot be written is a mistake to fix, found at once.
      throw new UsageError(`cannot write ${location}: ${(error as Error).message}`, { cause: error });
    }
  }

  async commit(): Promise<void> {
    const all = [...this.folders, ...this.writers, ...this.markers];
    await Promise.all(all.map((writer) => writer.finish()));
    for (const writer of all) await writer.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([...this.folders, ...this.writers, ...this.markers].map((writer) => writer.abort()));
  }
}

/** Runs `body` with a new group (or inside `outer`, which then commits): commits on success, aborts on failure. */
export async function withOutputs<T>(
  storageFor: (location: string) => Storage,
  body: (group: OutputGroup) => Promise<T>,
  outer?: OutputGroup,
): Promise<T> {
  if (outer) return body(outer);
  const group = new OutputGroup(storageFor);
  try {
    const result = await body(group);
    await group.commit();
    return result;
  } catch (error) {
    await group.abort();
    throw error;
  }
}
