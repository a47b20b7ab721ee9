/** Local files (and `-` for stdin) behind the `Storage` interface. */
import { closeSync, constants, createReadStream, existsSync, fstatSync, openSync, read, readlinkSync, readSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { RejectError } from '../errors.js';
import { LocalFolderWriter, openLocalWriter } from './local-writers.js';
import { isInside, realPath, type MirroredFile } from './mirror.js';
import type { Storage } from './storage.js';

export const localStorage: Storage = {
  async openRead(location) {
    if (location === '-') return process.stdin;
    const stream = createReadStream(location);
    let fd: number;
    try {
      // Surface a missing file here, as one clear error, rather than mid-stream.
      [fd] = (await once(stream, 'open')) as [number];
    } catch (error) {
      throw new Error(`cannot read ${location}: ${(error as Error).message}`, { cause: error });
    }
    return Object.assign(stream as Readable, { totalBytes: fstatSync(fd).size });
  },

  readAll: (location, maxBytes) => readLocal(location, maxBytes),

  createWriter: openLocalWriter,

  createFolderWriter: (folder) => LocalFolderWriter.open(folder),
};

/**
 * Reads a mirrored worker response only if the file opened really lies inside its mirror directory, every symbolic
 * link resolved (`aws s3 sync` makes none, but a mirror may hold one pointing anywhere). On Linux the check is the open
 * file's own path, one `readlink` of `/proc/self/fd/N`, so the file checked is the file read; `realpath` of the name
 * walked every component of a 10-level path with `lstat` and was 17% of a mirror run (BENCHMARKS.md). Elsewhere the
 * name is resolved first and the resolved path opened. (A file outside is opened, read-only and non-blocking, but never
 * read.)
 */
export function readWithin({ file, within }: MirroredFile, maxBytes: number): Promise<Buffer> {
  const refuse = () => {
    throw new RejectError('ref-not-allowed', `${file} leads out of its mirror directory through a symbolic link`);
  };
  if (procFds) {
    return readLocal(file, maxBytes, (fd) => {
      if (!isInside(within, readlinkSync(`/proc/self/fd/${fd}`))) refuse();
    });
  }
  const real = realPath(file);
  if (real !== undefined && !isInside(within, real)) refuse();
  return readLocal(real ?? file, maxBytes);
}

const procFds = existsSync('/proc/self/fd');

async function readLocal(location: string, maxBytes: number, check?: (fd: number) => void): Promise<Buffer> {
  try {
    return await readSmallFile(location, maxBytes, check);
  } catch (error) {
    if (error instanceof RejectError) throw error;
    // The file system's own failures (EACCES, EISDIR, EIO, …) are this line's problem, not the run's.
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') throw new RejectError('response-missing', `not found: ${location}`);
    throw new RejectError('response-unreadable', `${code ?? 'Error'}: ${(error as Error).message}`);
  }
}

/**
 * Reads at most this much synchronously; a larger file is read on the thread pool so one big response does not hold
 * the event loop. Worker responses are a few KiB: a synchronous open, fstat, read and close of one costs a fraction of
 * the four promise round trips through the thread pool (BENCHMARKS.md, mirror mode).
 */
const syncReadBytes = 64 * 1024;
const readAsync = promisify(read);

/** One stat and one read (readFile would stat again and read once more to find the end of the file). */
async function readSmallFile(location: string, maxBytes: number, check?: (fd: number) => void): Promise<Buffer> {
  // Non-blocking: a FIFO would otherwise hold the open until a writer comes, forever. It is refused below.
  const fd = openSync(location, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    check?.(fd);
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
