/**
 * Maps `s3://` worker-response refs onto a local copy of the job (`aws s3 sync s3://bucket/prefix/ ./dir/`), so a job
 * is consolidated offline; a mapped path can never leave its mirror directory, neither by its name nor through a
 * symbolic link.
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

/** The local path a mirror gives `key` (of a ref already checked safe), or `undefined` if no mirror covers it. */
export function mirrorPath(ref: string, key: string, mirrors: readonly Mirror[], job?: JobMirror): string | undefined {
  const mirror = mirrors.find((m) => ref.startsWith(m.prefix));
  if (mirror) return within(mirror.directory, ref.slice(mirror.prefix.length), ref);
  if (job) {
    const at = key.indexOf(`${job.job}/annotations/`);
    if (at === 0 || (at > 0 && key[at - 1] === '/')) return within(job.directory, key.slice(at + job.job.length + 1), ref);
  }
  return undefined;
}

/**
 * The path of `relative` inside `directory` (already a real path), checked by name, then with its symbolic links
 * resolved (`aws s3 sync` makes none, but a mirror may hold one pointing anywhere). Returns the resolved path, so the
 * read opens the very file checked; a path that does not exist is returned as named and reads as missing.
 */
function within(directory: string, relative: string, ref: string): string {
  const resolved = path.resolve(directory, relative);
  if (!isInside(directory, resolved)) {
    throw new RejectError('invalid-ref', `worker-response-ref escapes its mirror directory: ${ref}`);
  }
  const real = realPath(resolved);
  if (real !== undefined && !isInside(directory, real)) {
    throw new RejectError('ref-not-allowed', `worker-response-ref leads out of its mirror directory through a symbolic link: ${ref}`);
  }
  return real ?? resolved;
}

const isInside = (directory: string, file: string) => file.startsWith(directory + path.sep);

/** `file` with every symbolic link resolved, or `undefined` if it does not exist (or cannot be reached). */
function realPath(file: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch {
    return undefined;
  }
}

/** A mirror's directory as an absolute real path (as named when it does not exist: every ref in it reads as missing). */
const realDirectory = (directory: string) => realPath(path.resolve(directory)) ?? path.resolve(directory);
