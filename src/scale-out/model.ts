/**
 * `model.json`, what `fit` (or `run --save-model`) learned from the whole job: the field schema's statistics (`FieldSchemaBuilder.toJSON`,
 * from which every step resolves the same schema and plans the same strategies), and per model-based field its
 * strategy, its labels in table order, the row its table gives each shard's first object, and the saved model
 * (`Consolidator.save`). Read back, it is checked: its format, that it was fitted with this job's settings and split,
 * and that its fields and strategies are the ones this job plans; a model that does not fit is refused (exit 2) with
 * the fix, never used.
 *
 * The same file is a frozen model (`run --model`, the post-annotation Lambda's `GT_CONSOLIDATE_MODEL`): a job other
 * than the fitted one is decided from the saved parameters (`em.ts`), once its model-based fields and strategies are
 * the model's and every label it answered is one the model knows.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import type { FieldPlanner } from '../pipeline/field-plan.js';
import type { JobModel } from '../pipeline/table.js';
import { FieldSchemaBuilder, type FieldSchema } from '../responses/field-schema.js';
import type { CheckedJob } from './job.js';
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

/** What the output depends on besides the answers, as one string the model keeps (the sharded steps must agree on it). */
export function settingsFingerprint(job: Pick<CheckedJob, 'fields' | 'schema' | 'seed' | 'labelAttribute' | 'preferences' | 'unknownAnswers'>): string {
  const { fields, schema, seed, labelAttribute, preferences, unknownAnswers } = job;
  return JSON.stringify({ fields, schema: schema ?? {}, seed: seed ?? 1, labelAttribute, preferences, unknownAnswers: unknownAnswers ?? 'copy' });
}

/**
 * What `fit` writes: the schema statistics, and each fitted field's model with its rows by shard (a one-machine run's,
 * `run --save-model`: one shard, its tables' rows from 0).
 */
export function modelOf(
  job: Parameters<typeof settingsFingerprint>[0], shards: number, schema: FieldSchemaBuilder, planner: FieldPlanner, model: JobModel,
  rowStarts: ReadonlyMap<string, number[]> = new Map(planner.fittedFields().map(([field]) => [field, [0]])),
): ModelFile {
  const fields = Object.fromEntries(planner.fittedFields().map(([field, plan]) => [field, {
    strategy: plan.strategy.name,
    labels: [...(model.fittedLabels.get(field) ?? [])],
    rowStarts: rowStarts.get(field) ?? [],
    saved: plan.consolidator.save!(),
  }]));
  return { format: 'gt-consolidate-model', version: 1, settings: settingsFingerprint(job), shards, schema: schema.toJSON(), fields };
}

/** A frozen model (`run --model`, the Lambda's `GT_CONSOLIDATE_MODEL`), its format checked. */
export function loadFrozenModel(io: JobIO, location: string): Promise<ModelFile> {
  return readWorkJson(io, location, modelFile, 'give a model written by `run --save-model` or `fit`', maxModelBytes);
}

/**
 * The `fit` of a run with a frozen model (see `tableStage`): nothing is fitted; each model-based field's model is
 * restored, once the job fits the model (`restoreFrozen`). No object has a row: each is decided from the parameters.
 */
export function frozenFit(file: ModelFile): (planner: FieldPlanner, objects: unknown, model: JobModel) => Promise<Map<string, Int32Array>> {
  return async (planner, _objects, model) => {
    restoreFrozen(file, planner, model);
    return new Map();
  };
}

/**
 * Restores the frozen model of each field the job plans a model strategy for. Refused (`UsageError`): a field the model
 * has no model for, or one for another strategy, and labels the model was not fitted on (it cannot weigh them).
 */
export function restoreFrozen(file: ModelFile, planner: FieldPlanner, model: JobModel): void {
  const labelsOf = new Map(model.schema?.fields.map((field) => [field.name, field.labels.map(({ label }) => label)]) ?? []);
  for (const [field, plan] of planner.fittedFields()) {
    const saved = Object.hasOwn(file.fields, field) ? file.fields[field] : undefined;
    if (saved?.strategy !== plan.strategy.name) {
      throw new UsageError(`the model has ${saved ? `a ${saved.strategy} model` : 'no model'} for field "${field}", which this job decides with `
        + `${plan.strategy.name}: fit a model on a job with that field and strategy, or configure the strategy the model has`);
    }
    const known = new Set(saved.labels);
    const unknown = (labelsOf.get(field) ?? []).filter((label) => !known.has(label));
    if (unknown.length > 0) {
      throw new UsageError(`field "${field}" has labels the model was not fitted on (${unknown.slice(0, 5).join(', ')}): fit the model on a job with them`);
    }
    plan.consolidator.restore!(saved.saved);
    model.fittedLabels.set(field, saved.labels);
  }
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
