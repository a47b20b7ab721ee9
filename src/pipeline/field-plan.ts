/**
 * Which strategy consolidates each field of the job. Configured settings are validated before any line is read; once
 * the whole job has been seen (`adopt`, with the job's field schema) every field gets its plan: the configured
 * strategy (a setting for `translation` covers the rows `translation[1]`, `translation[2]`, …), or the default for the
 * kind of all its answers (reported through `onAutoPick`). Configuration that does not fit the job — a field the job
 * does not have, a strategy that cannot take the field's answers — stops the run with one line naming the fix.
 */
import { planFromSetting, type FieldPlan, type FieldSetting } from '../config/field-setting.js';
import { UsageError } from '../errors.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { compareLabels } from '../../strategies/answer-table.js';
import { isShapeKind, type FieldAnswer, type FieldContext } from '../../strategies/types.js';
import { maxShapeClasses, type FieldSchema, type ResolvedField } from '../responses/field-schema.js';

export class FieldPlanner {
  private readonly plans = new Map<string, FieldPlan>();
  /** A `Map`: field names come from the data, and `constructor` must not find `Object.prototype.constructor`. */
  private readonly settings: ReadonlyMap<string, FieldSetting>;

  /** Validates every configured field up front, so a bad option stops the run before any line is read. */
  constructor(settings: Readonly<Record<string, FieldSetting>>, private readonly onAutoPick: (field: string, plan: FieldPlan) => void) {
    this.settings = new Map(Object.entries(settings));
    for (const [field, setting] of this.settings) planFromSetting(field, setting);
  }

  /**
   * Plans every field of `schema`; unknown fields without a configured strategy get none (they are listed). A configured
   * field the schema lacks is refused, unless `partial` says the schema is of a part of the job (a Lambda's batch).
   */
  adopt(schema: FieldSchema, { partial = false } = {}): void {
    const names = schema.fields.map(({ name }) => name);
    for (const configured of partial ? [] : this.settings.keys()) {
      if (!names.some((name) => name === configured || rowBase(name) === configured)) {
        const known = [...new Set(names.map((name) => rowBase(name) ?? name))];
        throw new UsageError(`fields.${configured}: the job has no field "${configured}"${didYouMeanHint(configured, known)}; `
          + `its fields: ${known.join(', ') || 'none'}`);
      }
    }
    for (const field of schema.fields) {
      const setting = this.settings.get(field.name) ?? this.settings.get(rowBase(field.name) ?? '');
      if (setting) this.plans.set(field.name, this.configuredPlan(field, setting));
      else if (field.strategy) {
        const plan = { ...planFromSetting(field.name, { strategy: field.strategy }, contextOf(field)), pickedFor: field.kind as FieldPlan['pickedFor'] };
        this.plans.set(field.name, plan);
        this.onAutoPick(field.name, plan);
      }
    }
  }

  private configuredPlan(field: ResolvedField, setting: FieldSetting): FieldPlan {
    const plan = planFromSetting(field.name, setting, contextOf(field));
    const kind = field.kind === 'unknown' ? field.knownKind : field.kind;
    if (kind === undefined || kind === 'unknown' || !plan.strategy.kinds.includes(kind)) {
      const what = kind === undefined || kind === 'unknown' ? 'answers of a shape it does not know' : `${kind} answers`;
      throw new UsageError(`fields.${field.name}: strategy "${plan.strategy.name}" takes ${plan.strategy.kinds.join(' or ')} answers, `
        + `but "${field.name}" has ${what}; choose a strategy for ${what} (see \`gt-consolidate inspect\`)`);
    }
    return plan;
  }

  planFor(field: string): FieldPlan | undefined {
    return this.plans.get(field);
  }

  /** Every planned field (after `adopt`). */
  plannedFields(): [string, FieldPlan][] {
    return [...this.plans];
  }

  /** Fields whose strategy fits a model on all answers first (after `adopt`). */
  fittedFields(): [string, FieldPlan][] {
    return this.plannedFields().filter(([, plan]) => plan.consolidator.fit !== undefined);
  }

  /** The answers of `field` its strategy accepts (none for a field without a plan). */
  usableAnswers(field: string, answers: readonly FieldAnswer[]): FieldAnswer[] {
    const plan = this.plans.get(field);
    return plan ? answers.filter(({ value }) => plan.strategy.kinds.includes(value.kind)) : [];
  }
}

/** The field's labels, sorted: a shape field's class ids are their positions (they need every label of the job). */
function contextOf(field: ResolvedField): FieldContext {
  if (field.labelsTruncated && isShapeKind(field.kind)) {
    throw new UsageError(`fields.${field.name}: more than ${maxShapeClasses} classes; a class map that large is not supported`);
  }
  const labels = field.labels.map(({ label }) => label);
  return { labels: labels.sort(compareLabels(labels)) };
}

/** `translation[3]` → `translation`: the configured name of one row of a key pattern's field. */
function rowBase(name: string): string | undefined {
  return /^(.+)\[[^\]]*\]$/.exec(name)?.[1];
}
