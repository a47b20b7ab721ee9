/**
 * What the numeric strategies (mean, median, trimmed mean) share: options, and a confidence from the spread.
 *
 * confidence is 1 when every worker gave the same number and falls as answers spread out. With `scale: [min, max]`
 * (the slider's range) it is `1 - sd / ((max - min) / 2)`, where sd is the population standard deviation: values inside
 * the scale cannot spread more than half its width, so this lies in [0, 1] and compares across fields. Without a
 * scale it is `1 / (1 + sd)`, in the answers' own units.
 */
import { standardDeviation } from 'simple-statistics';
import { z } from 'zod';
import type { Decision, FieldAnswer, Strategy } from './types.js';

export const numericOptionFields = {
  /** Decimal places of the written value (confidence is never rounded). */
  decimals: z.int().min(0).max(12).default(2),
  scale: z.tuple([z.number(), z.number()]).refine(([min, max]) => max > min, 'scale must be [min, max] with max > min')
    .optional(),
};

function spreadConfidence(sd: number, scale?: readonly [number, number]): number {
  if (!scale) return 1 / (1 + sd);
  return Math.min(1, Math.max(0, 1 - sd / ((scale[1] - scale[0]) / 2)));
}

export interface NumericOptions {
  decimals: number;
  scale?: [number, number] | undefined;
}

/** The workers' numbers (answers are filtered to numeric before `decide`). */
export const numericValues = (answers: readonly FieldAnswer[]): number[] =>
  answers.map(({ value }) => (value.kind === 'numeric' ? value.value : Number.NaN));

/** A numeric decision: `center` rounded to `decimals`, confidence from the spread, min/max/sd (and `extra`) as details. */
export function numericDecision(values: readonly number[], center: number, options: NumericOptions, extra?: Record<string, unknown>): Decision {
  const factor = 10 ** options.decimals;
  const sd = values.length > 1 ? standardDeviation([...values]) : 0;
  return {
    value: Math.round(center * factor) / factor,
    confidence: spreadConfidence(sd, options.scale),
    details: { min: Math.min(...values), max: Math.max(...values), sd, ...extra },
  };
}

/** A numeric strategy from its center (mean, median, …); the rest, confidence and details included, is shared. */
export function numericStrategy<Options extends NumericOptions>(spec: {
  name: string;
  summary: string;
  options: z.ZodType<Options>;
  center(values: readonly number[], options: Options): number;
  details?(values: readonly number[], options: Options): Record<string, unknown>;
}): Strategy<Options> {
  return {
    name: spec.name,
    summary: spec.summary,
    kinds: ['numeric'],
    options: spec.options,
    create: (options) => ({
      decide(answers) {
        const values = numericValues(answers);
        return numericDecision(values, spec.center(values, options), options, spec.details?.(values, options));
      },
    }),
  };
}
