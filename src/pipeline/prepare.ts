/**
 * The per-line work of a run: classify the line, fetch and parse its worker response, normalise every answer. It
 * depends only on its inputs (no shared state), so it runs concurrently and could run in worker threads; deciding and
 * writing happen after it, in input order.
 */
import { RejectError, type RejectCode } from '../errors.js';
import type { Line } from '../io/lines.js';
import { classifyLine } from '../manifest/record.js';
import { normaliseValue, type Normalised } from '../responses/normalise.js';
import { preferenceFields, type PreferenceMapping } from '../responses/preferences.js';
import { parseWorkerResponse, type WorkerAnswer } from '../responses/worker-response.js';
import type { FieldAnswer } from '../../strategies/types.js';

export interface FieldAnswers {
  answers: FieldAnswer[];
  /** Raw values whose shape normalisation does not know, kept verbatim. */
  unknown: unknown[];
}

export type Prepared =
  | { type: 'blank'; line: number }
  | { type: 'failed'; line: number; text: string }
  | { type: 'rejected'; line: number; text: string; code: RejectCode; reason: string }
  | {
    type: 'object';
    line: number;
    json: Record<string, unknown>;
    labelAttribute: string;
    /** Who answered, without the raw answers (normalised into `fields`): what counts, reports and gold need. */
    workers: Omit<WorkerAnswer, 'answerContent'>[];
    /** By field name, in the order fields first appear in the answers. */
    fields: Map<string, FieldAnswers>;
  };

export interface PrepareContext {
  labelAttribute?: string;
  /** How choice and rating fields map onto responses, and names for unnamed ranking dimensions. */
  preferences?: PreferenceMapping;
  maxResponseBytes: number;
  /** Reads the worker response a ref points at (throws `RejectError` for refused, missing or oversized refs). */
  readResponse(ref: string, maxBytes: number): Promise<Buffer>;
}

export async function prepareLine({ number: line, text, problem }: Line, context: PrepareContext): Promise<Prepared> {
  if (problem) return { type: 'rejected', line, text, ...problem };
  if (text.trim() === '') return { type: 'blank', line };
  try {
    const record = classifyLine(text, context.labelAttribute);
    if (record.type === 'failed') return { type: 'failed', line, text };
    const workers = parseWorkerResponse(await context.readResponse(record.ref, context.maxResponseBytes));
    const fields = fieldsOf(workers, context.preferences ?? {});
    return {
      type: 'object', line, json: record.json, labelAttribute: record.labelAttribute, fields,
      workers: workers.map(({ answerContent: _, ...worker }) => worker),
    };
  } catch (error) {
    if (error instanceof RejectError) return { type: 'rejected', line, text, code: error.code, reason: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') {
      return { type: 'rejected', line, text, code: 'response-unreadable', reason: `${code}: ${(error as Error).message}` };
    }
    throw error;
  }
}

function fieldsOf(workers: readonly WorkerAnswer[], mapping: PreferenceMapping): Map<string, FieldAnswers> {
  const fields = new Map<string, FieldAnswers>();
  const add = (name: string, workerId: string, normalised: Normalised) => {
    if (normalised.type === 'empty') return;
    let field = fields.get(name);
    if (!field) fields.set(name, (field = { answers: [], unknown: [] }));
    if (normalised.type === 'answer') field.answers.push({ workerId, value: normalised.value });
    else field.unknown.push(normalised.raw);
  };
  for (const { workerId, answerContent } of workers) {
    const typed = (key: string) => {
      const normalised = normaliseValue(answerContent[key]);
      return normalised.type === 'answer' ? normalised.value : undefined;
    };
    const preferences = preferenceFields(answerContent, mapping, typed);
    for (const [name, value] of preferences.fields) add(name, workerId, { type: 'answer', value });
    for (const [name, raw] of Object.entries(answerContent)) {
      if (!preferences.consumed.has(name)) add(name, workerId, normaliseValue(raw));
    }
  }
  return fields;
}
