/**
 * The checkpoint of a run, so that `--resume` continues an interrupted one without fetching again what it had fetched.
 * Every few thousand lines (or seconds) the prepared lines since the last checkpoint are sealed into a new chunk file
 * (written whole, synced, then renamed: a chunk is there complete or not at all) and `checkpoint.json` is replaced the
 * same way, naming the chunks, how many manifest lines they hold and a hash of those lines' text. A resumed run reads
 * the manifest from the start again (cheap next to fetching), checks that its first lines hash the same, replays the
 * chunks in their place and fetches the rest; the table, decide and write stages then run over every line as usual,
 * so the outputs are those of an uninterrupted run. Outputs commit all-or-nothing (`output-group.ts`), so a killed
 * run has published nothing; the checkpoint is removed once a run has committed.
 *
 * The folder may be an S3 prefix (`s3://bucket/prefix/`, for a run whose machine may vanish): there each file is one
 * upload, whole or absent without a rename, and is read back and removed through the same storage (`storage.ts`).
 *
 * What is read back is untrusted: `checkpoint.json` is size-limited and shape-checked, each chunk must hash to what
 * the checkpoint recorded, and each line is checked as a prepared line (`prepared-codec.ts`).
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RejectError, UsageError } from '../errors.js';
import { readLines, type Line } from '../io/lines.js';
import { isS3Uri } from '../io/s3/s3-uri.js';
import type { Storage } from '../io/storage.js';
import { parseUntrustedJson } from '../responses/safe-json.js';
import { decodePrepared, encodePrepared } from './prepared-codec.js';
import type { Prepared } from './prepare.js';

export interface CheckpointCadence {
  /** Lines read since the last checkpoint (default 10,000). */
  lines?: number;
  /** Seconds since the last checkpoint (default 60). */
  seconds?: number;
}

export const checkpointDefaults = { lines: 10_000, seconds: 60 } as const;

const stateFile = 'checkpoint.json';
const maxStateBytes = 16 * 1024 * 1024;

