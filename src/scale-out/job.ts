/**
 * A sharded run's job: the options of a one-machine run (`ConsolidateOptions`), plus the work folder its steps share.
 * Every step is given the same job; what decides the output (fields, schema options, seed, label attribute,
 * preferences, unknown answers) is fingerprinted into `model.json` (`model.ts`), so `decide` and `merge` with other
 * settings than `fit` had stop with the fix instead of writing a mixed result.
 */
import { checkOptions } from '../config/config.js';
import type { FieldSetting } from '../config/field-setting.js';
import { UsageError } from '../errors.js';
import { openJobIO, type ConsolidateOptions } from '../pipeline/consolidate.js';
import type { JobIO } from '../io/job-io.js';

export interface ScaleOutJob extends Omit<ConsolidateOptions, 'onProgress'> {
  /** The work folder (a path or an `s3://` prefix) the steps write their parts to (see `parts.ts`). */
  work: string;
}

export type CheckedJob = ScaleOutJob & { fields: Record<string, FieldSetting> };

/**
 * The job's options checked as a run checks them. A tie broken at random is refused: the run draws every random tie
 * from one sequence seeded once, which shards deciding apart cannot reproduce.
 */
export function checkJob(job: ScaleOutJob): CheckedJob {
  if (typeof job.work !== 'string' || job.work === '') throw new UsageError('a sharded run needs a work folder: give --work <folder or s3://prefix/>');
  if (job.manifest === '-') throw new UsageError('a sharded run reads the manifest once per shard: give a file or an s3:// manifest, not standard input');
  const checked = checkOptions(job);
  for (const [field, setting] of Object.entries(checked.fields)) {
    // `labelTie`: the shape strategies' label vote, which has no `none`.
    for (const [option, others] of [['tie', 'lowest, first or none'], ['labelTie', 'lowest or first']] as const) {
      if ((setting as Record<string, unknown>)[option] === 'random') {
        throw new UsageError(`fields.${field}.${option}: "random" draws ties from one sequence over the whole job, which shards cannot share; `
          + `use ${others} for a sharded run`);
      }
    }
  }
  return checked;
}

/** Runs `body` with `io` (the caller's, kept) or I/O of its own, closed at the end. */
export async function withJobIO<T>(job: ScaleOutJob, io: JobIO | undefined, body: (io: JobIO) => Promise<T>): Promise<T> {
  const own = io ?? openJobIO(job);
  try {
    return await body(own);
  } finally {
    if (!io) own.close();
  }
}
