/**
 * `model.json`, what `fit` learned from the whole job: the field schema's statistics (`FieldSchemaBuilder.toJSON`,
 * from which every step resolves the same schema and plans the same strategies), and per model-based field its
 * strategy, its labels in table order, the row its table gives each shard's first object, and the saved model
 * (`Consolidator.save`). Read back, it is checked: its format, that it was fitted with this job's settings and split,
 * and that its fields and strategies are the ones this job plans; a model that does not fit is refused (exit 2) with
 * the fix, never used.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { FieldPlanner } from '../pipeline/field-plan.js';
import type { JobModel } from '../pipeline/table.js';
import { FieldSchemaBuilder, type FieldSchema } from '../responses/field-schema.js';
import { settingsFingerprint, type CheckedJob } from './job.js';
import { layout, maxModelBytes, readWorkJson } from './parts.js';

const savedField = z.strictObject({
  strategy: z.string(),
  labels: z.array(z.string()),
  /** By shard: the table row of the shard's first object with usable answers (rows go on in input order). */
  rowStarts: z.array(z.int().min(0)),
  saved: z.unknown(),
});

export const modelFile = z.strictObject({
  format: z.literal('gt-consolidate-model'),
  version: z.literal(1),
  settings: z.string(),
  shards: z.int().min(1),
  schema: z.unknown(),
  fields: z.record(z.string(), savedField),
});
export type ModelFile = z.infer<typeof modelFile>;

/** What `fit` writes: the schema statistics, and each fitted field's model with its rows by shard. */
export function modelOf(
  job: CheckedJob, shards: number, schema: FieldSchemaBuilder, planner: FieldPlanner, model: JobModel, rowStarts: ReadonlyMap<string, number[]>,
): ModelFile {
  const fields = Object.fromEntries(planner.fittedFields().map(([field, plan]) => [field, {
    strategy: plan.strategy.name,
    labels: [...(model.fittedLabels.get(field) ?? [])],
    rowStarts: rowStarts.get(field) ?? [],
    saved: plan.consolidator.save!(),
  }]));
  return { format: 'gt-consolidate-model', version: 1, settings: settingsFingerprint(job), shards, schema: schema.toJSON(), fields };
}

export async function readModel(io: JobIO, job: CheckedJob, shards: number): Promise<ModelFile> {
  const location = layout.model(job.work);
  const model = await readWorkJson(io, location, modelFile, 'run fit first', maxModelBytes);
  if (model.settings !== settingsFingerprint(job)) {
    throw new UsageError(`${location} was fitted with other settings (fields, schema, seed, label attribute, preferences): run fit again with these`);
  }
  if (model.shards !== shards) throw new UsageError(`${location} was fitted on ${model.shards} shards, not ${shards}: give --count ${model.shards}, or shard and fit again`);
  return model;
}

/**
 * Plans the job's fields from the model's schema, as the run plans them after its first pass, and restores each
 * model-based field's model. Returns the schema.
 */
export function adoptModel(file: ModelFile, planner: FieldPlanner, model: JobModel): FieldSchema {
  let builder: FieldSchemaBuilder;
  try {
    builder = FieldSchemaBuilder.fromJSON(file.schema);
  } catch (error) {
    throw new UsageError(`the model's field schema cannot be read (${(error as Error).message}): run fit again`);
  }
  const schema = (model.schema = builder.resolve());
  planner.adopt(schema);
  const planned = planner.fittedFields().map(([field, plan]) => `${field}:${plan.strategy.name}`).sort();
  const saved = Object.entries(file.fields).map(([field, { strategy }]) => `${field}:${strategy}`).sort();
  if (planned.join('\n') !== saved.join('\n')) {
    throw new UsageError(`the model has ${saved.join(', ') || 'no fitted fields'} but the job plans ${planned.join(', ') || 'none'}: run fit again`);
  }
  for (const [field, plan] of planner.fittedFields()) {
    const { labels, saved: state } = file.fields[field]!;
    plan.consolidator.restore!(state);
    model.fittedLabels.set(field, labels);
  }
  return schema;
}
