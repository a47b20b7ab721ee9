/**
 * Classifies one output-manifest line of a Lambda-less custom job: an object to consolidate (its
 * `<label>-metadata.worker-response-ref`), an object Ground Truth marked failed (`failure-reason`), or a reject.
 * A line to consolidate is written back re-serialised, so it must survive that unchanged: its numbers must fit a
 * double and its label attribute must not be `__proto__`. A failed line is copied as text, so only its structure counts.
 */
import { RejectError } from '../errors.js';
import { assertExactNumbers, parseUntrustedJson } from '../responses/safe-json.js';
import { isRecord } from '../json.js';

export type ManifestRecord =
  | { type: 'object'; json: Record<string, unknown>; labelAttribute: string; ref: string }
  | { type: 'failed' };

export function classifyLine(text: string, labelAttribute?: string): ManifestRecord {
  let json: unknown;
  try {
    json = parseUntrustedJson(text, 'manifest line', { exactNumbers: false });
  } catch (error) {
    if (error instanceof RejectError) throw error;
    throw new RejectError('invalid-json', `not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(json)) throw new RejectError('not-an-object', 'a manifest line must be a JSON object');

  const candidates = labelAttribute !== undefined ? [labelAttribute] : labelAttributesOf(json);
  const withRef = candidates.filter((label) => typeof metadataOf(json, label)?.['worker-response-ref'] === 'string');
  if (withRef.length > 1) {
    throw new RejectError('no-label-metadata',
      `several label attributes hold a worker-response-ref (${withRef.join(', ')}): choose one with --label-attribute`);
  }
  if (withRef.length === 1) {
    const label = withRef[0]!;
    if (label === '__proto__') throw new RejectError('hostile-key', 'the label attribute "__proto__" cannot be written back as a key');
    assertExactNumbers(text, 'manifest line');
    return { type: 'object', json, labelAttribute: label, ref: metadataOf(json, label)!['worker-response-ref'] as string };
  }
  if (candidates.some((label) => metadataOf(json, label)?.['failure-reason'] !== undefined)) return { type: 'failed' };
  throw new RejectError('no-label-metadata', labelAttribute !== undefined
    ? `"${labelAttribute}-metadata" has neither a worker-response-ref nor a failure-reason`
    : 'no "<label>-metadata" with a worker-response-ref or a failure-reason');
}

/** Keys `K` for which `K-metadata` is an object. */
function labelAttributesOf(json: Record<string, unknown>): string[] {
  return Object.keys(json)
    .filter((key) => key.endsWith('-metadata') && isRecord(json[key]))
    .map((key) => key.slice(0, -'-metadata'.length));
}

function metadataOf(json: Record<string, unknown>, label: string): Record<string, unknown> | undefined {
  const metadata = json[`${label}-metadata`];
  return isRecord(metadata) ? metadata : undefined;
}

/** The job facts in Ground Truth metadata, under either spelling AWS uses (`job-name`/`job_name`, `type` any case). */
export function jobFacts(metadata: Record<string, unknown>): { jobName?: string; type?: string; creationDate?: string } {
  const pick = (...keys: string[]) => keys.map((key) => metadata[key]).find((value) => typeof value === 'string') as string | undefined;
  const type = pick('type');
  return {
    ...(pick('job-name', 'job_name') !== undefined && { jobName: pick('job-name', 'job_name') }),
    ...(type !== undefined && { type: type.toLowerCase() }),
    ...(pick('creation-date', 'creation_date') !== undefined && { creationDate: pick('creation-date', 'creation_date') }),
  };
}
