/** Small builders shared by the strategy tests (not a test file itself). */
import type { AnswerValue, Decision, DecisionContext, FieldAnswer } from '../../../strategies/types.js';
import { seededRandom } from '../../../src/random.js';
import { AnswerTableBuilder, type AnswerTable } from '../../../strategies/answer-table.js';

export const classifier = (value: string): AnswerValue => ({ kind: 'categorical', value, shape: 'classifier' });
export const radio = (value: string): AnswerValue => ({ kind: 'categorical', value, shape: 'radio' });
export const plainString = (value: string): AnswerValue => ({ kind: 'categorical', value, shape: 'string' });
export const num = (value: number): AnswerValue => ({ kind: 'numeric', value, shape: 'number' });
export const numString = (value: number): AnswerValue => ({ kind: 'numeric', value, shape: 'numeric-string' });
export const text = (value: string): AnswerValue => ({ kind: 'text', value });
export const toggle = (value: boolean): AnswerValue => ({ kind: 'boolean', value, shape: 'toggle' });
export const bool = (value: boolean): AnswerValue => ({ kind: 'boolean', value, shape: 'plain' });
export const labels = (values: string[]): AnswerValue => ({ kind: 'multi-label', labels: values, options: [], shape: 'labels' });
export const list = (values: string[]): AnswerValue => ({ kind: 'multi-label', labels: values, options: [], shape: 'list' });
/** A checkbox group: every option shown, `chosen` ticked. */
export const checkbox = (options: string[], chosen: string[]): AnswerValue =>
  ({ kind: 'multi-label', labels: options.filter((o) => chosen.includes(o)), options, shape: 'checkbox' });

/** Answers from workers w1, w2, … in order. */
export function byWorkers(values: readonly AnswerValue[]): FieldAnswer[] {
  return values.map((value, index) => ({ workerId: `w${index + 1}`, value }));
}

/** Answers keyed by worker id, in the given order. */
export function fromWorkers(entries: Record<string, AnswerValue>): FieldAnswer[] {
  return Object.entries(entries).map(([workerId, value]) => ({ workerId, value }));
}

/** A context whose random source must not be used. */
export const noRandom: DecisionContext = {
  random: () => {
    throw new Error('random() must not be called here');
  },
  object: 0,
};

/** A context that always returns `r`. */
export const fixedRandom = (r: number): DecisionContext => ({ random: () => r, object: 0 });

/** The pipeline's own seeded source. */
export function seeded(seed: number): DecisionContext {
  return { random: seededRandom(seed), object: 0 };
}

/** Labelled answers per task: task → (worker → label), in answer order. */
export type TaskLabels = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * crowd-kit's toy "YSDA" dataset (reference §1.7), per task; w3 did not answer t1.
 * Ground truth: t1 yes, t2 yes, t3 no, t4 yes, t5 no.
 */
export const toyYsda: TaskLabels = {
  t1: { w1: 'no', w2: 'yes', w4: 'yes', w5: 'no' },
  t2: { w1: 'yes', w2: 'yes', w3: 'yes', w4: 'no', w5: 'no' },
  t3: { w1: 'yes', w2: 'no', w3: 'no', w4: 'yes', w5: 'no' },
  t4: { w1: 'yes', w2: 'yes', w3: 'yes', w4: 'yes', w5: 'yes' },
  t5: { w1: 'yes', w2: 'no', w3: 'no', w4: 'no', w5: 'no' },
};

/** An `AnswerTable` of `tasks` (one row per task, in key order) and each task's row. */
export function tableOf(tasks: TaskLabels): { table: AnswerTable; rows: Map<string, number> } {
  const builder = new AnswerTableBuilder();
  const rows = new Map<string, number>();
  for (const [task, answers] of Object.entries(tasks)) rows.set(task, builder.addObject(Object.entries(answers)));
  return { table: builder.build(), rows };
}

/** One task's answers as `FieldAnswer`s in the shape `as` (classifier by default). */
export function taskAnswers(tasks: TaskLabels, task: string, as: (label: string) => AnswerValue = classifier): FieldAnswer[] {
  return Object.entries(tasks[task] ?? {}).map(([workerId, label]) => ({ workerId, value: as(label) }));
}

/** A context for the object at `row` of the fitted table, whose random source must not be used. */
export const atRow = (row: number): DecisionContext => ({ random: noRandom.random, object: row });

/** A shape strategy's decision as written on the line: without the outcome kept for the worker report and gold. */
export const withoutOutcome = ({ shapes: _, ...decision }: Decision) => decision;
