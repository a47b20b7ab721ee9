/**
 * What the HTML report is built from: a run summary (enough on its own), and when they were written, the worker report
 * and the first lines of the review queue (its least confident objects). The CLI reads them through the job's I/O, so
 * each can be a path or `s3://`.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import type { IoSettings, JobIO } from '../../io/job-io.js';
import { readLines } from '../../io/lines.js';
import { isRecord } from '../../json.js';
import type { Summary } from '../summary.js';

/** The report shows at most this many of the review queue's objects, least confident first. */
export const lowConfidenceCap = 50;
/** The worker table shows at most this many workers, the most active first; the worker report has them all. */
export const workerTableCap = 500;

const summaryMaxBytes = 64 * 1024 * 1024;
const workerReportMaxBytes = 256 * 1024 * 1024;
/** How much of an object's `source` text the low-confidence table shows. */
const sourceChars = 160;

/** One worker report row, as the report shows it (from the `.csv` or the `.jsonl` worker report). */
export interface WorkerTableRow {
  workerId: string;
  objects: number;
  medianTimeSpentSeconds?: number;
  agreement?: number;
  goldAnswers: number;
  goldAccuracy?: number;
  /** Per fitted field: the model's estimate of the worker's accuracy. */
  modelAccuracy: Record<string, number>;
}

/** One object of the review queue. */
export interface ReviewedObject {
  /** Line in the output manifest. */
  line: number;
  confidence: number;
  /** `source` (shortened) or `source-ref`. */
  source: string;
  /** Field → the consolidated label (`label` of a `{label}` value, else the value as JSON). */
  labels: Record<string, string>;
  reasons: string[];
}

export interface ReportInput {
  summary: Summary;
  /** The summary file the report was rebuilt from, when it was. */
  summaryLocation?: string;
  workers?: { location: string; rows: readonly WorkerTableRow[] };
  /** The review queue's first objects (at most `lowConfidenceCap`): the least confident. */
  review?: { location: string; objects: readonly ReviewedObject[] };
}

/** The locations the report's optional parts are read from. */
export interface ReportSources {
  /** The worker report (`.csv` or `.jsonl`) of the run: the worker table. */
  workersReport?: string;
  /** The run's review queue: its least confident objects. */
  review?: string;
}

/** `gt-consolidate report`: a report rebuilt from a run summary (and the run's other files), written to `out`. */
export interface ReportOptions extends ReportSources, Pick<IoSettings, 's3' | 'retry'> {
  summary: string;
  out: string;
}

const count = z.number();
const counts = z.record(z.string(), count);
const measure = z.number().nullable();
/**
 * The parts of a summary file the report shows, checked: a file edited by hand (or by someone else) cannot put markup
 * where the report writes a number. Keys it does not show are kept as they are.
 */
const summarySchema = z.looseObject({
  input: z.string(),
  output: z.string().nullable(),
  rejects: z.string(),
  job: z.string().optional(),
  lines: z.object({ read: count, consolidated: count, failedInJob: count, rejected: count, blank: count }),
  rejectedBy: counts,
  answers: count,
  duplicateAnswers: count,
  workers: count,
  objectsWithoutAnswers: count,
  fields: z.record(z.string(), z.looseObject({
    strategy: z.string(),
    pickedFor: z.string().optional(),
    objects: count,
    answers: count,
    ties: count,
    unresolved: count,
    unresolvedBy: counts.optional(),
    meanConfidence: z.number(),
    agreement: z.looseObject({ alpha: z.looseObject({ nominal: measure, ordinal: measure, interval: measure }), fleissKappa: measure }).optional(),
    calibration: z.looseObject({ accuracy: measure, ece: measure, brier: measure, brierBasis: z.string() }).optional(),
    fit: z.looseObject({ iterations: count, converged: z.boolean(), warnings: z.array(z.string()).optional() }).optional(),
  })),
  unknownShapes: counts,
  gold: z.record(z.string(), z.looseObject({ objects: count, correct: count, accuracy: z.number() })).optional(),
  review: z.looseObject({ objects: count, written: count, withoutSource: count, reasons: counts }).optional(),
  retries: count,
});

