/**
 * Maps `s3://` worker-response refs onto a local copy of the job (`aws s3 sync s3://bucket/prefix/ ./dir/`), so a job
 * is consolidated offline; a mapped path can never leave its mirror directory by its name, and the read refuses one that
 * leaves it through a symbolic link (`readWithin` in local-storage.ts).
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { RejectError, UsageError } from '../errors.js';

export interface Mirror {
  /** `s3://bucket/prefix/` (always ends with `/`). */
  prefix: string;
  /** Absolute real path (symbolic links resolved) of the directory holding the objects under `prefix`. */
  directory: string;
}

/** Parses `s3://bucket/prefix/=./dir/`. */
export function parseMirror(spec: string): Mirror {
  const split = spec.indexOf('=');
  const prefix = split > 0 ? spec.slice(0, split) : '';
  const directory = spec.slice(split + 1);
  if (!/^s3:\/\/[^/]+\//.test(prefix.endsWith('/') ? prefix : `${prefix}/`) || directory === '') {
    throw new UsageError(`--mirror "${spec}": expected s3://bucket/prefix/=./local/dir/`);
  }
  return { prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, directory: realDirectory(directory) };
}

/**
 * The mirror a locally synced job implies: a manifest at `<dir>/<job>/manifests/output/output.manifest` holds refs
 * `s3://…/<job>/annotations/…`, found at `<dir>/<job>/annotations/…`. Covers only the job's `annotations/` folder.
 */
export function jobMirror(manifestPath: string): JobMirror | undefined {
  const manifest = path.resolve(manifestPath);
  const outputDir = path.dirname(manifest);
  if (path.basename(outputDir) !== 'output' || path.basename(path.dirname(outputDir)) !== 'manifests') return undefined;
  const jobDirectory = path.dirname(path.dirname(outputDir));
  return { job: path.basename(jobDirectory), directory: realDirectory(jobDirectory) };
}

export interface JobMirror {
  job: string;
  directory: string;
}

/** A worker response in a mirror: `file` must really lie inside `within` (a real path) once links are resolved. */
export interface MirroredFile {
  file: string;
  within: string;
}

/** The local file a mirror gives `key` (of a ref already checked safe), or `undefined` if no mirror covers it. */
export function mirrorPath(ref: string, key: string, mirrors: readonly Mirror[], job?: JobMirror): MirroredFile | undefined {
  const mirror = mirrors.find((m) => ref.startsWith(m.prefix));
  if (mirror) return within(mirror.directory, ref.slice(mirror.prefix.length), ref);
  if (job) {
    const at = key.indexOf(`${job.job}/annotations/`);
    if (at === 0 || (at > 0 && key[at - 1] === '/')) return within(job.directory, key.slice(at + job.job.length + 1), ref);
  }
  return undefined;
}

/** The path of `relative` inside `directory` (a real path), checked by name. */
function within(directory: string, relative: string, ref: string): MirroredFile {
  const file = path.resolve(directory, relative);
  if (!isInside(directory, file)) {
    throw new RejectError('invalid-ref', `worker-response-ref escapes its mirror directory: ${ref}`);
  }
  return { file, within: directory };
}

export const isInside = (directory: string, file: string) => file.startsWith(directory + path.sep);

/** `file` with every symbolic link resolved, or `undefined` if it does not exist (or cannot be reached). */
export function realPath(file: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch {
    return undefined;
  }
}

/** A mirror's directory as an absolute real path (as named when it does not exist: every ref in it reads as missing). */
const realDirectory = (directory: string) => realPath(path.resolve(directory)) ?? path.resolve(directory);
