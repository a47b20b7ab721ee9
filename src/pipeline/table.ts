/**
 * The table stage: counts every line into the summary and, for a run with model-based fields, keeps those fields'
 * answers in compact answer tables and holds the prepared lines in a spill until every answer has been seen, then fits
 * the models and releases the lines. Without models each line passes straight on: one loop serves both.
 */
import { AnswerTableBuilder } from '../../strategies/answer-table.js';
import { voteKey } from '../../strategies/submitted-form.js';
import type { FieldPlan } from '../config/field-setting.js';
import type { FieldPlanner } from './field-plan.js';
import type { Prepared, PreparedObject } from './prepare.js';
import { Spill } from './spill.js';
import type { Stage } from './stage.js';

/** What each fitted field's model was fitted on: its labels in table order (the worker report's confusion axes). */
export type FittedLabels = Map<string, readonly string[]>;

export function tableStage(planner: FieldPlanner, count: (line: Prepared) => void, fitted: FittedLabels): Stage<Prepared, Prepared> {
  const models = planner.fittedFields();
  return async function* table(lines) {
    const held = models.length > 0 ? await HeldAnswers.open(models, planner) : undefined;
    try {
      for await (const line of lines) {
        count(line);
        if (held) await held.add(line);
        else yield line;
      }
      if (held) {
        fitModels(models, held.tables, fitted);
        yield* held.lines();
      }
    } finally {
      await held?.close();
    }
  };
}

/** Fits each model on its field's table (the `fit` step of a run, callable alone). */
export function fitModels(models: readonly [string, FieldPlan][], tables: ReadonlyMap<string, AnswerTableBuilder>, fitted: FittedLabels): void {
  for (const [field, plan] of models) {
    const table = tables.get(field)!.build();
    fitted.set(field, table.labels);
    plan.consolidator.fit!(table);
  }
}

/** The first pass's state: one answer table per fitted field, and the spilled lines. */
class HeldAnswers {
  private constructor(
    readonly tables: Map<string, AnswerTableBuilder>,
    private readonly planner: FieldPlanner,
    private readonly spill: Spill,
  ) {}

  static async open(models: readonly [string, FieldPlan][], planner: FieldPlanner): Promise<HeldAnswers> {
    return new HeldAnswers(new Map(models.map(([field]) => [field, new AnswerTableBuilder()])), planner, await Spill.create());
  }

  /** Adds an object's usable answers to each table, recording its row there for the decide stage, and spills the line. */
  async add(line: Prepared): Promise<void> {
    if (line.type === 'object') this.tabulate(line);
    await this.spill.write(line);
  }

  private tabulate(line: PreparedObject): void {
    for (const [field, table] of this.tables) {
      const answers = line.fields.get(field);
      const usable = this.planner.usableAnswers(field, answers?.answers ?? []);
      if (usable.length > 0) answers!.row = table.addObject(usable.map(({ workerId, value }) => [workerId, voteKey(value)] as const));
    }
  }

  lines(): AsyncGenerator<Prepared> {
    return this.spill.read();
  }

  close(): Promise<void> {
    return this.spill.remove();
  }
}
