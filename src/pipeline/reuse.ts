/**
 * What a run reuses of earlier runs instead of fetching worker responses again, as stages and hooks for the run
 * (`consolidate.ts`): the checkpoint of an interrupted run (`--resume`, `checkpoint.ts`) and the ledger of the last
 * incremental run (`--state`, `ledger.ts`). Both keep prepared lines (`prepared-codec.ts`); everything after the
 * prepare stage — the table, the fit, deciding, writing — runs over every line as in any run.
 */
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { Line } from '../io/lines.js';
import type { OutputGroup } from '../io/output-group.js';
import { isS3Uri, parseS3Uri } from '../io/s3/s3-uri.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import type { Summary } from '../report/summary.js';
import { Checkpoint, type CheckpointCadence } from './checkpoint.js';
import { Ledger } from './ledger.js';
import { besideOutput, type OutputPaths } from './outputs.js';
import { forTerminal } from '../text/escape.js';
import { preparedFingerprint } from './prepared-codec.js';
import type { Prepared } from './prepare.js';
import { defaultMaxResponseBytes } from './prepare-pool.js';
import type { Stage } from './stage.js';
import type { ObjectSink } from './write.js';

/** The options of a run about reuse (`ConsolidateOptions` has them). */
export interface ReuseSettings {
  /** Continue the run the checkpoint was made by. */
  resume?: boolean;
  /**
   * The checkpoint's folder or S3 prefix (default: beside a local `out` when worker responses come from S3; `false`:
   * no checkpoint). Not beside an S3 `out` by default: a job retried without `--resume` would then stop on the
   * checkpoint its failed attempt left.
   * Responses read from a local copy (a mirror) are as cheap to read again as a checkpoint is to replay, so such runs
   * checkpoint only into a folder named here.
   */
  checkpoint?: string | false;
  checkpointEvery?: CheckpointCadence;
  /** The ledger of incremental runs (a path or `s3://`). */
  state?: string;
  /** The new part of an incremental run (default: beside `out`, `.new.jsonl`). */
  newPart?: string;
}

interface ReuseOptions extends ReuseSettings {
  manifest: string;
  labelAttribute?: string;
  preferences?: PreferenceMapping;
  maxResponseBytes?: number;
  /** Set when the run's outputs belong to a caller's group (an export), which commits them: no checkpoint by default. */
  outputs?: OutputGroup;
  /** Worker responses are read from a local copy of the job (`refPolicyFor` found mirrors): no checkpoint by default. */
  responsesAreLocal: boolean;
}

export class Reuse {
  private constructor(private readonly checkpoint?: Checkpoint, private readonly ledger?: Ledger) {}

  /** Reads the checkpoint and the ledger, if any; mistakes (a checkpoint left without `--resume`) stop the run here. */
  static async open(options: ReuseOptions, paths: OutputPaths, io: JobIO, log: (message: string) => void): Promise<Reuse> {
    const settings = {
      labelAttribute: options.labelAttribute, preferences: options.preferences, maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
    };
    const directory = checkpointDirectory(options, paths);
    if (options.resume && directory === undefined) {
      throw new UsageError('--resume needs a checkpoint folder: runs that read worker responses from a local copy, or write to S3 or '
        + 'standard output, keep one only where --checkpoint <dir|s3://bucket/prefix/> says');
    }
    const checkpoint = directory === undefined ? undefined : await Checkpoint.open(directory, io.storageFor(directory), {
      resume: options.resume ?? false, fingerprint: preparedFingerprint({ manifest: options.manifest, ...settings }), cadence: options.checkpointEvery, log,
    });
    if (checkpoint && checkpoint.resumedLines > 0) log(`resuming: ${checkpoint.resumedLines} lines from the checkpoint in ${directory}`);
    const ledger = paths.state === undefined ? undefined : await Ledger.load(io, { state: paths.state, part: paths.newPart! }, {
      fingerprint: preparedFingerprint(settings), labelAttribute: options.labelAttribute, log,
    });
    return new Reuse(checkpoint, ledger);
  }

