/**
 * Where a run writes: the consolidated manifest, and beside it by default the rejects and the summary; and the check,
 * before any line is read, that S3 inputs and outputs can be reached.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { OutputGroup } from '../io/output-group.js';
import type { OutputWriter } from '../io/storage.js';
import { checkS3Access } from '../io/s3/preflight.js';
import { isS3Uri } from '../io/s3/s3-uri.js';

export interface OutputPaths {
  out?: string;
  rejects: string;
  summary?: string;
  workersReport?: string;
  review?: string;
}

/** `out/output.manifest` → `out/output.rejects.jsonl` (and `.summary.json`). */
export function besideOutput(out: string, suffix: string): string {
  const extension = path.extname(out);
  return `${extension ? out.slice(0, -extension.length) : out}${suffix}`;
}

export function outputPaths(options: Partial<OutputPaths> & { hasSink: boolean }): OutputPaths {
  const { out } = options;
  if (out === undefined && (options.rejects === undefined || !options.hasSink)) {
    throw new UsageError('a run needs an output: out, or rejects and a sink');
  }
  return {
    out,
    rejects: options.rejects ?? besideOutput(out!, '.rejects.jsonl'),
    summary: options.summary ?? (out === undefined ? undefined : besideOutput(out, '.summary.json')),
    workersReport: options.workersReport,
    review: options.review,
  };
}

/** Missing credentials, buckets, the manifest or access stop the run here, with one line (see `preflight.ts`). */
export async function checkLocations(io: JobIO, manifest: string, paths: OutputPaths): Promise<void> {
  const s3Outputs = Object.values(paths).filter((location): location is string => location !== undefined && isS3Uri(location));
  if (isS3Uri(manifest) || s3Outputs.length > 0) await checkS3Access(io.client(), isS3Uri(manifest) ? manifest : undefined, s3Outputs);
}

export interface OutputWriters {
  output?: OutputWriter;
  rejects: OutputWriter;
  workersReport?: OutputWriter;
  review?: OutputWriter;
  summary?: OutputWriter;
}

/** Opens every output before the first line is read; the summary is the group's marker, published last. */
export async function openOutputs(group: OutputGroup, paths: OutputPaths): Promise<OutputWriters> {
  const openIf = (location: string | undefined, marker = false) => (location === undefined ? undefined : group.open(location, { marker }));
  return {
    output: await openIf(paths.out),
    rejects: await group.open(paths.rejects),
    workersReport: await openIf(paths.workersReport),
    review: await openIf(paths.review),
    summary: await openIf(paths.summary, true),
  };
}
