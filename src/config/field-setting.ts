/** One field's configured strategy, validated: the strategy exists, its options parse, and it can start. */
import { UsageError } from '../errors.js';
import { getStrategy, strategyNames } from '../../strategies/registry.js';
import type { AnswerKind, Consolidator, FieldContext, Strategy } from '../../strategies/types.js';
import { didYouMeanHint } from '../text/did-you-mean.js';
import { usageErrorFrom } from './validate.js';

/** A field's configuration: `{strategy: "majority-vote", tie: "none"}`; options besides `strategy` go to the strategy. */
export interface FieldSetting {
  strategy: string;
  [option: string]: unknown;
}

export interface FieldPlan {
  strategy: Strategy<unknown>;
  consolidator: Consolidator;
  /** Set when the strategy was picked from the answers rather than configured. */
  pickedFor?: AnswerKind;
}

/**
 * `setting` may also be a strategy name alone, as in a configuration file (`fields: {sentiment: "majority-vote"}`);
 * `context` is what the job says of the field, once it has been read.
 */
export function planFromSetting(field: string, setting: FieldSetting | string, context?: FieldContext): FieldPlan {
  const { strategy: name, ...rest } = typeof setting === 'string' ? { strategy: setting } : setting;
  if (typeof name !== 'string') throw new UsageError(`fields.${field}.strategy: expected a strategy name, e.g. { strategy: "majority-vote" }`);
  const strategy = getStrategy(name);
  if (!strategy) {
    throw new UsageError(`fields.${field}.strategy: unknown strategy "${name}"${didYouMeanHint(name, strategyNames())} (known: ${strategyNames().join(', ')})`);
  }
  const parsed = strategy.options.safeParse(rest);
  if (!parsed.success) throw usageErrorFrom(parsed.error, ['fields', field], optionNames(strategy.options));
  try {
    return { strategy, consolidator: strategy.create(parsed.data, context) };
  } catch (error) {
    // e.g. a weights file that cannot be read: still a configuration error, named by its field.
    throw new UsageError(`fields.${field}: ${(error as Error).message}`);
  }
}


/** The option names of a strategy whose options schema is an object (all built-in ones are). */
function optionNames(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
