/**
 * Which strategy consolidates each field: the one configured for it, or, when none is, the default for the kind of
 * answers it first appears with (reported through `onAutoPick`, once per field). Decided once per field and kept for
 * the whole run, so every object's field is consolidated the same way.
 */
import { planFromSetting, type FieldPlan, type FieldSetting } from '../config/field-setting.js';
import { defaultStrategyFor } from '../../strategies/registry.js';
import type { AnswerKind, FieldAnswer } from '../../strategies/types.js';

export class FieldPlanner {
  private readonly plans = new Map<string, FieldPlan>();

  /** Validates every configured field up front, so a bad option stops the run before any line is read. */
  constructor(settings: Readonly<Record<string, FieldSetting>>, private readonly onAutoPick: (field: string, plan: FieldPlan) => void) {
    for (const [field, setting] of Object.entries(settings)) this.plans.set(field, planFromSetting(field, setting));
  }

  planFor(field: string, answers: readonly FieldAnswer[]): FieldPlan {
    let plan = this.plans.get(field);
    if (!plan) {
      const kind = dominantKind(answers);
      plan = { ...planFromSetting(field, { strategy: defaultStrategyFor[kind] }), pickedFor: kind };
      this.plans.set(field, plan);
      this.onAutoPick(field, plan);
    }
    return plan;
  }

  /** Configured fields whose strategy fits a model on all answers first (known before any line is read). */
  fittedFields(): [string, FieldPlan][] {
    return [...this.plans].filter(([, plan]) => plan.consolidator.fit !== undefined);
  }

  /** The answers of `field` its strategy accepts (configured fields, or after `planFor`). */
  usableAnswers(field: string, answers: readonly FieldAnswer[]): FieldAnswer[] {
    const plan = this.plans.get(field);
    return plan ? answers.filter(({ value }) => plan.strategy.kinds.includes(value.kind)) : [];
  }
}

/** Any free text makes a field text (short comments look categorical alone); otherwise the most common kind. */
function dominantKind(answers: readonly FieldAnswer[]): AnswerKind {
  const counts = new Map<AnswerKind, number>();
  for (const { value } of answers) counts.set(value.kind, (counts.get(value.kind) ?? 0) + 1);
  if (counts.has('text')) return 'text';
  return [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}
