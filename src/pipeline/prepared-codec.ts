/**
 * Prepared lines as JSON text and back, for the stores that let a run skip fetching what an earlier run fetched: the
 * checkpoint of an interrupted run (`checkpoint.ts`) and the ledger of incremental runs (`ledger.ts`). What is read
 * back lives on disk or in S3, where anyone with access may have changed it, so it is untrusted like a worker response:
 * parsed with the same guards (depth, `__proto__`, exact numbers) and checked against the shape of `Prepared` before
 * the run uses it. The value handed on is the parsed one, not a schema's copy: key order is kept, and with it the
 * bytes of the output.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { parseUntrustedJson } from '../responses/safe-json.js';
import type { FieldAnswers, Prepared } from './prepare.js';

const label = z.string();
const imageSize = z.strictObject({ width: z.number(), height: z.number() }).optional();
const point = { x: z.number(), y: z.number() };
const labeledPath = z.strictObject({ label, vertices: z.array(z.strictObject(point)) });

/** An answer's value as `normalise.ts` makes it; the scale-out's lines parts check theirs with it too. */
export const answerValue = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('categorical'), value: label, shape: z.enum(['classifier', 'radio', 'string']), options: z.array(label).optional() }),
  z.strictObject({ kind: z.literal('multi-label'), labels: z.array(label), options: z.array(label), shape: z.enum(['labels', 'checkbox', 'list']) }),
  z.strictObject({ kind: z.literal('numeric'), value: z.number(), shape: z.enum(['number', 'numeric-string', 'radio']) }),
  z.strictObject({ kind: z.literal('text'), value: z.string() }),
  z.strictObject({ kind: z.literal('boolean'), value: z.boolean(), shape: z.enum(['toggle', 'plain', 'flag']), option: z.string().optional() }),
  z.strictObject({ kind: z.literal('preference'), scores: z.array(z.number().nullable()), source: z.enum(['ranking', 'choice', 'rating']) }),
  z.strictObject({
    kind: z.literal('boxes'), image: imageSize,
    boxes: z.array(z.strictObject({ label, left: z.number(), top: z.number(), width: z.number(), height: z.number() })),
  }),
  z.strictObject({ kind: z.literal('spans'), spans: z.array(z.strictObject({ label, startOffset: z.number(), endOffset: z.number() })) }),
  z.strictObject({ kind: z.literal('keypoints'), points: z.array(z.strictObject({ label, ...point })), image: imageSize }),
  z.strictObject({ kind: z.literal('polygons'), polygons: z.array(labeledPath), image: imageSize }),
  z.strictObject({ kind: z.literal('lines'), lines: z.array(labeledPath), shape: z.enum(['lines', 'polylines']), image: imageSize }),
  z.strictObject({
    kind: z.literal('mask'), png: z.string(), image: imageSize,
    labelMappings: z.record(z.string(), z.strictObject({ color: z.string() })),
    instances: z.array(z.strictObject({ color: z.string(), label })).optional(),
  }),
]);

const lineNumber = z.number().int().positive();
const record = z.record(z.string(), z.unknown());

/** An object's fields travel as `[name, {answers, unknown}]` entries: JSON has no `Map`. */
const encodedLine = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('blank'), line: lineNumber }),
  z.strictObject({ type: z.literal('failed'), line: lineNumber, text: z.string() }),
  z.strictObject({ type: z.literal('rejected'), line: lineNumber, text: z.string(), code: z.string(), reason: z.string() }),
  z.strictObject({
    type: z.literal('object'), line: lineNumber, json: record, labelAttribute: z.string(),
    workers: z.array(z.strictObject({
      workerId: z.string(), acceptanceTime: z.string().optional(), submissionTime: z.string().optional(),
      timeSpentInSeconds: z.number().optional(), sub: z.string().optional(),
    })),
    fields: z.array(z.tuple([z.string(), z.strictObject({
      answers: z.array(z.strictObject({ workerId: z.string(), value: answerValue })),
      unknown: z.array(z.unknown()),
    })])),
    duplicates: z.number().int().nonnegative(),
    sideKeys: z.array(z.tuple([z.string(), z.string(), z.string(), z.unknown()])),
  }),
]);

/**
 * What shapes a prepared line besides the manifest line and its worker response: a stored line prepared under other
 * settings is not replayed.
 */
export function preparedFingerprint(settings: object): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}

export function encodePrepared(line: Prepared): string {
  return JSON.stringify(line.type === 'object' ? { ...line, fields: [...line.fields] } : line);
}

/** The line `encodePrepared` wrote; throws an `Error` naming `what` when the text is not one. */
export function decodePrepared(text: string, what: string): Prepared {
  return checkPrepared(parseUntrustedJson(text, what), what);
}

/** `value` (parsed from what `encodePrepared` wrote) as the prepared line it is; throws naming `what` when it is not one. */
export function checkPrepared(value: unknown, what: string): Prepared {
  const checked = encodedLine.safeParse(value);
  if (!checked.success) throw new Error(`${what} is not a prepared line: ${z.prettifyError(checked.error).split('\n')[0]}`);
  const line = value as Prepared;
  if (line.type !== 'object') return line;
  return { ...line, fields: new Map(line.fields as unknown as [string, FieldAnswers][]) };
}
