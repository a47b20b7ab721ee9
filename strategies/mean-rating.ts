/**
 * Mean rating: per response, the center of the annotators' ratings: `mean`, `median`, or `trimmed-mean` (drop
 * floor(n·proportion) at each end). A response whose ratings spread (max − min) more than `maxSpread` makes the object
 * unresolved (`needsReannotation`), as HelpSteer2 re-annotates items whose ratings differ by more than 2. For Likert
 * ratings and thumbs; margin(i, j) = center(i) − center(j), the Llama-2-style score difference.
 */
import { mean, median } from 'simple-statistics';
import { z } from 'zod';
import { judgmentsOf, preferenceDecision } from './preference.js';
import type { Strategy } from './types.js';

const options = z.strictObject({
  center: z.enum(['mean', 'median', 'trimmed-mean']).default('mean'),
  proportion: z.number().min(0).lt(0.5).default(0.2),
  maxSpread: z.number().min(0).optional(),
});

export const meanRating: Strategy<z.infer<typeof options>> = {
  name: 'mean-rating',
  summary: 'center (mean|median|trimmed-mean) of each response\'s ratings; optional maxSpread filter',
  kinds: ['preference'],
  options,
  create: ({ center, proportion, maxSpread }) => ({
    decide(answers) {
      const judgments = judgmentsOf(answers);
      const columns = (judgments[0] ?? []).map((_, i) =>
        judgments.map((scores) => scores[i]).filter((score): score is number => score != null).sort((a, b) => a - b));
      const spread = Math.max(0, ...columns.map((c) => (c.length ? c[c.length - 1]! - c[0]! : 0)));
      const aggregate = columns.map((ratings) => {
        if (ratings.length === 0) return null;
        if (center === 'median') return median(ratings);
        const cut = center === 'trimmed-mean' ? Math.floor(ratings.length * proportion) : 0;
        return mean(ratings.slice(cut, ratings.length - cut));
      });
      const decision = preferenceDecision(judgments, aggregate, (i, j) => aggregate[i]! - aggregate[j]!, { spread });
      if (maxSpread !== undefined && spread > maxSpread) {
        return { ...decision, value: undefined, details: { ...decision.details, needsReannotation: true } };
      }
      return decision;
    },
  }),
};
