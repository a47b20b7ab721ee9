/**
 * `decide --index i`: the run's decide and write stages (`pipeline/decide.ts`, `write.ts`) over shard i's lines, with
 * the strategies planned and the models restored from `model.json`: no response is fetched again and nothing is
 * fitted. Writes `out/part-i.manifest` and `out/part-i.rejects.jsonl`, byte for byte the run's lines for that range.
 */
import type { JobIO } from '../io/job-io.js';
import { ObjectDecider, decideStage, type Decided } from '../pipeline/decide.js';
import { FieldPlanner } from '../pipeline/field-plan.js';
import type { Prepared } from '../pipeline/prepare.js';
import { runStages, type Stage } from '../pipeline/stage.js';
import { resolvedLines, withNumberedRows, type JobModel } from '../pipeline/table.js';
import { writeStage } from '../pipeline/write.js';
import { seededRandom } from '../random.js';
import type { GoldLabels } from '../report/gold.js';
import { emptySummary, type Summary } from '../report/summary.js';
import { WorkerStats } from '../report/worker-report.js';
import type { FieldSchema } from '../responses/field-schema.js';
import { defaults } from '../pipeline/consolidate.js';
import { checkJob, withJobIO, type CheckedJob, type ScaleOutJob } from './job.js';
import { adoptModel, readModel, type ModelFile } from './model.js';
import { checkShard, layout, readLinesPart, readWorkJson, shardMarker, writeParts, type DecideMarker } from './parts.js';

/** A decider as the run makes it, on the model's plans; what it measures goes to `summary` and `workers`. */
export function openDecider(
  job: CheckedJob, file: ModelFile, measures: { summary: Summary; workers: WorkerStats; gold?: GoldLabels },
): { decider: ObjectDecider; planner: FieldPlanner; model: JobModel; schema: FieldSchema } {
  const planner = new FieldPlanner(job.fields, () => {});
  const model: JobModel = { fittedLabels: new Map() };
  const schema = adoptModel(file, planner, model);
  const seed = job.seed ?? defaults.seed;
  const decider = new ObjectDecider({ planner, random: seededRandom(seed), seed, ...measures, model, unknownAnswers: job.unknownAnswers });
  return { decider, planner, model, schema };
}

/**
 * Shard `index`'s lines as the run's table stage hands them on: each object rewritten into the schema's fields and
 * carrying its row in each fitted field's table (numbered on from the row the model says the shard's objects start at).
 * One read of the part: the rows are counted on the way, not from a table of the shard's own.
 */
export function tabledPart(
  io: JobIO, job: CheckedJob, index: number, context: { planner: FieldPlanner; schema: FieldSchema; file: ModelFile },
): AsyncGenerator<Prepared> {
  const firstRows = new Map(context.planner.fittedFields().map(([field]) => [field, context.file.fields[field]!.rowStarts[index] ?? 0]));
  return withNumberedRows(resolvedLines(readLinesPart(io, job.work, index), context.schema), context.planner, firstRows);
}

export function decide(job: ScaleOutJob, { index, count }: { index: number; count: number }, io?: JobIO): Promise<DecideMarker> {
  checkShard(index, count);
  const checked = checkJob(job);
  return withJobIO(checked, io, async (io) => {
    await readWorkJson(io, layout.shardMarker(checked.work, index), shardMarker, `run shard --index ${index} --count ${count} first`);
    const file = await readModel(io, checked, count);
    const { decider, planner, schema } = openDecider(checked, file, { summary: emptySummary(checked.manifest, null, ''), workers: new WorkerStats(false) });
    const marker: DecideMarker = { index, count, lines: 0, consolidated: 0, rejected: 0 };
    const locations = [layout.out(checked.work, index), layout.rejects(checked.work, index), layout.decideMarker(checked.work, index)];
    await writeParts(io, locations, async ([output, rejects, done]) => {
      await runStages(
        tabledPart(io, checked, index, { planner, schema, file }),
        decideStage(decider),
        counting(marker),
        writeStage({ output, rejects: rejects! }),
        { signal: checked.signal ?? new AbortController().signal },
      );
      await done!.write(JSON.stringify(marker) + '\n');
    });
    return marker;
  });
}

/** Counts the decided lines into `marker` on their way to the writers. */
function counting(marker: DecideMarker): Stage<Decided, Decided> {
  return async function* count(lines) {
    for await (const line of lines) {
      marker.lines += 1;
      if (line.type === 'object') marker.consolidated += 1;
      if (line.type === 'rejected') marker.rejected += 1;
      yield line;
    }
  };
}
