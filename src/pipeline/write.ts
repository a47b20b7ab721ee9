/**
 * The write stage: each line to where it belongs, in input order — consolidated objects and failed-in-job lines (as
 * they were) to the output manifest, rejected lines with their number and reason to the rejects file, and each
 * decided object to the run's sink (an export), if any. After the lines, the reports.
 */
import type { FolderWriter, OutputWriter } from '../io/storage.js';
import { formatWorkerReport, type WorkerStats } from '../report/worker-report.js';
import type { Summary } from '../report/summary.js';
import type { Decided, DecidedObject } from './decide.js';
import type { FieldPlanner } from './field-plan.js';
import type { OutputPaths, OutputWriters } from './outputs.js';
import type { Sink } from './stage.js';
import type { JobModel } from './table.js';

/** Receives every consolidated object, in input order, with its decisions and the line as written. */
export type ObjectSink = (object: DecidedObject) => Promise<void>;

export interface LineWriters {
  output?: OutputWriter;
  /** The side-file folder, for the files lines refer to (staged before the line that refers to them). */
  sideFiles?: FolderWriter;
  rejects: OutputWriter;
  sink?: ObjectSink;
}

export function writeStage({ output, sideFiles, rejects, sink }: LineWriters): Sink<Decided, void> {
  return async function write(lines) {
    for await (const line of lines) {
      if (line.type === 'failed') await output?.write(line.text + '\n');
      if (line.type === 'rejected') {
        const { line: number, code, reason, text } = line;
        await rejects.write(JSON.stringify({ line: number, code, reason, text }) + '\n');
      }
      if (line.type === 'object') {
        for (const { name, bytes } of line.files) await sideFiles?.write(name, bytes);
        await output?.write(JSON.stringify(line.consolidated) + '\n');
        await sink?.(line);
      }
    }
  };
}

/** The worker report (with what each fitted model learned of each worker) and the summary, where asked for. */
export async function writeReports(
  writers: OutputWriters,
  paths: OutputPaths,
  reports: { summary: Summary; workers: WorkerStats; planner: FieldPlanner; model: JobModel },
): Promise<void> {
  if (writers.workersReport) {
    const models = new Map(reports.planner.fittedFields().map(([field, plan]) =>
      [field, { labels: reports.model.fittedLabels.get(field) ?? [], skills: plan.consolidator.skills?.() ?? new Map() }]));
    await writers.workersReport.write(formatWorkerReport(paths.workersReport!, reports.workers.rows(models)));
  }
  await writers.summary?.write(JSON.stringify(reports.summary, null, 2) + '\n');
}
