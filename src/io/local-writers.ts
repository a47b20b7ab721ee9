/**
 * Local outputs. A regular file (or a new one) is written to `<name>.tmp-<pid>-<n>` beside it and renamed into place
 * when the run commits, so a failed or killed run never leaves a half-written file under the real name; a run sweeps
 * the temporary files of earlier runs whose process is gone. Standard output (`-`), FIFOs, character devices and
 * process substitutions cannot be renamed over: they are streamed to directly. A folder of files is staged alike, in
 * `<folder>.tmp-<pid>-<n>`, and its files moved in when the run commits.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { checkFileName, type FolderWriter, type OutputWriter } from './storage.js';

export async function openLocalWriter(location: string): Promise<OutputWriter> {
  if (location === '-') return new StreamWriter(process.stdout, false);
  const existing = await stat(location).catch(() => undefined);
  if (existing && !existing.isFile()) {
    const stream = createWriteStream(location, { flags: 'a' });
    await once(stream, 'open');
    return new StreamWriter(stream, true);
  }
  return AtomicFileWriter.open(location);
}

/** Writes to a stream that is the destination itself; nothing to publish, and nothing to take back on abort. */
class StreamWriter implements OutputWriter {
  constructor(private readonly stream: NodeJS.WritableStream, private readonly owned: boolean) {}

  async write(chunk: string): Promise<void> {
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async finish(): Promise<void> {
    if (!this.owned) return;
    this.stream.end();
    await once(this.stream, 'finish');
  }

  async commit(): Promise<void> {}

  async abort(): Promise<void> {
    if (!this.owned) return;
    // As in AtomicFileWriter: a write in flight fails once destroyed, which must not become an uncaught error.
    this.stream.on('error', () => {});
    (this.stream as WriteStream).destroy();
  }
}

const temporaryName = /\.tmp-(\d+)-\d+$/;

/** Removes `<destination>.tmp-<pid>-<n>` files (or staged folders) left by runs whose process no longer exists. */
async function sweepStaleTemporaries(destination: string): Promise<void> {
  const directory = path.dirname(destination);
  const prefix = `${path.basename(destination)}.tmp-`;
  for (const name of await readdir(directory).catch(() => [])) {
    const pid = temporaryName.exec(name)?.[1];
    if (name.startsWith(prefix) && pid !== undefined && !isAlive(Number(pid))) await rm(path.join(directory, name), { force: true, recursive: true });
  }
}

/** Whether a process exists (signal 0 only checks; EPERM means it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes to `<name>.tmp-<pid>-<n>` beside the destination; `finish` closes it, `commit` renames it into place. */
class AtomicFileWriter implements OutputWriter {
  private static counter = 0;
  private state: 'writing' | 'finished' | 'done' = 'writing';

  private constructor(
    private readonly destination: string,
    private readonly temporary: string,
    private readonly stream: WriteStream,
  ) {
    // A write still in flight when `abort` destroys the stream fails afterwards: it must not become an uncaught
    // error. Failures before that reach the caller through `write` and `finish`, which check `errored`.
    stream.on('error', () => {});
  }

  static async open(destination: string): Promise<AtomicFileWriter> {
    await mkdir(path.dirname(path.resolve(destination)), { recursive: true });
    await sweepStaleTemporaries(destination);
    const temporary = `${destination}.tmp-${process.pid}-${AtomicFileWriter.counter++}`;
    const stream = createWriteStream(temporary);
    await once(stream, 'open');
    return new AtomicFileWriter(destination, temporary, stream);
  }

  async write(chunk: string): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async finish(): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    this.stream.end();
    await once(this.stream, 'close');
    this.state = 'finished';
  }

  async commit(): Promise<void> {
    await rename(this.temporary, this.destination);
    this.state = 'done';
  }

  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    this.stream.destroy();
    await rm(this.temporary, { force: true });
  }
}

/**
 * Files staged in `<folder>.tmp-<pid>-<n>` (made with the first file) and moved into the folder when the run commits;
 * a file of the same name there is replaced, others are left. The folder is only created by the commit.
 */
export class LocalFolderWriter implements FolderWriter {
  private static counter = 0;
  private readonly names = new Set<string>();

  private constructor(private readonly folder: string, private readonly staging: string) {}

  static async open(folder: string): Promise<LocalFolderWriter> {
    await sweepStaleTemporaries(folder);
    return new LocalFolderWriter(folder, `${folder}.tmp-${process.pid}-${LocalFolderWriter.counter++}`);
  }

  /** Relative to the folder's parent, where the output manifest is: the refs stay right when the two move together. */
  locationOf(name: string): string {
    return `${path.basename(this.folder)}/${name}`;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    checkFileName(name);
    if (this.names.size === 0) {
      if ((await stat(this.folder).catch(() => undefined))?.isDirectory() === false) {
        throw new Error(`${this.folder} is a file: the files lines refer to go in a folder of that name (named after --out); choose another --out`);
      }
      await mkdir(this.staging, { recursive: true });
    }
    await writeFile(path.join(this.staging, name), bytes);
    this.names.add(name);
  }

  async finish(): Promise<void> {}

  async commit(): Promise<void> {
    if (this.names.size === 0) return;
    await mkdir(this.folder, { recursive: true });
    for (const name of this.names) await rename(path.join(this.staging, name), path.join(this.folder, name));
    this.names.clear();
    await rmdir(this.staging);
  }

  async abort(): Promise<void> {
    this.names.clear();
    await rm(this.staging, { recursive: true, force: true });
  }
}
