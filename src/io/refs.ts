/**
 * Where a `worker-response-ref` may be read from. A manifest is untrusted data, so a ref is followed only when it is
 * an `s3://bucket/key` URI with a plain key (no `..`, `.`, empty segments, backslashes or NUL) and either a mirror
 * covers it (read from the local copy) or it lies under an allowed S3 prefix (by default the manifest's own bucket;
 * `--allow-ref-prefix` adds more). Anything else is refused with a reason, never fetched.
 */
import { RejectError, UsageError } from '../errors.js';
import { mirrorPath, type JobMirror, type Mirror, type MirroredFile } from './mirror.js';
import { parseS3Uri } from './s3/s3-uri.js';

/** `s3://bucket/prefix` → `s3://bucket/prefix/`: a prefix is a folder, so `s3://b/jobs` does not admit `s3://b/jobs-x/`. */
export function parseAllowedPrefix(prefix: string): string {
  if (!/^s3:\/\/[^/]+/.test(prefix)) throw new UsageError(`--allow-ref-prefix "${prefix}": expected s3://bucket/prefix/`);
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** S3 refuses longer keys with an unhelpful error; checked here so the reject says why. */
const maxS3KeyBytes = 1024;

export class RefResolver {
  constructor(
    private readonly mirrors: readonly Mirror[],
    private readonly job: JobMirror | undefined,
    private readonly allowedPrefixes: readonly string[],
  ) {}

  /** Where to read `ref`: a file in a mirror, or the `s3://` URI itself. */
  resolve(ref: string): MirroredFile | string {
    const location = parseS3Uri(ref);
    if (!location) throw new RejectError('invalid-ref', `worker-response-ref is not an s3://bucket/key URI: ${JSON.stringify(ref)}`);
    const keyBytes = Buffer.byteLength(location.key);
    if (keyBytes > maxS3KeyBytes) {
      throw new RejectError('invalid-ref', `worker-response-ref has a key of ${keyBytes} bytes: S3 keys are at most 1,024 bytes`);
    }
    const segments = location.key.split('/');
    if (/[\\\0]/.test(location.key) || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new RejectError('invalid-ref', `worker-response-ref has an unsafe key: ${JSON.stringify(ref)}`);
    }
    const local = mirrorPath(ref, location.key, this.mirrors, this.job);
    if (local !== undefined) return local;
    if (this.allowedPrefixes.some((prefix) => ref.startsWith(prefix))) return ref;
    const allowed = this.allowedPrefixes.length ? ` (allowed: ${this.allowedPrefixes.join(', ')})` : '';
    throw new RejectError('ref-not-allowed', `no --mirror or --allow-ref-prefix covers worker-response-ref ${ref}${allowed}`);
  }
}
