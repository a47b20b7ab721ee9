/**
 * `fit`: the run's table stage over every shard's lines in index order, which is input order: the first pass
 * (`JobSurvey`: counts and the first-lines check, the field schema, every field planned) and `fitModels` (each
 * model-based field's answer table and fit), exactly as one machine runs them, so the models are the same bit for bit.
 * Writes `model.json` (`model.ts`), with the table row each shard's objects start at, so `decide` needs no other part.
 */
import type { JobIO } from '../io/job-io.js';
import { FieldPlanner } from '../pipeline/field-plan.js';
import { fitModels, JobSurvey, countingTally, objectsOf, resolvedLines, type JobModel } from '../pipeline/table.js';
import type { Prepared } from '../pipeline/prepare.js';
import { emptySummary } from '../report/summary.js';
import { forTerminal } from '../text/escape.js';
import { checkJob, withJobIO, type ScaleOutJob } from './job.js';
import { modelOf } from './model.js';
import { checkShard, layout, readLinesPart, readShardMarkers, writeParts } from './parts.js';

export interface FitCounts {
  shards: number;
  lines: number;
  objects: number;
  /** The fields whose models were fitted. */
  fitted: string[];
}

export function fit(job: ScaleOutJob, { count }: { count: number }, io?: JobIO): Promise<FitCounts> {
  checkShard(undefined, count);
  const checked = checkJob(job);
  const log = checked.log ?? (() => {});
  return withJobIO(checked, io, async (io) => {
    const markers = await readShardMarkers(io, checked.work, checked.manifest, count);
    const allLines = () => linesOfShards(io, checked.work, count);
    const planner = new FieldPlanner(checked.fields, (field, plan) =>
      log(`field "${forTerminal(field)}": no strategy configured; ${plan.pickedFor} answers → ${plan.strategy.name}`));
    const model: JobModel = { fittedLabels: new Map() };
    const survey = new JobSurvey(countingTally(checked, emptySummary(checked.manifest, null, ''), () => {}), checked.schema);
    for await (const line of allLines()) survey.line(line);
    const schema = survey.finish(planner, model);
    const rows = await fitModels(planner, () => objectsOf(resolvedLines(allLines(), schema)), model);
    const firstObjects = markers.map((_, index) => markers.slice(0, index).reduce((sum, marker) => sum + marker.objects, 0));
    const rowStarts = new Map([...rows].map(([field, byObject]) => [field, rowsBefore(byObject, firstObjects)]));
    const file = modelOf(checked, count, survey.schema, planner, model, rowStarts);
    await writeParts(io, [layout.model(checked.work)], ([out]) => out!.write(JSON.stringify(file)));
    return {
      shards: count,
      lines: markers.reduce((sum, marker) => sum + marker.lines, 0),
      objects: markers.reduce((sum, marker) => sum + marker.objects, 0),
      fitted: Object.keys(file.fields),
    };
  });
}

/** Every shard's lines, in index order: the job's lines in input order. */
export async function* linesOfShards(io: JobIO, work: string, count: number): AsyncGenerator<Prepared> {
  for (let index = 0; index < count; index += 1) yield* readLinesPart(io, work, index);
}

/** For each ordinal (ascending), how many objects before it have a row in the table (rows are given in object order). */
function rowsBefore(byObject: Int32Array, ordinals: readonly number[]): number[] {
  let rows = 0;
  let at = 0;
  return ordinals.map((ordinal) => {
    for (; at < ordinal; at += 1) if (byObject[at]! >= 0) rows += 1;
    return rows;
  });
}
