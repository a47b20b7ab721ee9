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
  /** What the schema was resolved from, for a saved model (`scale-out/model.ts`). */
  schemaStats?: FieldSchemaBuilder;
  fittedLabels: Map<string, readonly string[]>;
}

/** Hears each line of both passes and the start of each phase (`progress.ts`). */
export type PhaseProgress = Pick<ProgressTracker, 'line' | 'enter'>;

/** `fit`: how the models are fitted (`fitModels`), or restored from a frozen model without fitting (`run --model`). */
export function tableStage(
  planner: FieldPlanner, tally: Tally, model: JobModel, schemaOptions: FieldSchemaOptions = {}, progress?: PhaseProgress, fit = fitModels,
): Stage<Prepared, Prepared> {
  return async function* table(lines) {
    const survey = new JobSurvey(tally, schemaOptions);
    const spill = await Spill.create();
    try {
      for await (const line of lines) {
        survey.line(line);
        progress?.line();
        await spill.write(line);
      }
      const schema = survey.finish(planner, model);
      progress?.enter('fitting');
      const rows = await fit(planner, () => objectsOf(resolvedLines(spill.read(), schema)), model);
      progress?.enter('deciding');
      for await (const line of withRows(resolvedLines(spill.read(), schema), rows)) {
        progress?.line();
        yield line;
      }
    } finally {
      await spill.remove();
    }
  };
}

/**
 * The first pass over a job: every line counted (`tally`), every object's answers observed into the field schema; at
 * the end, the schema, with every field planned (configuration that does not fit the job stops here).
 */
export class JobSurvey {
  readonly schema: FieldSchemaBuilder;

  constructor(private readonly tally: Tally, schemaOptions: FieldSchemaOptions = {}) {
    this.schema = new FieldSchemaBuilder(schemaOptions);
  }

  line(line: Prepared): void {
    this.tally.line(line);
    if (line.type === 'object') this.schema.observe(line.fields, line.workers.length);
  }

  finish(planner: FieldPlanner, model: JobModel): FieldSchema {
    this.tally.end();
    model.schemaStats = this.schema;
    const schema = (model.schema = this.schema.resolve());
    planner.adopt(schema);
    return schema;
  }
}

/** Each object rewritten into the schema's fields. */
export async function* resolvedLines(lines: AsyncIterable<Prepared>, schema: FieldSchema): AsyncGenerator<Prepared> {
  for await (const line of lines) yield line.type === 'object' ? { ...line, fields: rewriteObject(schema, line.fields) } : line;
}

export async function* objectsOf(lines: AsyncIterable<Prepared>): AsyncGenerator<PreparedObject> {
  for await (const line of lines) if (line.type === 'object') yield line;
}

/** Each object carrying its row in each model-based field's table (`rows`: by field, by object ordinal). */
export async function* withRows(lines: AsyncIterable<Prepared>, rows: ReadonlyMap<string, Int32Array>): AsyncGenerator<Prepared> {
  let ordinal = 0;
  for await (const line of lines) {
    if (line.type === 'object') {
      for (const [field, byObject] of rows) {
        const answers = line.fields.get(field);
        if (answers) answers.row = byObject[ordinal];
      }
      ordinal += 1;
    }
    yield line;
  }
}

/**
 * Each object carrying its row in each model-based field's table, numbered as `answerTables` numbers them (a table's
 * rows are the objects with usable answers there, in order) from the row `firstRows` gives the field: the rows of a
 * table built before, in one pass without building it again.
 */
export async function* withNumberedRows(
  lines: AsyncIterable<Prepared>, planner: FieldPlanner, firstRows: ReadonlyMap<string, number>,
): AsyncGenerator<Prepared> {
  const nextRows = new Map(firstRows);
  for await (const line of lines) {
    if (line.type === 'object') {
      for (const [field, next] of nextRows) {
        const answers = line.fields.get(field);
        if (!answers) continue;
        const usable = planner.usableAnswers(field, answers.answers).length > 0;
        answers.row = usable ? next : -1;
        if (usable) nextRows.set(field, next + 1);
      }
    }
    yield line;
  }
}

/**
 * The `fit` step: builds each model-based field's answer table from the objects, fits its model, and returns, per
 * field, each object's row in the table by object ordinal (-1 where the object has no usable answer there).
 */
export async function fitModels(
  planner: FieldPlanner, objects: () => AsyncIterable<PreparedObject>, model: JobModel,
): Promise<Map<string, Int32Array>> {
  const { tables, rows } = await answerTables(planner, objects());
  for (const [field, plan] of planner.fittedFields()) {
    const table = tables.get(field)!.build();
    tables.delete(field); // the table holds the builder's arrays; its id maps go before the fit allocates
    model.fittedLabels.set(field, table.labels);
    plan.consolidator.fit!(table);
  }
  return rows;
}

/** Each model-based field's answer table, and each object's row in it by object ordinal (-1: no usable answer). */
async function answerTables(
  planner: FieldPlanner, objects: AsyncIterable<PreparedObject>,
): Promise<{ tables: Map<string, AnswerTableBuilder>; rows: Map<string, Int32Array> }> {
  const tables = new Map(planner.fittedFields().map(([field]) => [field, new AnswerTableBuilder()]));
  const rows = new Map<string, Int32Array>();
  if (tables.size === 0) return { tables, rows };
  let ordinal = 0;
  for await (const object of objects) {
    for (const [field, table] of tables) {
      const usable = planner.usableAnswers(field, object.fields.get(field)?.answers ?? []);
      const row = usable.length > 0 ? table.addObject(usable.map(({ workerId, value }) => [workerId, voteKey(value)] as const)) : -1;
      rows.set(field, setAt(rows.get(field) ?? new Int32Array(1024), ordinal, row));
    }
    ordinal += 1;
  }
  return { tables, rows };
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
