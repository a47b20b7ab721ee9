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
import type { Decision, FieldAnswer } from './types.js';

export const numericOptionFields = {
  /** Decimal places of the written value (confidence is never rounded). */
  decimals: z.int().min(0).max(12).default(2),
  scale: z.tuple([z.number(), z.number()]).refine(([min, max]) => max > min, 'scale must be [min, max] with max > min')
    .optional(),
};

export function numbersOf(answers: readonly FieldAnswer[]): number[] {
  return answers.map(({ value }) => (value.kind === 'numeric' ? value.value : Number.NaN));
}

export function spreadConfidence(values: readonly number[], scale?: readonly [number, number]): number {
  const sd = values.length > 1 ? standardDeviation([...values]) : 0;
  if (!scale) return 1 / (1 + sd);
  return Math.min(1, Math.max(0, 1 - sd / ((scale[1] - scale[0]) / 2)));
}

export function numericDecision(
  center: number,
  values: readonly number[],
  options: { decimals: number; scale?: [number, number] | undefined },
): Decision {
  const factor = 10 ** options.decimals;
  return {
    value: Math.round(center * factor) / factor,
    confidence: spreadConfidence(values, options.scale),
    details: { min: Math.min(...values), max: Math.max(...values), sd: values.length > 1 ? standardDeviation([...values]) : 0 },
  };
}
