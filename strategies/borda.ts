/**
 * Borda count: each annotator gives a response one point for every response they judged strictly worse and half a point
 * for every response they tied it with; the aggregate is the mean over the annotators who judged it. Works for
 * rankings, choices and ratings alike, and for partial judgments. margin(i, j) = aggregate(i) − aggregate(j).
 * (J.-C. de Borda, 1781.) The default strategy for preference answers.
 */
import { z } from 'zod';
import { judgmentsOf, preferenceDecision } from './preference.js';
import type { Strategy } from './types.js';

export const borda: Strategy<Record<string, never>> = {
  name: 'borda',
  summary: 'Borda count: mean points per response (1 per response judged worse, ½ per tie)',
  kinds: ['preference'],
  options: z.strictObject({}),
  create: () => ({
    decide(answers) {
      const judgments = judgmentsOf(answers);
      const aggregate = (judgments[0] ?? []).map((_, i) => {
        const points = judgments.filter((scores) => scores[i] != null).map((scores) =>
          scores.reduce<number>((sum, other, j) =>
            j === i || other === null ? sum : sum + (scores[i]! > other ? 1 : scores[i] === other ? 0.5 : 0), 0));
        return points.length ? points.reduce((a, b) => a + b, 0) / points.length : null;
      });
      return preferenceDecision(judgments, aggregate, (i, j) => aggregate[i]! - aggregate[j]!);
    },
  }),
};
