/**
 * Where a run writes: the consolidated manifest, and beside it by default the rejects and the summary; and the check,
 * before any line is read, that S3 inputs and outputs can be reached.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { OutputGroup } from '../io/output-group.js';
import type { FolderWriter, OutputWriter } from '../io/storage.js';
import { isS3Uri } from '../io/s3/s3-uri.js';

export interface OutputPaths {
  out?: string;
  /** The folder of files the lines refer to (masks' PNGs), named after `out`: `out/output.manifest` → `out/output/`. */
  sideFiles?: string;
  rejects: string;
  summary?: string;
  workersReport?: string;
  review?: string;
  /** Written by the caller after the run; only checked here. */
  report?: string;
  /** The ledger of incremental runs, read and then written (`ledger.ts`). */
  state?: string;
  /** The new and changed objects of an incremental run. */
  newPart?: string;
}

/** `out/output.manifest` → `out/output.rejects.jsonl` (and `.summary.json`). */
export function besideOutput(out: string, suffix: string): string {
  const extension = path.extname(out);
  return `${extension ? out.slice(0, -extension.length) : out}${suffix}`;
}

/**
 * Every output's location, checked before anything is read: defaults beside `out`; `out` naming a folder (ending in
 * `/`, or an existing directory; an S3 prefix ending in `/`, the AWS CLI's convention) means the manifest's own file name
 * inside it; `-` is standard output (then the rejects need a name of their own); no two outputs, and no output and
 * the input, may be the same file.
 */
export async function outputPaths(manifest: string, options: Partial<OutputPaths> & { hasSink: boolean }): Promise<OutputPaths> {
  if (options.out === undefined && (options.rejects === undefined || !options.hasSink)) {
    throw new UsageError('a run needs an output: out, or rejects and a sink');
  }
  const out = options.out === undefined ? undefined : await intoFolder(options.out, manifest);
  if (out === '-' && options.rejects === undefined) {
    throw new UsageError('--out - writes the manifest to standard output: name the rejects file with --rejects');
  }
  const paths: OutputPaths = {
    out,
    sideFiles: out === undefined || out === '-' ? undefined : besideOutput(out, ''),
    rejects: options.rejects ?? besideOutput(out!, '.rejects.jsonl'),
    summary: options.summary ?? (out === undefined || out === '-' ? undefined : besideOutput(out, '.summary.json')),
    workersReport: options.workersReport,
    review: options.review,
    report: options.report,
    ...incrementalPaths(options, out),
  };
  await refuseCollisions(manifest, paths);
  return paths;
}

function incrementalPaths(options: Partial<OutputPaths>, out: string | undefined): Pick<OutputPaths, 'state' | 'newPart'> {
  if (options.state === undefined) return {};
  if (options.newPart === undefined && (out === undefined || out === '-')) {
    throw new UsageError('--state writes the new and changed objects beside --out: give --out a file, or name the part with --new-part');
  }
  return { state: options.state, newPart: options.newPart ?? besideOutput(out!, '.new.jsonl') };
}

async function intoFolder(out: string, manifest: string): Promise<string> {
  const name = manifest === '-' ? 'output.manifest' : path.basename(isS3Uri(manifest) ? manifest.replace(/\/+$/, '') : manifest);
  if (isS3Uri(out)) return out.endsWith('/') ? `${out}${name}` : out;
  if (out === '-') return out;
  const isFolder = out.endsWith('/') || out.endsWith(path.sep) || (await stat(out).catch(() => undefined))?.isDirectory();
  return isFolder ? path.join(out, name) : out;
}

/**
 * The same file under two names (a symbolic link, `./a` and `a`) counts as one. The side-file folder is only checked
 * against the outputs: a job without masks writes none, and may have its input where the folder would be
 * (`data` → `--out data.jsonl`); a job with masks then fails at its first file (`LocalFolderWriter`).
 */
async function refuseCollisions(manifest: string, paths: OutputPaths): Promise<void> {
  const identity = async (location: string) =>
    isS3Uri(location) || location === '-' ? location : realpath(location).catch(() => path.resolve(location));
  const input = 'the input manifest';
  const seen = new Map<string, string>([[await identity(manifest), input]]);
  for (const [name, location] of Object.entries(paths) as [string, string | undefined][]) {
    if (location === undefined || location === '-') continue;
    const key = await identity(location);
    const other = seen.get(key);
    if (other && !(name === 'sideFiles' && other === input)) throw new UsageError(`${labelOf(name)} ${location} is also ${other}: every output needs a file of its own`);
    seen.set(key, labelOf(name));
  }
}

/** An output's flag; the side-file folder has none of its own: it follows `--out`. */
const labelOf = (name: string) =>
  name === 'sideFiles' ? 'the side-file folder (named after --out)' : `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/**
 * Missing credentials, buckets, the manifest or access stop the run here, with one line (see `preflight.ts`); the
 * checkpoint's bucket (`checkpoint`, a folder or prefix) is checked as an output's.
 */
export async function checkLocations(io: JobIO, manifest: string, paths: OutputPaths, checkpoint?: string): Promise<void> {
  const s3Outputs = [...Object.values(paths), checkpoint].filter((location): location is string => location !== undefined && isS3Uri(location));
  if (!isS3Uri(manifest) && s3Outputs.length === 0) return;
  const { checkS3Access } = await import('../io/s3/preflight.js');
  await checkS3Access(await io.client(), isS3Uri(manifest) ? manifest : undefined, s3Outputs, io.retry, io.counter);
}

export interface OutputWriters {
  output?: OutputWriter;
  sideFiles?: FolderWriter;
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
    sideFiles: paths.sideFiles === undefined ? undefined : await group.openFolder(paths.sideFiles),
    rejects: await group.open(paths.rejects),
    workersReport: await openIf(paths.workersReport),
    review: await openIf(paths.review),
    summary: await openIf(paths.summary, true),
  };
}
