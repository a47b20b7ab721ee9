/**
 * The table stage: counts every line into the summary, learns what each field means from all of its answers (the
 * job's field schema) and holds the prepared lines in a spill until the whole job has been seen. Then it plans every
 * field (configuration that does not fit the job stops here, before anything is written), keeps the answers of
 * model-based fields in compact answer tables and fits the models, and releases the lines, each rewritten into the
 * schema's fields and carrying its row in each table.
 */
import { AnswerTableBuilder } from '../../strategies/answer-table.js';
import { voteKey } from '../../strategies/submitted-form.js';
import { FieldSchemaBuilder, rewriteObject, type FieldSchema, type FieldSchemaOptions } from '../responses/field-schema.js';
import { countLine, type Summary } from '../report/summary.js';
import type { FieldPlanner } from './field-plan.js';
import { FirstLinesCheck } from './first-lines.js';
import type { Prepared, PreparedObject } from './prepare.js';
import type { ProgressTracker } from './progress.js';
import { Spill } from './spill.js';
import type { Stage } from './stage.js';

/** Hears every line of the first pass, then its end (counts, checks of the first lines). */
export interface Tally {
  line(line: Prepared): void;
  end(): void;
}

/**
 * The tally of a first pass: the first lines checked (`first-lines.ts`), every line counted into `summary`;
 * `onObject` hears each object. A run and `inspect` share it.
 */
export function countingTally(
  settings: { manifest: string; labelAttribute?: string },
  summary: Summary,
  onObject: (object: PreparedObject) => void,
): Tally {
  const firstLines = new FirstLinesCheck(settings.manifest, settings.labelAttribute);
  return {
    line(line) {
      firstLines.observe(line);
      countLine(summary, line);
      if (line.type === 'object') onObject(line);
    },
    end: () => firstLines.finish(),
  };
}

/** What the table stage learned, for the reports: the schema, and each fitted field's labels in table order. */
export interface JobModel {
  schema?: FieldSchema;
  fittedLabels: Map<string, readonly string[]>;
}

/** Hears each line of both passes and the start of each phase (`progress.ts`). */
export type PhaseProgress = Pick<ProgressTracker, 'line' | 'enter'>;

export function tableStage(
  planner: FieldPlanner, tally: Tally, model: JobModel, schemaOptions: FieldSchemaOptions = {}, progress?: PhaseProgress,
): Stage<Prepared, Prepared> {
  return async function* table(lines) {
    const schemaBuilder = new FieldSchemaBuilder(schemaOptions);
    const spill = await Spill.create();
    try {
      for await (const line of lines) {
        tally.line(line);
        progress?.line();
        if (line.type === 'object') schemaBuilder.observe(line.fields, line.workers.length);
        await spill.write(line);
      }
      tally.end();
      const schema = (model.schema = schemaBuilder.resolve());
      planner.adopt(schema);
      progress?.enter('fitting');
      const rows = await fitModels(planner, () => resolvedObjects(spill, schema), model);
      progress?.enter('deciding');
      let ordinal = 0;
      for await (const line of resolvedLines(spill, schema)) {
        if (line.type === 'object') {
          for (const [field, byObject] of rows) {
            const answers = line.fields.get(field);
            if (answers) answers.row = byObject[ordinal];
          }
          ordinal += 1;
        }
        progress?.line();
        yield line;
      }
    } finally {
      await spill.remove();
    }
  };
}

/** The spilled lines, each object rewritten into the schema's fields. */
async function* resolvedLines(spill: Spill, schema: FieldSchema): AsyncGenerator<Prepared> {
  for await (const line of spill.read()) yield line.type === 'object' ? { ...line, fields: rewriteObject(schema, line.fields) } : line;
}

async function* resolvedObjects(spill: Spill, schema: FieldSchema): AsyncGenerator<PreparedObject> {
  for await (const line of resolvedLines(spill, schema)) if (line.type === 'object') yield line;
}

/**
 * The `fit` step: builds each model-based field's answer table from the objects, fits its model, and returns, per
 * field, each object's row in the table by object ordinal (-1 where the object has no usable answer there).
 */
export async function fitModels(
  planner: FieldPlanner, objects: () => AsyncIterable<PreparedObject>, model: JobModel,
): Promise<Map<string, Int32Array>> {
  const models = planner.fittedFields();
  const rows = new Map<string, Int32Array>();
  if (models.length === 0) return rows;
  const tables = new Map(models.map(([field]) => [field, new AnswerTableBuilder()]));
  let ordinal = 0;
  for await (const object of objects()) {
    for (const [field, table] of tables) {
      const usable = planner.usableAnswers(field, object.fields.get(field)?.answers ?? []);
      const row = usable.length > 0 ? table.addObject(usable.map(({ workerId, value }) => [workerId, voteKey(value)] as const)) : -1;
      rows.set(field, setAt(rows.get(field) ?? new Int32Array(1024), ordinal, row));
    }
    ordinal += 1;
  }
  for (const [field, plan] of models) {
    const table = tables.get(field)!.build();
    tables.delete(field); // the builder's arrays, before the fit allocates its own
    model.fittedLabels.set(field, table.labels);
    plan.consolidator.fit!(table);
  }
  return rows;
}

/** `array[index] = value`, growing the array (doubling) when needed. */
function setAt(array: Int32Array, index: number, value: number): Int32Array {
  let target = array;
  if (index >= array.length) {
    target = new Int32Array(Math.max(array.length * 2, index + 1));
    target.set(array);
  }
  target[index] = value;
  return target;
}
