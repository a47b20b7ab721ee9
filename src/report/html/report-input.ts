/**
 * What the HTML report is built from: a run summary (enough on its own), and when they were written, the consolidated
 * manifest (read once, streaming, for each field's confidence histogram and label counts), the worker report and the
 * first lines of the review queue (its least confident objects). The CLI reads them through the job's I/O, so each can
 * be a path or `s3://`.
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
/** The label chart shows each field's most frequent labels, this many at most; the rest are counted together. */
export const labelCap = 20;
/** Distinct labels tracked per field while the manifest is read (free text would otherwise grow without bound). */
const trackedLabels = 1000;
/** Labels longer than this are cut in the chart. */
const labelChars = 60;

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
  /** Field → the consolidated label (see `labelOf`), else the value as JSON. */
  labels: Record<string, string>;
  reasons: string[];
}

/** One field's objects in the consolidated manifest. */
export interface FieldDistribution {
  /** Objects per tenth of confidence: [0, 0.1), [0.1, 0.2), …, [0.9, 1]. */
  confidence: number[];
  /** The most frequent labels (categorical and boolean values), most frequent first, at most `labelCap`. */
  labels: [label: string, objects: number][];
  /** Objects whose label is not among `labels`. */
  otherLabels: number;
}

export interface ReportInput {
  summary: Summary;
  /** The consolidated manifest's objects, per field. */
  objects?: { location: string; fields: Record<string, FieldDistribution> };
  /** The summary file the report was rebuilt from, when it was. */
  summaryLocation?: string;
  workers?: { location: string; rows: readonly WorkerTableRow[] };
  /** The review queue's first objects (at most `lowConfidenceCap`): the least confident. */
  review?: { location: string; objects: readonly ReviewedObject[] };
  /** When the report is rebuilt from a preference export's stats file: what the export wrote and dropped. */
  pairs?: PairStats;
}

/** A preference export's pair statistics (its `*.stats.json` without the run), as the report shows them. */
export interface PairStats {
  format: string;
  rowsWritten: number;
  pairsWritten: number;
  dropped: Record<string, number>;
  agreement: { withTies: number | null; withoutTies: number | null; judgments: number; ties: number };
  dimensions: Record<string, { objects: number; pairs: number; dropped: Record<string, number> }>;
}

/** The locations the report's optional parts are read from. */
export interface ReportSources {
  /** The consolidated manifest of the run: each field's confidence histogram and label counts. */
  manifest?: string;
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
    agreement: z.looseObject({
      alpha: z.looseObject({ nominal: measure, ordinal: measure, interval: measure }),
      fleissKappa: measure,
      alphaInterval: z.looseObject({ kind: z.enum(['interval', 'nominal']), low: z.number(), high: z.number(), objects: count, sampled: z.boolean() }).optional(),
    }).optional(),
    spread: z.looseObject({ objects: count, binWidth: z.number(), counts: z.array(count), unanimous: count, meanRange: z.number() }).optional(),
    confusion: z.looseObject({ labels: z.array(z.string()), counts: z.array(z.array(count)), outside: count }).optional(),
    shapes: z.looseObject({ kept: count, dropped: count, meanKeptConfidence: z.number(), matched: count, missed: count, extra: count }).optional(),
    calibration: z.looseObject({ accuracy: measure, ece: measure, brier: measure, brierBasis: z.string() }).optional(),
    fit: z.looseObject({ iterations: count, converged: z.boolean(), warnings: z.array(z.string()).optional() }).optional(),
  })),
  unknownShapes: counts,
  gold: z.record(z.string(), z.looseObject({ objects: count, correct: count, accuracy: z.number() })).optional(),
  review: z.looseObject({ objects: count, written: count, withoutSource: count, reasons: counts }).optional(),
  retries: count,
});

/** A preference export's pair statistics, checked like the summary; other keys (`run`, `policy`) are left out. */
const pairStatsSchema = z.object({
  format: z.string(),
  rowsWritten: count,
  pairsWritten: count,
  dropped: counts,
  agreement: z.object({ withTies: measure, withoutTies: measure, judgments: count, ties: count }),
  dimensions: z.record(z.string(), z.object({ objects: count, pairs: count, dropped: counts })),
});

