/**
 * Pair extraction: which (chosen, rejected) pairs an object's consolidated preference yields. Responses are ordered by
 * the aggregate score, best first (equal scores keep response order); a pair of equal scores is a tie.
 *
 * - `best-vs-worst`: the top response against the bottom one (UltraFeedback-binarized style);
 * - `best-vs-others`: the top response against every other one;
 * - `all-pairs`: every pair, C(n, 2) (InstructGPT, Nectar);
 * - `adjacent`: each response against the next one down.
 */
export const pairPolicies = ['best-vs-worst', 'best-vs-others', 'all-pairs', 'adjacent'] as const;
export type PairPolicy = (typeof pairPolicies)[number];

export interface CandidatePair {
  chosen: number;
  rejected: number;
  tie: boolean;
}

export function extractPairs(scores: readonly (number | null)[], policy: PairPolicy): CandidatePair[] {
  const order = scores.flatMap((score, index) => (score === null ? [] : [index])).sort((a, b) => scores[b]! - scores[a]!);
  const pair = (a: number, b: number): CandidatePair => ({ chosen: a, rejected: b, tie: scores[a] === scores[b] });
  if (order.length < 2) return [];
  switch (policy) {
    case 'best-vs-worst':
      return [pair(order[0]!, order[order.length - 1]!)];
    case 'best-vs-others':
      return order.slice(1).map((other) => pair(order[0]!, other));
    case 'all-pairs':
      return order.flatMap((a, i) => order.slice(i + 1).map((b) => pair(a, b)));
    case 'adjacent':
      return order.slice(1).map((b, i) => pair(order[i]!, b));
  }
}
