/**
 * What every export shares: the job run into an export family's sink, with the rejects and the stats sidecar beside
 * the dataset, all in one all-or-nothing output group; and the failure of an export that would write nothing.
 */
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { withOutputs, type OutputGroup } from '../io/output-group.js';
import { besideOutput, openJobIO, runJob } from '../pipeline/consolidate.js';
import type { ObjectSink } from '../pipeline/write.js';
import type { Summary } from '../report/summary.js';
import type { ExportOptions, ExportStats } from './export.js';
import type { ShapeExportStats } from './shape-export.js';

/** An export that would write nothing, with why in its message; nothing is published. */
export class EmptyExportError extends UsageError {
  override name = 'EmptyExportError';

  constructor(readonly stats: ExportStats | ShapeExportStats, message: string) {
    super(message);
  }
}

/** What an export family gives the run: its sink, then its stats (or a failure) once every object has been written. */
export interface OpenedExport<Stats> {
  sink: ObjectSink;
  finish(run: Summary): Promise<Stats>;
  /** Removes what the family wrote outside the output group, when the export fails. */
  discard?(): Promise<void>;
}

/**
 * Runs the job into an export family's sink, with the rejects and the stats sidecar beside the dataset; `io` is the
 * caller's (kept) or the export's own (closed at the end).
 */
export async function runExport<Options extends ExportOptions, Stats>(
  options: Options, io: JobIO | undefined, open: (options: Options, group: OutputGroup) => Promise<OpenedExport<Stats>>,
): Promise<Stats> {
  const own = io ?? openJobIO(options);
  const beside = options.out.replace(/\/+$/, '');
  try {
    return await withOutputs((location) => own.storageFor(location), async (group) => {
      const family = await open(options, group);
      try {
        const statsWriter = await group.open(options.stats ?? besideOutput(beside, '.stats.json'), { marker: true });
        const rejects = options.rejects ?? besideOutput(beside, '.rejects.jsonl');
        const run = await runJob({ ...options, out: undefined, rejects, sink: family.sink, outputs: group }, own);
        const stats = await family.finish(run);
        await statsWriter.write(JSON.stringify(stats, null, 2) + '\n');
        return stats;
      } catch (error) {
        await family.discard?.();
        throw error;
      }
    });
  } finally {
    if (!io) own.close();
  }
}

