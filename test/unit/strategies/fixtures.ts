/** Small builders shared by the strategy tests (not a test file itself). */
import type { AnswerValue, DecisionContext, FieldAnswer } from '../../../strategies/types.js';
import { seededRandom } from '../../../src/pipeline/random.js';

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
};

/** A context that always returns `r`. */
export const fixedRandom = (r: number): DecisionContext => ({ random: () => r });

/** The pipeline's own seeded source. */
export function seeded(seed: number): DecisionContext {
  return { random: seededRandom(seed) };
}
