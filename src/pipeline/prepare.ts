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
import { readWorkerResponse, type WorkerAnswer, type WorkerResponse } from '../responses/worker-response.js';
import type { AnswerValue, FieldAnswer } from '../../strategies/types.js';
import { mapOrdered } from './ordered-map.js';
import type { Stage } from './stage.js';

export interface FieldAnswers {
  answers: FieldAnswer[];
  /** Raw values whose shape normalisation does not know, kept verbatim. */
  unknown: unknown[];
  /** The object's row in the field's answer table, set by the table stage for model-based fields. */
  row?: number;
}

export type Prepared =
  | { type: 'blank'; line: number }
  | { type: 'failed'; line: number; text: string }
  | { type: 'rejected'; line: number; text: string; code: RejectCode; reason: string }
  | PreparedObject;

export interface PreparedObject {
  type: 'object';
  line: number;
  json: Record<string, unknown>;
  labelAttribute: string;
  /** Who answered, without the raw answers (normalised into `fields`): what counts, reports and gold need. */
  workers: Omit<WorkerAnswer, 'answerContent'>[];
  /** By field name, in the order fields first appear in the answers. */
  fields: Map<string, FieldAnswers>;
  /** Earlier submissions of workers who answered more than once (one worker, one answer: the last counts). */
  duplicates: number;
  /** By field, what workers wrote beside their answers (`workerComment`): kept, never dropped. */
  sideKeys: [field: string, key: string, workerId: string, value: unknown][];
}

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
    const response = readWorkerResponse(await context.readResponse(record.ref, context.maxResponseBytes));
    return { type: 'object', line, json: record.json, labelAttribute: record.labelAttribute, ...answersOf(response, context.preferences ?? {}) };
  } catch (error) {
    // Storages turn their own failures into `RejectError`s. Anything else is a bug: it costs this line, never the run,
    // and is reported as what it is, not as bad data.
    if (error instanceof RejectError) return { type: 'rejected', line, text, code: error.code, reason: error.message };
    return { type: 'rejected', line, text, code: 'internal-error', reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A worker response's answers, normalised by field (throws `RejectError` `hostile-key` for a `__proto__` label). */
export function answersOf(response: WorkerResponse, preferences: PreferenceMapping): Pick<PreparedObject, 'fields' | 'workers' | 'duplicates' | 'sideKeys'> {
  const workers = response.answers;
  return {
    fields: fieldsOf(workers, preferences),
    workers: workers.map(({ answerContent: _, sideKeys: __, ...worker }) => worker),
    duplicates: response.duplicatesDropped,
    sideKeys: workers.flatMap(({ workerId, sideKeys }) => Object.entries(sideKeys ?? {})
      .flatMap(([field, keys]) => Object.entries(keys).map(([key, value]): [string, string, string, unknown] => [field, key, workerId, value]))),
  };
}

/** The prepare stage: lines in, prepared lines out in input order, `concurrency` of them at a time. */
export function prepareStage(concurrency: number, prepare: (line: Line) => Promise<Prepared>): Stage<Line, Prepared> {
  return (lines) => mapOrdered(lines, concurrency, prepare);
}

/** A label becomes a key in the output (`votes`, `posterior`, a radio map): `__proto__` is refused here as in keys. */
function refuseHostileLabels(value: AnswerValue): AnswerValue {
  const labels = value.kind === 'multi-label' ? value.labels : value.kind === 'categorical' ? [value.value] : [];
  if (labels.includes('__proto__')) throw new RejectError('hostile-key', 'a worker answered the label "__proto__", which the output would hold as a key');
  return value;
}

function fieldsOf(workers: readonly WorkerAnswer[], mapping: PreferenceMapping): Map<string, FieldAnswers> {
  const fields = new Map<string, FieldAnswers>();
  const add = (name: string, workerId: string, normalised: Normalised) => {
    if (normalised.type === 'empty') return;
    let field = fields.get(name);
    if (!field) fields.set(name, (field = { answers: [], unknown: [] }));
    if (normalised.type === 'answer') field.answers.push({ workerId, value: refuseHostileLabels(normalised.value) });
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
