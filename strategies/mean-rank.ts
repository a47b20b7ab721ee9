/**
 * Mean rank: each annotator's rank of each response (1 = best, ties share the better rank), averaged over the
 * annotators who judged it; the aggregate score is the negated mean rank. margin(i, j) = meanRank(j) − meanRank(i).
 */
import { z } from 'zod';
import { judgmentsOf, preferenceDecision, ranksOf } from './preference.js';
import type { Strategy } from './types.js';

export const meanRank: Strategy<Record<string, never>> = {
  name: 'mean-rank',
  summary: 'mean rank per response (1 = best); margin = difference in mean rank',
  kinds: ['preference'],
  options: z.strictObject({}),
  create: () => ({
    decide(answers) {
      const judgments = judgmentsOf(answers);
      const ranks = judgments.map(ranksOf);
      const aggregate = (judgments[0] ?? []).map((_, i) => {
        const given = ranks.map((r) => r[i]).filter((rank): rank is number => rank != null);
        return given.length ? -given.reduce((a, b) => a + b, 0) / given.length : null;
      });
      return preferenceDecision(judgments, aggregate, (i, j) => aggregate[i]! - aggregate[j]!, { meanRanks: aggregate.map((s) => (s === null ? null : -s)) });
    },
  }),
};
