/**
 * Turns one `answerContent` value into a typed answer (see `AnswerValue`). Each key of `answerContent` is a field (the
 * form element's `name`). Shapes, from Crowd HTML Elements and native inputs:
 *
 * | submitted                                  | normalised                                   |
 * |--------------------------------------------|----------------------------------------------|
 * | `{label: "x"}` (crowd-(image-)classifier)  | categorical, shape classifier                |
 * | `{labels: ["a","b"]}` (…-multi-select)     | multi-label, shape labels                    |
 * | `{on: true}` (crowd-toggle-button)         | boolean, shape toggle                        |
 * | `{"x": true}` / `{"x": false}` one key     | boolean, shape flag (a "no" vote when false) |
 * | `{"a": true, "b": false}` (checkbox group) | multi-label, shape checkbox                  |
 * | `["a","b"]`                                | multi-label, shape list                      |
 * | `3` (crowd-slider), `"3"` (select, input)  | numeric                                      |
 * | `true` / `false`                           | boolean, shape plain                         |
 * | `"text with several words"` or multi-line  | text                                         |
 * | `"short"`                                  | categorical, shape string                    |
 * | `""`, `null`                               | no answer                                    |
 * | `{boundingBoxes: […]}`, `{entities: […]}`, … | a shape kind (annotation-tools.ts)         |
 *
 * String values holding JSON (hidden inputs filled by `JSON.stringify`) are decoded, recursively, first. Strings are
 * trimmed. Anything else (including a number too large for a double) is an unknown shape: kept verbatim, as
 * submitted, and reported, never fatal. `workerComment` beside a classifier's `label(s)` is not part of the answer;
 * `sideKeysOf` returns it so it can be kept elsewhere.
 *
 * One answer alone cannot tell every meaning: a one-key map is a checkbox or toggle with a value, or one button of a
 * radio group whose buttons have their own names; a boolean map is a checkbox group or a single-choice radio. The
 * job-level field schema (`field-schema.ts`) settles that from all the answers of a field.
 */
import type { AnswerValue } from '../../strategies/types.js';
import { annotationToolAnswer } from './annotation-tools.js';
import { parseUntrustedJson } from './safe-json.js';
import { isRecord } from '../json.js';

export type Normalised =
  | { type: 'answer'; value: AnswerValue }
  | { type: 'empty' }
  | { type: 'unknown'; raw: unknown };

/** Strings longer than this, or with more words than `textWords`, read as free text rather than a category. */
const textLength = 40;
const textWords = 3;
/** A number as a select or input submits it (`"4"`, `"-0.5"`, `"1e3"`), once trimmed. */
export const numericString = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const answer = (value: AnswerValue): Normalised => ({ type: 'answer', value });

/** Keys an element adds beside its answer (crowd-image-classifier's free-text comment). */
const sideKeys = new Set(['workerComment']);

/** The side keys of a submitted value (`{label, workerComment}` → `{workerComment}`), if it has any. */
export function sideKeysOf(value: unknown): Record<string, unknown> | undefined {
  if (!isRecord(value)) return undefined;
  const found = Object.entries(value).filter(([key]) => sideKeys.has(key));
  return found.length > 0 ? Object.fromEntries(found) : undefined;
}

export function normaliseValue(value: unknown): Normalised {
  if (value === null || value === undefined) return { type: 'empty' };
  if (typeof value === 'number') return Number.isFinite(value) ? answer({ kind: 'numeric', value, shape: 'number' }) : { type: 'unknown', raw: value };
  if (typeof value === 'boolean') return answer({ kind: 'boolean', value, shape: 'plain' });
  if (typeof value === 'string') return normaliseString(value);
  if (Array.isArray(value)) {
    return value.every((item) => typeof item === 'string')
      ? answer({ kind: 'multi-label', labels: value, options: [], shape: 'list' })
      : { type: 'unknown', raw: value };
  }
  if (isRecord(value)) return normaliseObject(value);
  return { type: 'unknown', raw: value };
}

function normaliseString(text: string): Normalised {
  const trimmed = text.trim();
  if (trimmed === '') return { type: 'empty' };
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    const decoded = tryParseJson(trimmed);
    if (decoded !== undefined) {
      const normalised = normaliseValue(decoded);
      return normalised.type === 'unknown' ? { type: 'unknown', raw: text } : normalised;
    }
  }
  if (numericString.test(trimmed)) {
    const value = Number(trimmed);
    return Number.isFinite(value) ? answer({ kind: 'numeric', value, shape: 'numeric-string' }) : { type: 'unknown', raw: text };
  }
  const isText = trimmed.length > textLength || /[\r\n]/.test(trimmed) || trimmed.split(/\s+/).length > textWords;
  return answer(isText ? { kind: 'text', value: trimmed } : { kind: 'categorical', value: trimmed, shape: 'string' });
}

function normaliseObject(object: Record<string, unknown>): Normalised {
  const drawn = annotationToolAnswer(object);
  if (drawn) return answer(drawn);
  const keys = Object.keys(object).filter((key) => !sideKeys.has(key));
  if (keys.length === 1 && keys[0] === 'label' && typeof object.label === 'string') {
    return answer({ kind: 'categorical', value: object.label, shape: 'classifier' });
  }
  if (keys.length === 1 && keys[0] === 'labels' && Array.isArray(object.labels)
    && object.labels.every((label) => typeof label === 'string')) {
    return answer({ kind: 'multi-label', labels: object.labels, options: [], shape: 'labels' });
  }
  const flags = Object.entries(object);
  if (flags.length > 0 && flags.every(([, flag]) => typeof flag === 'boolean')) {
    if (flags.length === 1) {
      const [key, on] = flags[0] as [string, boolean];
      return answer(key === 'on' ? { kind: 'boolean', value: on, shape: 'toggle' } : { kind: 'boolean', value: on, shape: 'flag', option: key });
    }
    return answer({
      kind: 'multi-label',
      labels: flags.filter(([, on]) => on).map(([key]) => key),
      options: flags.map(([key]) => key),
      shape: 'checkbox',
    });
  }
  return { type: 'unknown', raw: object };
}

/** Decodes a hidden input's JSON (refusing `__proto__` keys like the file itself); `undefined` if it is not JSON. */
function tryParseJson(text: string): unknown {
  try {
    return parseUntrustedJson(text, 'a JSON string in the worker response');
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
