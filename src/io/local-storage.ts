/** Local files (and `-` for stdin) behind the `Storage` interface. */
import { constants, createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { RejectError } from '../errors.js';
import type { OutputWriter, Storage } from './storage.js';

export const localStorage: Storage = {
  async openRead(location) {
    if (location === '-') return process.stdin;
    const stream = createReadStream(location);
    try {
      // Surface a missing file here, as one clear error, rather than mid-stream.
      await once(stream, 'open');
    } catch (error) {
      throw new Error(`cannot read ${location}: ${(error as Error).message}`, { cause: error });
    }
    return stream as Readable;
  },

  async readAll(location, maxBytes) {
    let handle;
    try {
      // Non-blocking: a FIFO would otherwise hold the open until a writer comes, forever. It is refused below.
      handle = await open(location, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new RejectError('response-missing', `not found: ${location}`);
      }
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new RejectError('response-unreadable', `${location} is not a regular file`);
      const { size } = stats;
      // One stat and one read (readFile would stat again and read once more to find the end of the file). Asking for
      // one byte past the size catches a file that grew after the stat; a file that shrank reads short and fails to parse.
      const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
      const { bytesRead: length } = await handle.read(buffer, 0, buffer.length, 0);
      if (length > maxBytes) {
        throw new RejectError('response-too-large', `${location} is over the ${maxBytes}-byte limit (${size} bytes)`);
      }
      return buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  },

  async createWriter(location) {
    return AtomicFileWriter.open(location);
  },
};

/** Writes to `<name>.tmp-<pid>-<n>` beside the destination and renames it into place on commit. */
class AtomicFileWriter implements OutputWriter {
  private static counter = 0;
  private finished = false;

  private constructor(
    private readonly destination: string,
    private readonly temporary: string,
    private readonly stream: WriteStream,
  ) {
    // A write still in flight when `abort` destroys the stream fails afterwards: it must not become an uncaught
    // error. Failures before that reach the caller through `write` and `commit`, which check `errored`.
    stream.on('error', () => {});
  }

  static async open(destination: string): Promise<AtomicFileWriter> {
    await mkdir(path.dirname(path.resolve(destination)), { recursive: true });
    const temporary = `${destination}.tmp-${process.pid}-${AtomicFileWriter.counter++}`;
    const stream = createWriteStream(temporary);
    await once(stream, 'open');
    return new AtomicFileWriter(destination, temporary, stream);
  }

  async write(chunk: string): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async commit(): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(this.temporary, this.destination);
    this.finished = true;
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}
