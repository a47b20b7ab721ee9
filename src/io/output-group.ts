/**
 * The outputs of one run (manifest, rejects, summary, reports, datasets), owned together: `withOutputs` commits every
 * writer opened in it when its body succeeds and aborts every one when it fails, so a failed run leaves no output
 * behind. (Commits are sequential: if a later commit fails, the earlier outputs are already published.)
 * Writes are batched into 64 KiB chunks: one awaited stream write per line cost the pipeline about 5% (bench/).
 */
import type { OutputWriter, Storage } from './storage.js';

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

  async commit(): Promise<void> {
    await this.flush();
    await this.inner.commit();
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

export async function withOutputs<T>(
  storageFor: (location: string) => Storage,
  body: (open: (location: string) => Promise<OutputWriter>) => Promise<T>,
): Promise<T> {
  const writers: OutputWriter[] = [];
  const open = async (location: string) => {
    const writer = new BatchingWriter(await storageFor(location).createWriter(location));
    writers.push(writer);
    return writer;
  };
  try {
    const result = await body(open);
    for (const writer of writers) await writer.commit();
    return result;
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort()));
    throw error;
  }
}
