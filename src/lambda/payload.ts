/**
 * What Ground Truth sends a post-annotation Lambda (ground-truth-formats.md §3): an event `{labelAttributeName,
 * payload: {s3Uri}, …}` (other keys tolerated) whose `s3Uri` names a JSON array of dataset objects
 * `{datasetObjectId, dataObject, annotations: [{workerId, annotationData: {content}}]}`, where `content` is a worker's
 * `answerContent` as a JSON string. The payload holds what workers typed, so it is read like a worker response: only
 * under allowed prefixes, size-capped, parsed by `parseUntrustedJson` (no `__proto__` keys, bounded depth, exact numbers).
 */
import { isUtf8 } from 'node:buffer';
import { RejectError, UsageError, type RejectCode } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { RefResolver } from '../io/refs.js';
import { isRecord } from '../json.js';
import { answersOf, type PreparedObject } from '../pipeline/prepare.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import { parseUntrustedJson } from '../responses/safe-json.js';
import { workerResponseFrom } from '../responses/worker-response.js';

export interface ConsolidationRequest {
  labelAttributeName: string;
  payloadUri: string;
}

/** One dataset object of the payload: its answers, ready to decide, or why they could not be read. */
export type DatasetObject =
  | { datasetObjectId: string; prepared: PreparedObject }
  | { datasetObjectId: string; rejected: { code: RejectCode; reason: string } };

export function parseRequest(event: unknown): ConsolidationRequest {
  if (!isRecord(event) || typeof event.labelAttributeName !== 'string' || event.labelAttributeName === ''
    || !isRecord(event.payload) || typeof event.payload.s3Uri !== 'string') {
    throw new UsageError('not a post-annotation Lambda event: expected {labelAttributeName, payload: {s3Uri}}');
  }
  // The label attribute becomes a key of every response entry.
  if (event.labelAttributeName === '__proto__') throw new UsageError('the label attribute "__proto__" cannot be a key of the response');
  return { labelAttributeName: event.labelAttributeName, payloadUri: event.payload.s3Uri };
}

/** The payload's dataset objects, read from S3 where `allowedPrefixes` admit its URI (refused otherwise, unread). */
export async function readPayload(io: JobIO, uri: string, allowedPrefixes: readonly string[], maxBytes: number): Promise<unknown[]> {
  try {
    const location = new RefResolver([], undefined, allowedPrefixes).resolve(uri) as string; // no mirrors: always the URI
    const bytes = await io.storageFor(location).readAll(location, maxBytes);
    if (!isUtf8(bytes)) throw new RejectError('invalid-response', 'not valid UTF-8');
    const json = parseUntrustedJson(bytes.toString('utf8'), 'the payload');
    if (!Array.isArray(json)) throw new RejectError('invalid-response', 'expected a JSON array of dataset objects');
    return json;
  } catch (error) {
    if (error instanceof RejectError && error.code === 'ref-not-allowed') {
      throw new UsageError(`payload.s3Uri ${uri} is not under an allowed prefix (${allowedPrefixes.join(', ')}); add its prefix to allowedPrefixes`);
    }
    throw new Error(`payload.s3Uri ${uri}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The dataset object at `index`, its annotations normalised as a run normalises a worker response. Without a usable
 * `datasetObjectId` no entry could be returned for it, so the whole batch fails; any other fault costs only the object.
 */
export function datasetObjectAt(
  item: unknown, index: number, { labelAttribute, preferences }: { labelAttribute: string; preferences: PreferenceMapping },
): DatasetObject {
  const id = isRecord(item) ? item.datasetObjectId : undefined;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) throw new Error(`payload[${index}] has no datasetObjectId (a string)`);
  const datasetObjectId = String(id);
  try {
    const response = workerResponseFrom({ answers: workerAnswers((item as Record<string, unknown>).annotations) });
    return {
      datasetObjectId,
      prepared: { type: 'object', line: index + 1, json: {}, labelAttribute, ...answersOf(response, preferences) },
    };
  } catch (error) {
    if (!(error instanceof RejectError)) throw error;
    return { datasetObjectId, rejected: { code: error.code, reason: error.message } };
  }
}

/** `annotations[]` as worker-response answers: `{workerId, answerContent}` with the content parsed. */
function workerAnswers(annotations: unknown): { workerId: string; answerContent: unknown }[] {
  if (!Array.isArray(annotations)) throw new RejectError('invalid-response', '"annotations" is not an array');
  return annotations.map((annotation: unknown, at) => {
    const where = `annotations[${at}]`;
    const data = isRecord(annotation) ? annotation.annotationData : undefined;
    if (!isRecord(annotation) || typeof annotation.workerId !== 'string' || !isRecord(data)) {
      throw new RejectError('invalid-response', `${where} needs a string "workerId" and an "annotationData" object`);
    }
    if (typeof data.content !== 'string') {
      // The documented alternative, `annotationData.s3Uri`, has no documented file format: not guessed at.
      throw new RejectError('invalid-response', `${where}.annotationData has no "content" string (s3Uri annotations are not read)`);
    }
    let answerContent: unknown;
    try {
      answerContent = parseUntrustedJson(data.content, `${where}.annotationData.content`);
    } catch (error) {
      if (error instanceof RejectError) throw error;
      throw new RejectError('invalid-response', `${where}.annotationData.content is not valid JSON: ${(error as Error).message}`);
    }
    if (!isRecord(answerContent)) throw new RejectError('invalid-response', `${where}.annotationData.content is not a JSON object`);
    return { workerId: annotation.workerId, answerContent };
  });
}
