/**
 * `export`: a job's consolidated human preferences as a training dataset. The run is the ordinary pipeline (reader,
 * fetcher, strategies, rejects) with the export's sink (`preference-sink.ts`) in place of the consolidated manifest;
 * the dataset and its stats sidecar are outputs of the same all-or-nothing group.
 */
import type { JobIO } from '../io/job-io.js';
import { withOutputs } from '../io/output-group.js';
import { besideOutput, openJobIO, runJob, type ConsolidateOptions } from '../pipeline/consolidate.js';
import type { Summary } from '../report/summary.js';
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
  /** Preference dimensions to export (default: every one). */
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

/** Exports with `io` (the caller's, which it keeps) or I/O of its own, closed at the end. */
export async function exportPreferences(options: ExportOptions, io?: JobIO): Promise<ExportStats> {
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
      await statsWriter.write(JSON.stringify(stats, null, 2) + '\n');
      return stats;
    });
  } finally {
    if (!io) own.close();
  }
}
