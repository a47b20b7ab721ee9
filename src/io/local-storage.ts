/** Local files (and `-` for stdin) behind the `Storage` interface. */
import { closeSync, constants, createReadStream, existsSync, fstatSync, openSync, read, readlinkSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
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

  removeFolder: (folder) => rm(folder, { recursive: true, force: true }),
};

/**
 * Reads a mirrored worker response only if the file opened really lies inside its mirror directory, every symbolic
 * link resolved (`aws s3 sync` makes none, but a mirror may hold one pointing anywhere). On Linux the check is the open
 * file's own path, one `readlink` of `/proc/self/fd/N`, so the file checked is the file read; `realpath` of the name
 * walked every component of a 10-level path with `lstat` and was 17% of a mirror run (BENCHMARKS.md). Elsewhere the
 * name is resolved first and the resolved path opened. (A file outside is opened, read-only and non-blocking, but never
 * read.)
 */
export function readWithin(mirrored: MirroredFile, maxBytes: number): Promise<Buffer> {
  const [location, check] = checkedWithin(mirrored);
  return readLocal(location, maxBytes, check);
}

/** `readWithin` blocking to the end, for a thread that does nothing else (`mirror-reader.ts`). */
export function readWithinSync(mirrored: MirroredFile, maxBytes: number): Buffer {
  const [location, check] = checkedWithin(mirrored);
  try {
    const opened = openChecked(location, maxBytes, check);
    const { fd, buffer } = opened;
    try {
      return readBody(location, opened, readSync(fd, buffer, 0, buffer.length, 0), maxBytes);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw asRejection(error, location);
  }
}

/** The path to open and the check of the opened file. */
function checkedWithin({ file, within }: MirroredFile): [string, ((fd: number) => void)?] {
  const refuse = () => {
    throw new RejectError('ref-not-allowed', `${file} leads out of its mirror directory through a symbolic link`);
  };
  if (procFds) {
    return [file, (fd) => {
      if (!isInside(within, readlinkSync(`/proc/self/fd/${fd}`))) refuse();
    }];
  }
  const real = realPath(file);
  if (real !== undefined && !isInside(within, real)) refuse();
  return [real ?? file];
}

const procFds = existsSync('/proc/self/fd');

async function readLocal(location: string, maxBytes: number, check?: (fd: number) => void): Promise<Buffer> {
  try {
    return await readSmallFile(location, maxBytes, check);
  } catch (error) {
    throw asRejection(error, location);
  }
}

/** The file system's own failures (EACCES, EISDIR, EIO, …) are this line's problem, not the run's. */
function asRejection(error: unknown, location: string): RejectError {
  if (error instanceof RejectError) return error;
  const { code } = error as NodeJS.ErrnoException;
  if (code === 'ENOENT') return new RejectError('response-missing', `not found: ${location}`);
  return new RejectError('response-unreadable', `${code ?? 'Error'}: ${(error as Error).message}`);
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
  const opened = openChecked(location, maxBytes, check);
  const { fd, buffer } = opened;
  try {
    const length = buffer.length <= syncReadBytes
      ? readSync(fd, buffer, 0, buffer.length, 0)
      : (await readAsync(fd, buffer, 0, buffer.length, 0)).bytesRead;
    return readBody(location, opened, length, maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** Opens a regular file (closed again on any failure here) and sizes the buffer to read it into. */
function openChecked(location: string, maxBytes: number, check?: (fd: number) => void): OpenedFile {
  // Non-blocking: a FIFO would otherwise hold the open until a writer comes, forever. It is refused below.
  const fd = openSync(location, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    check?.(fd);
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new RejectError('response-unreadable', `${location} is not a regular file`);
    // Asking for one byte past the size catches a file that grew after the stat; a file that shrank reads short and
    // fails to parse.
    return { fd, size: stats.size, buffer: Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

interface OpenedFile {
  fd: number;
  /** As the stat found it. */
  size: number;
  buffer: Buffer;
}

function readBody(location: string, { buffer, size }: OpenedFile, length: number, maxBytes: number): Buffer {
  if (length > maxBytes) {
    throw new RejectError('response-too-large', `${location} is over the ${maxBytes}-byte limit (${size} bytes)`);
  }
  return buffer.subarray(0, length);
}
