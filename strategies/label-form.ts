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