/**
 * A run summary file (`*.summary.json`), or an export's stats file (`*.stats.json`): its `run`, and for a preference
 * export its pair statistics.
 */
export async function loadSummary(location: string, io: JobIO): Promise<{ summary: Summary; pairs?: PairStats }> {
  const text = (await io.storageFor(location).readAll(location, summaryMaxBytes)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${location}: not JSON (${(error as Error).message})`);
  }
  const exportStats = isRecord(json) && isRecord(json.run) ? json : undefined;
  const checked = summarySchema.safeParse(exportStats ? exportStats.run : json);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UsageError(`${location}: not a gt-consolidate run summary (${issue.path.join('.') || 'the file'}: ${issue.message})`);
  }
  const pairs = exportStats && pairStatsSchema.safeParse(exportStats);
  return { summary: checked.data as unknown as Summary, ...(pairs?.success && { pairs: pairs.data as PairStats }) };
}

export async function reportInput(
  summary: Summary, sources: ReportSources, io: JobIO, summaryLocation?: string, pairs?: PairStats,
): Promise<ReportInput> {
  return {
    summary,
    ...(pairs && { pairs }),
    ...(summaryLocation !== undefined && { summaryLocation }),
    ...(sources.manifest !== undefined && { objects: { location: sources.manifest, fields: await loadDistributions(sources.manifest, io) } }),
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
    labels: isRecord(labels) ? Object.fromEntries(Object.entries(labels).map(([field, value]) => [field, labelOf(value) ?? JSON.stringify(value) ?? ''])) : {},
    reasons: Array.isArray(reasons) ? reasons.map(String) : [],
  };
}

/** A consolidated value as a label: a `{label}` value's label, a string, or a boolean; numbers and lists are not labels. */
function labelOf(value: unknown): string | undefined {
  const label = isRecord(value) && Object.keys(value).length === 1 ? value.label : value;
  if (typeof label === 'boolean') return String(label);
  if (typeof label !== 'string') return undefined;
  return label.length > labelChars ? `${label.slice(0, labelChars)}…` : label;
}

class DistributionTally {
  readonly confidence = new Array<number>(10).fill(0);
  private readonly labels = new Map<string, number>();
  private untracked = 0;

  add(confidence: unknown, value: unknown): void {
    if (typeof confidence === 'number' && Number.isFinite(confidence)) this.confidence[Math.min(9, Math.max(0, Math.floor(confidence * 10)))]! += 1;
    const label = labelOf(value);
    if (label === undefined) return;
    if (this.labels.has(label) || this.labels.size < trackedLabels) this.labels.set(label, (this.labels.get(label) ?? 0) + 1);
    else this.untracked += 1;
  }

  finish(): FieldDistribution {
    const ranked = [...this.labels].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
    const shown = ranked.slice(0, labelCap);
    return { confidence: this.confidence, labels: shown, otherLabels: this.untracked + ranked.slice(labelCap).reduce((sum, [, n]) => sum + n, 0) };
  }
}

/** Per field, the confidences and labels of a consolidated manifest's objects (`<label>-metadata.consolidation`). */
async function loadDistributions(location: string, io: JobIO): Promise<Record<string, FieldDistribution>> {
  const input = await io.storageFor(location).openRead(location);
  const tallies = new Map<string, DistributionTally>();
  try {
    for await (const { text, problem } of readLines(input)) {
      if (problem || text.trim() === '') continue;
      const json: unknown = JSON.parse(text);
      if (!isRecord(json)) continue;
      const metadataKey = Object.keys(json).find((key) => key.endsWith('-metadata') && isRecord(json[key]) && isRecord((json[key] as Record<string, unknown>).consolidation));
      if (!metadataKey) continue; // a line failed in the job
      const labels = json[metadataKey.slice(0, -'-metadata'.length)];
      for (const [field, decision] of Object.entries((json[metadataKey] as { consolidation: Record<string, unknown> }).consolidation)) {
        if (!isRecord(decision)) continue;
        if (!tallies.has(field)) tallies.set(field, new DistributionTally());
        tallies.get(field)!.add(decision.confidence, isRecord(labels) && Object.hasOwn(labels, field) ? labels[field] : undefined);
      }
    }
  } finally {
    input.destroy();
  }
  return Object.fromEntries([...tallies].map(([field, tally]) => [field, tally.finish()]));
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