/** A run summary file (`*.summary.json`), or the `run` of an export's stats file (`*.stats.json`). */
export async function loadSummary(location: string, io: JobIO): Promise<Summary> {
  const text = (await io.storageFor(location).readAll(location, summaryMaxBytes)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${location}: not JSON (${(error as Error).message})`);
  }
  const checked = summarySchema.safeParse(isRecord(json) && isRecord(json.run) ? json.run : json);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UsageError(`${location}: not a gt-consolidate run summary (${issue.path.join('.') || 'the file'}: ${issue.message})`);
  }
  return checked.data as unknown as Summary;
}

export async function reportInput(summary: Summary, sources: ReportSources, io: JobIO, summaryLocation?: string): Promise<ReportInput> {
  return {
    summary,
    ...(summaryLocation !== undefined && { summaryLocation }),
    ...(sources.workersReport !== undefined && { workers: { location: sources.workersReport, rows: await loadWorkerReport(sources.workersReport, io) } }),
    ...(sources.review !== undefined && { review: { location: sources.review, objects: await loadReviewHead(sources.review, io) } }),
  };
}

const numberOf = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** The CSV report prefixes cells a spreadsheet would run with `'` (`forSpreadsheet`); the table shows the id itself. */
const fromSpreadsheet = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

export function parseWorkerReport(location: string, text: string): WorkerTableRow[] {
  const records: Record<string, unknown>[] = /\.jsonl?$/i.test(location)
    ? text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown).filter(isRecord)
    : parseCsv(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map((record) => {
    const models = isRecord(record.models)
      ? Object.entries(record.models).flatMap(([field, model]) => (isRecord(model) && numberOf(model.accuracy) !== undefined ? [[field, numberOf(model.accuracy)!]] : []))
      : Object.entries(record).flatMap(([column, value]) => (column.startsWith('accuracy:') && numberOf(value) !== undefined ? [[column.slice('accuracy:'.length), numberOf(value)!]] : []));
    const row: WorkerTableRow = {
      workerId: fromSpreadsheet(String(record.workerId ?? '')),
      objects: numberOf(record.objects) ?? 0,
      goldAnswers: numberOf(record.goldAnswers) ?? 0,
      modelAccuracy: Object.fromEntries(models) as Record<string, number>,
    };
    const optional = { medianTimeSpentSeconds: numberOf(record.medianTimeSpentSeconds), agreement: numberOf(record.agreement), goldAccuracy: numberOf(record.goldAccuracy) };
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(row, { [key]: value });
    return row;
  });
}

async function loadWorkerReport(location: string, io: JobIO): Promise<WorkerTableRow[]> {
  return parseWorkerReport(location, (await io.storageFor(location).readAll(location, workerReportMaxBytes)).toString('utf8'));
}

const labelText = (value: unknown): string =>
  (isRecord(value) && typeof value.label === 'string' && Object.keys(value).length === 1 ? value.label : JSON.stringify(value) ?? '');

export function reviewedObjectOf(json: unknown): ReviewedObject | undefined {
  if (!isRecord(json) || !isRecord(json.consolidated)) return undefined;
  const { line, confidence, labels, reasons } = json.consolidated;
  const source = typeof json.source === 'string'
    ? (json.source.length > sourceChars ? `${json.source.slice(0, sourceChars)}…` : json.source)
    : typeof json['source-ref'] === 'string' ? json['source-ref'] : '';
  return {
    line: numberOf(line) ?? 0,
    confidence: numberOf(confidence) ?? 0,
    source,
    labels: isRecord(labels) ? Object.fromEntries(Object.entries(labels).map(([field, value]) => [field, labelText(value)])) : {},
    reasons: Array.isArray(reasons) ? reasons.map(String) : [],
  };
}

/** The first `lowConfidenceCap` objects of a review queue (written least confident first); the rest is not read. */
async function loadReviewHead(location: string, io: JobIO): Promise<ReviewedObject[]> {
  const input = await io.storageFor(location).openRead(location);
  const objects: ReviewedObject[] = [];
  try {
    for await (const { text, problem } of readLines(input)) {
      if (problem || text.trim() === '') continue;
      const object = reviewedObjectOf(JSON.parse(text));
      if (object) objects.push(object);
      if (objects.length === lowConfidenceCap) break;
    }
  } finally {
    input.destroy();
  }
  return objects;
}