const stateSchema = z.strictObject({
  version: z.literal(1),
  fingerprint: z.string(),
  lines: z.number().int().nonnegative(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  chunks: z.array(z.strictObject({ file: z.string().regex(/^prepared-\d{6}\.jsonl$/), lines: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});
type CheckpointState = z.infer<typeof stateSchema>;

/** A manifest line the run will checkpoint after, once it is prepared, with the hash of the text up to it. */
interface Mark {
  line: number;
  manifestSha256: string;
}

export class Checkpoint {
  private readonly marks: Mark[] = [];
  private pending: string[] = [];
  /** The last line of the job: what the final checkpoint covers. */
  private end?: Mark;
  /** The checkpoint as the run found it: what it replays. */
  private readonly resumed: Readonly<CheckpointState>;

  private constructor(
    private readonly directory: string,
    private readonly storage: Storage,
    private readonly state: CheckpointState,
    private readonly cadence: Required<CheckpointCadence>,
  ) {
    this.resumed = structuredClone(state);
  }

  /**
   * The checkpoint in `directory`: the one an interrupted run left (`resume`; none there starts from the first line,
   * with a notice), or a new one. One left there without `resume` stops the run: continuing or starting over is the
   * user's choice. So does one written for other options (`fingerprint`: what shapes the prepared lines). `storage`:
   * the storage of `directory` (`JobIO.storageFor`).
   */
  static async open(
    directory: string,
    storage: Storage,
    { resume, fingerprint, cadence = {}, log }: { resume: boolean; fingerprint: string; cadence?: CheckpointCadence; log: (message: string) => void },
  ): Promise<Checkpoint> {
    const found = await readState(directory, storage);
    const settings = { ...checkpointDefaults, ...cadence };
    if (found && !resume) {
      throw new UsageError(`an interrupted run left a checkpoint in ${directory}: add --resume to continue it, or delete that folder to start over`);
    }
    if (found && found.fingerprint !== fingerprint) {
      throw new UsageError(`the checkpoint in ${directory} was made with another manifest location, label attribute, preferences or response limit: resume with the same ones, or delete that folder to start over`);
    }
    if (!found && resume) log(`no checkpoint in ${directory}: starting from the first line`);
    return new Checkpoint(directory, storage, found ?? { version: 1, fingerprint, lines: 0, manifestSha256: emptySha256, chunks: [] }, settings);
  }

  /**
   * The manifest's lines minus those the checkpoint holds, which must be the lines it was made from (same text); on
   * the way, marks where the next checkpoints go.
   */
  async *remainingLines(lines: AsyncIterable<Line>): AsyncGenerator<Line> {
    const hash = createHash('sha256');
    const done = this.resumed.lines;
    let lastMark = { line: done, at: Date.now() };
    let last: Line | undefined;
    for await (const line of lines) {
      hash.update(line.text).update('\n');
      last = line;
      if (line.number < done) continue;
      if (line.number === done) {
        this.checkPrefix(digest(hash));
        continue;
      }
      if (line.number - lastMark.line >= this.cadence.lines || Date.now() - lastMark.at >= this.cadence.seconds * 1000) {
        this.marks.push({ line: line.number, manifestSha256: digest(hash) });
        lastMark = { line: line.number, at: Date.now() };
      }
      yield line;
    }
    if ((last?.number ?? 0) < done) this.checkPrefix(undefined);
    if (last && last.number > done) this.end = { line: last.number, manifestSha256: digest(hash) };
  }

  /** The lines the checkpoint holds, then the freshly prepared ones, each recorded (sealed at every mark). */
  async *allPrepared(fresh: AsyncIterable<Prepared>): AsyncGenerator<Prepared> {
    yield* this.replay();
    for await (const line of fresh) {
      this.pending.push(encodePrepared(line) + '\n');
      if (this.marks[0]?.line === line.line) await this.seal(this.marks.shift()!);
      yield line;
    }
    // Every line is prepared: a crash while fitting, deciding or writing fetches nothing again.
    if (this.pending.length > 0) await this.seal(this.end!);
  }

  /** After the run's outputs are committed: nothing is left to resume. */
  async remove(): Promise<void> {
    await this.storage.removeFolder(this.directory);
  }

  /** Lines the checkpoint held when the run started, which it replaces. */
  get resumedLines(): number {
    return this.resumed.lines;
  }

  private checkPrefix(manifestSha256: string | undefined): void {
    if (manifestSha256 !== this.resumed.manifestSha256) {
      throw new UsageError(`the manifest's first ${this.resumed.lines} lines are not those the checkpoint in ${this.directory} was made from: delete that folder to start over`);
    }
  }

  private async *replay(): AsyncGenerator<Prepared> {
    let expected = 1;
    for (const chunk of this.resumed.chunks) {
      const file = fileIn(this.directory, chunk.file);
      const hash = createHash('sha256');
      let count = 0;
      for await (const { text, problem } of readLines(hashed(await this.storage.openRead(file), hash))) {
        const what = `${file} line ${count + 1}`;
        if (problem) throw new Error(`${what}: ${problem.reason}`);
        const line = decodePrepared(text, what);
        if (line.line !== expected) throw new Error(`${what} holds manifest line ${line.line}, not ${expected}`);
        expected += 1;
        count += 1;
        yield line;
      }
      if (count !== chunk.lines || digest(hash) !== chunk.sha256) throw new Error(`${file} is not the chunk the checkpoint recorded: delete ${this.directory} to start over`);
    }
    if (expected - 1 !== this.resumed.lines) throw new Error(`the checkpoint in ${this.directory} names ${this.resumed.lines} lines but its chunks hold ${expected - 1}`);
  }

  /** Writes the pending lines as the next chunk, then the checkpoint naming it. */
  private async seal(mark: Mark): Promise<void> {
    // Encoded once: hashing and writing the string would each convert it to UTF-8.
    const bytes = Buffer.from(this.pending.join(''));
    const chunk = { file: `prepared-${String(this.state.chunks.length + 1).padStart(6, '0')}.jsonl`, lines: this.pending.length, sha256: digest(createHash('sha256').update(bytes)) };
    this.pending = [];
    await this.write(chunk.file, bytes);
    this.state.chunks.push(chunk);
    this.state.lines = mark.line;
    this.state.manifestSha256 = mark.manifestSha256;
    await this.write(stateFile, JSON.stringify(this.state) + '\n');
  }

  /** A local file synced and renamed into place; an S3 object uploaded whole, which S3 publishes all at once. */
  private async write(name: string, text: string | Buffer): Promise<void> {
    const file = fileIn(this.directory, name);
    if (!isS3Uri(file)) {
      await mkdir(this.directory, { recursive: true });
      return writeDurably(file, text);
    }
    const writer = await this.storage.createWriter(file);
    try {
      await writer.write(text.toString());
      await writer.finish();
      await writer.commit();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }
}

const fileIn = (directory: string, name: string): string =>
  (isS3Uri(directory) ? `${directory.replace(/\/+$/, '')}/${name}` : path.join(directory, name));

const emptySha256 = createHash('sha256').digest('hex');
const digest = (hash: Hash): string => hash.copy().digest('hex');

async function readState(directory: string, storage: Storage): Promise<CheckpointState | undefined> {
  const file = fileIn(directory, stateFile);
  let text: string;
  try {
    text = (await storage.readAll(file, maxStateBytes)).toString('utf8');
  } catch (error) {
    if (error instanceof RejectError && error.code === 'response-missing') return undefined;
    if (error instanceof RejectError && error.code === 'response-too-large') throw new UsageError(`${file} is over ${maxStateBytes} bytes, so not a checkpoint: delete ${directory} to start over`);
    throw error;
  }
  const checked = stateSchema.safeParse(parseUntrustedJson(text, file));
  if (!checked.success) throw new UsageError(`${file} is not a checkpoint (${z.prettifyError(checked.error).split('\n')[0]}): delete ${directory} to start over`);
  return checked.data;
}

/** `text` in `file`, whole or not at all, on disk before this returns (a temporary name, synced, renamed). */
async function writeDurably(file: string, text: string | Buffer): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  const folder = await open(path.dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function* hashed(chunks: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
}
