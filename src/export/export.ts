/**
 * `export`: a job's consolidated human preferences as a training dataset. The run is the ordinary pipeline (reader,
 * fetcher, strategies, rejects) with the export's sink (`preference-sink.ts`) in place of the consolidated manifest;
 * the dataset and its stats sidecar are outputs of the same all-or-nothing group. A pair file holds one preference
 * dimension, and an export that would write no rows fails, so that no empty dataset is published.
 */
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { withOutputs } from '../io/output-group.js';
import { besideOutput, openJobIO, runJob, type ConsolidateOptions } from '../pipeline/consolidate.js';
import type { Summary } from '../report/summary.js';
import { didYouMean } from '../text/did-you-mean.js';
import type { ExportFormat } from './formats.js';
import type { PairPolicy } from './pairs.js';
import { PreferenceSink, type PreferenceStats } from './preference-sink.js';

export type { DropReason } from './pairs.js';
export type { DimensionStats } from './preference-sink.js';

export interface ExportOptions extends Omit<ConsolidateOptions, 'out' | 'summary' | 'workersReport'> {
  format: ExportFormat;
  /** The dataset (a path or `s3://`). */
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
}

export interface ExportStats extends PreferenceStats {
  run: Summary;
}

/** An export that would write no rows, with why in its message; nothing is published. */
export class EmptyExportError extends UsageError {
  override name = 'EmptyExportError';

  constructor(readonly stats: ExportStats) {
    super(`0 rows written to a ${stats.format} file: ${whyEmpty(stats)}`);
  }
}

/** Exports with `io` (the caller's, which it keeps) or I/O of its own, closed at the end. */
export async function exportPreferences(options: ExportOptions, io?: JobIO): Promise<ExportStats> {
  if (options.format !== 'lossless' && (options.dimensions?.length ?? 0) > 1) {
    throw new UsageError(
      `a ${options.format} file holds one preference dimension and --dimension names ${options.dimensions!.join(', ')}: ` +
      'export each to its own file, or use --format lossless for every dimension in one file',
    );
  }
  const own = io ?? openJobIO(options);
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
  try {
    return await withOutputs((location) => own.storageFor(location), async (group) => {
      const sink = new PreferenceSink(settings, await group.open(options.out));
      const statsWriter = await group.open(options.stats ?? besideOutput(options.out, '.stats.json'), { marker: true });
      const rejects = options.rejects ?? besideOutput(options.out, '.rejects.jsonl');
      const run = await runJob({ ...options, out: undefined, rejects, sink: sink.write, outputs: group }, own);
      const stats: ExportStats = { ...sink.finish(), run };
      checkDimensionsFound(options.dimensions ?? [], sink.found);
      if (stats.rowsWritten === 0) throw new EmptyExportError(stats);
      await statsWriter.write(JSON.stringify(stats, null, 2) + '\n');
      return stats;
    });
  } finally {
    if (!io) own.close();
  }
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
