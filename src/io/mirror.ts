/**
 * Maps `s3://` worker-response refs onto a local copy of the job (`aws s3 sync s3://bucket/prefix/ ./dir/`), so a job
 * is consolidated offline. A manifest is untrusted: a ref that no mirror covers is refused, and so is one whose key
 * could step outside its mirror directory (`..`, `.`, empty segments, backslashes, NUL).
 */
import path from 'node:path';
import { RejectError, UsageError } from '../errors.js';

export interface Mirror {
  /** `s3://bucket/prefix/` (always ends with `/`). */
  prefix: string;
  /** Absolute directory holding the objects under `prefix`. */
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
  return { prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, directory: path.resolve(directory) };
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
  return { job: path.basename(jobDirectory), directory: jobDirectory };
}

export interface JobMirror {
  job: string;
  directory: string;
}

export class MirrorResolver {
  constructor(private readonly mirrors: readonly Mirror[], private readonly job?: JobMirror) {}

  /** The local path of a ref, or a `RejectError` saying why it is refused. */
  resolve(ref: string): string {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref);
    if (!match) throw new RejectError('invalid-ref', `worker-response-ref is not an s3://bucket/key URI: ${JSON.stringify(ref)}`);
    const key = match[2]!;
    const segments = key.split('/');
    if (/[\\\0]/.test(key) || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new RejectError('invalid-ref', `worker-response-ref has an unsafe key: ${JSON.stringify(ref)}`);
    }
    const mirror = this.mirrors.find((m) => ref.startsWith(m.prefix));
    if (mirror) return within(mirror.directory, ref.slice(mirror.prefix.length), ref);
    if (this.job) {
      const at = key.indexOf(`${this.job.job}/annotations/`);
      if (at === 0 || (at > 0 && key[at - 1] === '/')) {
        return within(this.job.directory, key.slice(at + this.job.job.length + 1), ref);
      }
    }
    throw new RejectError('ref-not-allowed', `no --mirror covers worker-response-ref ${ref}`);
  }
}

function within(directory: string, relative: string, ref: string): string {
  const resolved = path.resolve(directory, relative);
  if (!resolved.startsWith(directory + path.sep)) {
    throw new RejectError('invalid-ref', `worker-response-ref escapes its mirror directory: ${ref}`);
  }
  return resolved;
}
