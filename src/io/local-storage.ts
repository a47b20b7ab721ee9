/** Local files (and `-` for stdin) behind the `Storage` interface. */
import { closeSync, constants, createReadStream, fstatSync, openSync, read, readSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { RejectError } from '../errors.js';
import { openLocalWriter } from './local-writers.js';
import type { Storage } from './storage.js';

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
    try {
      return await readSmallFile(location, maxBytes);
    } catch (error) {
      if (error instanceof RejectError) throw error;
      // The file system's own failures (EACCES, EISDIR, EIO, …) are this line's problem, not the run's.
      const { code } = error as NodeJS.ErrnoException;
      if (code === 'ENOENT') throw new RejectError('response-missing', `not found: ${location}`);
      throw new RejectError('response-unreadable', `${code ?? 'Error'}: ${(error as Error).message}`);
    }
  },

  createWriter: openLocalWriter,
};

/**
 * Reads at most this much synchronously; a larger file is read on the thread pool so one big response does not hold
 * the event loop. Worker responses are a few KiB: a synchronous open, fstat, read and close of one costs a fraction of
 * the four promise round trips through the thread pool (BENCHMARKS.md, mirror mode).
 */
const syncReadBytes = 64 * 1024;
const readAsync = promisify(read);

/** One stat and one read (readFile would stat again and read once more to find the end of the file). */
async function readSmallFile(location: string, maxBytes: number): Promise<Buffer> {
  // Non-blocking: a FIFO would otherwise hold the open until a writer comes, forever. It is refused below.
  const fd = openSync(location, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new RejectError('response-unreadable', `${location} is not a regular file`);
    const { size } = stats;
    // Asking for one byte past the size catches a file that grew after the stat; a file that shrank reads short and
    // fails to parse.
    const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
    const length = buffer.length <= syncReadBytes
      ? readSync(fd, buffer, 0, buffer.length, 0)
      : (await readAsync(fd, buffer, 0, buffer.length, 0)).bytesRead;
    if (length > maxBytes) {
      throw new RejectError('response-too-large', `${location} is over the ${maxBytes}-byte limit (${size} bytes)`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
