/** Writing a chosen label back in the shape the object's workers submitted it. */
import { submittedForm, voteKey } from './submitted-form.js';
import type { AnswerValue, FieldAnswer } from './types.js';

/** The submitted form of `label` (a vote key): as an answer that gave it, or in the first answer's shape. */
export function labelForm(label: string, answers: readonly FieldAnswer[]): unknown {
  const same = answers.find(({ value }) => voteKey(value) === label);
  if (same) return submittedForm(same.value);
  const first = answers[0]!.value;
  const value: AnswerValue = first.kind === 'boolean'
    ? { ...first, value: label === 'true' }
    : first.kind === 'numeric'
      ? { ...first, value: Number(label) }
      : { kind: 'categorical', value: label, shape: first.kind === 'categorical' ? first.shape : 'string' };
  return submittedForm(value);
}

/** Index of the first maximum: with labels in ascending order, ties go to the smallest label. */
export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i += 1) if (values[i]! > values[best]!) best = i;
  return best - from;
}
