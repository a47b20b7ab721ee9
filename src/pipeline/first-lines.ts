/**
 * A run whose first lines are all refused for the same configuration reason is misconfigured, not fed bad data: it
 * stops there (exit 2) with one line naming the fix, rather than rejecting a whole job line by line. Two mistakes are
 * common: refs that no mirror covers or whose files are not where the mirror says (a job synced into a folder not named
 * after the job), and a `--label-attribute` that is not the manifest's.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import { isRecord } from '../json.js';
import { isS3Uri } from '../io/s3/s3-uri.js';
import type { Prepared } from './prepare.js';
import { forTerminal } from '../text/escape.js';

/** How many lines (not blank) must all fail the same way before the run stops. */
export const firstLinesToCheck = 20;

const refCodes = new Set(['ref-not-allowed', 'response-missing']);

export class FirstLinesCheck {
  private seen = 0;
  private failing = 0;
  private firstText?: string;
  private code?: string;

  constructor(private readonly manifest: string, private readonly labelAttribute: string | undefined) {}

  /** Counts one line; throws the fix once the first `firstLinesToCheck` lines have all failed alike. */
  observe(line: Prepared): void {
    if (line.type === 'blank' || this.seen >= firstLinesToCheck) return;
    this.seen += 1;
    const code = line.type === 'rejected' ? line.code : undefined;
    const alike = code !== undefined && (refCodes.has(code) || (code === 'no-label-metadata' && this.labelAttribute !== undefined));
    if (alike && (this.code === undefined || this.code === code)) {
      this.failing += 1;
      this.code = code;
      this.firstText ??= (line as { text: string }).text;
    }
    if (this.seen === firstLinesToCheck) this.finish();
  }

  /** Also at the end of a job shorter than `firstLinesToCheck` lines. */
  finish(): void {
    if (this.failing === 0 || this.failing < this.seen) return;
    const json = parse(this.firstText!);
    const lines = `the first ${this.seen} lines`;
    if (this.code === 'no-label-metadata') {
      const detected = json ? labelAttributesWithRef(json) : [];
      throw new UsageError(`--label-attribute "${forTerminal(this.labelAttribute!)}" matches none of ${lines}; `
        + (detected.length ? `the manifest's label attribute is "${forTerminal(detected[0]!)}" (or leave --label-attribute out to detect it)` : 'leave --label-attribute out to detect it'));
    }
    const ref = json && labelAttributesWithRef(json).map((label) => (json[`${label}-metadata`] as Record<string, unknown>)['worker-response-ref'])[0];
    throw new UsageError(`${lines} were all rejected as ${this.code}: ${mirrorHint(typeof ref === 'string' ? ref : undefined, this.manifest)}`);
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

function labelAttributesWithRef(json: Record<string, unknown>): string[] {
  return Object.keys(json).filter((key) => key.endsWith('-metadata') && isRecord(json[key])
    && typeof (json[key] as Record<string, unknown>)['worker-response-ref'] === 'string').map((key) => key.slice(0, -'-metadata'.length));
}

/**
 * The `--mirror` that maps the refs onto the job's local folder: the refs' prefix up to the job folder that holds
 * `annotations/`, onto the folder three levels above a manifest at `<folder>/manifests/output/output.manifest`.
 */
function mirrorHint(ref: string | undefined, manifest: string): string {
  const at = ref?.indexOf('/annotations/') ?? -1;
  if (ref === undefined || at < 0) return 'check --mirror and --allow-ref-prefix against the manifest\'s worker-response-refs';
  const prefix = ref.slice(0, at + 1);
  const local = manifest !== '-' && !isS3Uri(manifest) && path.basename(path.dirname(path.dirname(path.resolve(manifest)))) === 'manifests'
    ? path.dirname(path.dirname(path.dirname(path.resolve(manifest))))
    : '<the folder that holds annotations/>';
  return `refs look like ${forTerminal(prefix)}annotations/…; if the job is synced locally, use --mirror ${forTerminal(prefix)}=${forTerminal(local)}/`;
}