  /** Opens what the run writes for the next one (the ledger, the new part) with its other outputs. */
  async openOutputs(group: OutputGroup): Promise<void> {
    await this.ledger?.open((location) => group.open(location));
  }

  /**
   * The prepare stage, around: the manifest lines the checkpoint holds are left out of it, and every prepared line
   * comes out of it (the checkpoint's first), each recorded for a resume and the next incremental run.
   */
  prepareStage(prepare: Stage<Line, Prepared>): Stage<Line, Prepared> {
    return (lines, options) => {
      const prepared = prepare(this.checkpoint?.remainingLines(lines) ?? lines, options);
      const all = this.checkpoint?.allPrepared(prepared) ?? prepared;
      return this.ledger?.record(all) ?? all;
    };
  }

  /** Prepares a line: replayed from the ledger when its object is there unchanged, else by `fetch`. */
  preparer(fetch: (line: Line) => Promise<Prepared>): (line: Line) => Promise<Prepared> {
    const ledger = this.ledger;
    if (!ledger) return fetch;
    return (line) => {
      const replayed = ledger.replay(line);
      return replayed ? Promise.resolve(replayed) : fetch(line);
    };
  }

  /** `sink`, with each decided object also entered in the ledger. */
  sink(sink: ObjectSink | undefined): ObjectSink | undefined {
    const ledger = this.ledger;
    if (!ledger) return sink;
    return async (object) => {
      await ledger.decide(object);
      await sink?.(object);
    };
  }

  /** Before the summary is written: the ledger's last decisions and counts, and a line for people about flips. */
  async finish(summary: Summary, log: (message: string) => void): Promise<void> {
    if (!this.ledger) return;
    const counts = (summary.incremental = await this.ledger.finish());
    const named = counts.flipped.map(({ object, line }) => `${object} (line ${line})`).join(', ');
    log(`incremental: ${counts.fetched} objects fetched, ${counts.fromLedger} from the ledger; ${counts.inPart} in the new part ${forTerminal(counts.part)}; `
      + (counts.flips === 0 ? 'no earlier decision flipped' : `${counts.flips} earlier decisions flipped: ${forTerminal(named)}${counts.flips > counts.flipped.length ? ', …' : ''}`));
  }

  /**
   * Runs `body` (the run's outputs, committed): afterwards the checkpoint has served. A run that stops, or fails for
   * any other reason, keeps it for `--resume`; one stopped by a misconfiguration (exit 2, found once the job has been
   * read) leaves none of its own behind, as it publishes nothing.
   */
  async around<T>(body: () => Promise<T>): Promise<T> {
    try {
      const result = await body();
      await this.checkpoint?.remove();
      return result;
    } catch (error) {
      if (error instanceof UsageError && this.checkpoint?.resumedLines === 0) await this.checkpoint.remove();
      throw error;
    }
  }
}

/** The checkpoint's folder or S3 prefix, if the run keeps one (checked with the outputs before the run reads a line). */
export function checkpointDirectory(options: ReuseOptions, paths: OutputPaths): string | undefined {
  const named = options.checkpoint;
  if (named !== undefined && named !== false && isS3Uri(named) && !/[^/]/.test(parseS3Uri(named)?.key ?? '')) {
    // The prefix is emptied once the run succeeds: never a whole bucket.
    throw new UsageError(`--checkpoint ${named}: name a prefix inside the bucket, s3://bucket/prefix/`);
  }
  if (named !== undefined) return named === false ? undefined : named;
  const local = paths.out !== undefined && paths.out !== '-' && !isS3Uri(paths.out);
  return local && options.outputs === undefined && !options.responsesAreLocal ? besideOutput(paths.out!, '.checkpoint') : undefined;
}
