/**
 * `export`: a job's consolidated labels as a training dataset. The run is the ordinary pipeline (reader, fetcher,
 * strategies, rejects) with an export family's sink in place of the consolidated manifest: human preferences
 * (`preference-sink.ts`: TRL, KTO, OpenAI, Nova, lossless) or one shape field (`shape-export.ts`: COCO, YOLO, span
 * JSONL, SageMaker augmented manifest). The dataset and its stats sidecar are outputs of the same all-or-nothing
 * group. A pair file holds one preference dimension, and an export that would write nothing fails, so that no empty
 * dataset is published.
 */
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { ConsolidateOptions } from '../pipeline/consolidate.js';
import type { Summary } from '../report/summary.js';
import { didYouMean } from '../text/did-you-mean.js';
import { EmptyExportError, runExport } from './export-run.js';
import type { ExportFormat } from './formats.js';
import type { PairPolicy } from './pairs.js';
import { PreferenceSink, type PreferenceStats } from './preference-sink.js';
import { isShapeFormat, openShapeExport, type ShapeExportStats, type ShapeFormat } from './shape-export.js';

export { EmptyExportError } from './export-run.js';
export type { DropReason } from './pairs.js';
export type { DimensionStats } from './preference-sink.js';

export interface ExportOptions extends Omit<ConsolidateOptions, 'out' | 'summary' | 'workersReport'> {
  format: ExportFormat | ShapeFormat;
  /** The dataset (a path or `s3://`; YOLO's is a local folder). */
  out: string;
  /** Stats sidecar JSON (default `<out without extension>.stats.json`). */
  stats?: string;
  /**
   * Preference dimensions to export (default: every one). A pair format takes one: the job's only dimension or the one
   * named here; `lossless` takes any number.
   */
  dimensions?: readonly string[];
  pairs?: PairPolicy;
  /** A pair is kept when its winner has at least this share of the annotators who were not tied (default 0). */
  minAgreement?: number;
  /** … and at least this margin, in the strategy's unit (default 0). */
  minMargin?: number;
  /** … and at least this many annotators not tied on it (default 1). */
  minVotes?: number;
  /** Pairs whose aggregate scores are equal: `drop` (default) or `keep` them, flagged `"tie": true`. */
  ties?: 'drop' | 'keep';
  /** Manifest fields of the prompt (default `source`) and the responses (default `responses`). */
  promptField?: string;
  responsesField?: string;
  /** Add `margin`, `score_chosen`, `score_rejected` to TRL rows (default true). */
  withScores?: boolean;
  /** The shape field a shape format exports: needed when the job has several of the kinds the format takes. */
  field?: string;
  /** Manifest field holding the text entity spans were marked in (default `source`). */
  textField?: string;
}

export interface ExportStats extends PreferenceStats {
  run: Summary;
}

/** Exports in `options.format`, with `io` (the caller's, which it keeps) or I/O of its own. */
export function exportDataset(options: ExportOptions, io?: JobIO): Promise<ExportStats | ShapeExportStats> {
  const { format } = options;
  return isShapeFormat(format) ? runExport({ ...options, format }, io, openShapeExport) : exportPreferences({ ...options, format }, io);
}

/** Exports human preferences with `io` (the caller's, which it keeps) or I/O of its own, closed at the end. */
export async function exportPreferences(options: ExportOptions & { format: ExportFormat }, io?: JobIO): Promise<ExportStats> {
  if (options.format !== 'lossless' && (options.dimensions?.length ?? 0) > 1) {
    throw new UsageError(
      `a ${options.format} file holds one preference dimension and --dimension names ${options.dimensions!.join(', ')}: ` +
      'export each to its own file, or use --format lossless for every dimension in one file',
    );
  }
  const settings = {
    format: options.format,
    policy: {
      pairs: options.pairs ?? 'best-vs-worst',
      minAgreement: options.minAgreement ?? 0,
      minMargin: options.minMargin ?? 0,
      minVotes: options.minVotes ?? 1,
      ties: options.ties ?? 'drop',
    },
    ...(options.dimensions && { dimensions: options.dimensions }),
    promptField: options.promptField ?? 'source',
    responsesField: options.responsesField ?? 'responses',
    withScores: options.withScores ?? true,
  } as const;
  return runExport(options, io, async (_, group) => {
    const sink = new PreferenceSink(settings, await group.open(options.out));
    return {
      sink: sink.write,
      finish: async (run) => {
        const stats: ExportStats = { ...sink.finish(), run };
        checkDimensionsFound(options.dimensions ?? [], sink.found);
        if (stats.rowsWritten === 0) throw new EmptyExportError(stats, `0 rows written to a ${stats.format} file: ${whyEmpty(stats)}`);
        return stats;
      },
    };
  });
}

/** A dimension asked for that the job does not have is a typo or the wrong job: say which it has. */
function checkDimensionsFound(requested: readonly string[], found: ReadonlySet<string>): void {
  const missing = requested.find((dimension) => !found.has(dimension));
  if (missing === undefined) return;
  const suggestion = didYouMean(missing, found);
  const has = found.size > 0 ? `its preference dimensions are ${[...found].join(', ')}` : 'it has no preference dimensions';
  throw new UsageError(`--dimension ${missing}: the job has no such dimension; ${has}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
}

function whyEmpty({ dimensions, dropped, run }: ExportStats): string {
  if (Object.keys(dimensions).length === 0) {
    const fields = Object.keys(run.fields);
    return `no preference answers in ${run.lines.consolidated} consolidated lines (fields: ${fields.join(', ') || 'none'}); ` +
      'map choices or ratings onto responses under `preferences` in the config';
  }
  const reasons = Object.entries(dropped).map(([reason, count]) => `${reason} ${count}`);
  return reasons.length > 0 ? `every pair dropped (${reasons.join(', ')})` : 'no object has two scored responses to pair';
}
