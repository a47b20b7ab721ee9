/**
 * Pairwise majority: for every pair of responses, the annotators who put one strictly above the other vote; ties do not
 * vote. margin(i, j) = i's share of those votes (0.5 = split). The aggregate score is Copeland's: pairs won minus pairs
 * lost, so the order follows the pairwise majorities (a Condorcet winner comes first).
 */
import { z } from 'zod';
import { judgmentsOf, pairVotes, preferenceDecision } from './preference.js';
import type { Strategy } from './types.js';

export const pairwiseMajority: Strategy<Record<string, never>> = {
  name: 'pairwise-majority',
  summary: 'majority per pair of responses (ties abstain); margin = vote share; order by Copeland score',
  kinds: ['preference'],
  options: z.strictObject({}),
  create: () => ({
    decide(answers) {
      const judgments = judgmentsOf(answers);
      const votes = pairVotes(judgments);
      const judged = (i: number) => judgments.some((scores) => scores[i] != null);
      const aggregate = votes.map((row, i) => (judged(i)
        ? row.reduce((sum, won, j) => sum + Math.sign(won - votes[j]![i]!), 0)
        : null));
      const share = (i: number, j: number) => (votes[i]![j]! + votes[j]![i]! > 0 ? votes[i]![j]! / (votes[i]![j]! + votes[j]![i]!) : 0.5);
      return preferenceDecision(judgments, aggregate, share);
    },
  }),
};
