/**
 * Pair extraction: which (chosen, rejected) pairs an object's consolidated preference yields. Responses are ordered by
 * the aggregate score, best first (equal scores keep response order); a pair of equal scores is a tie.
 *
 * - `best-vs-worst`: the top response against the bottom one (UltraFeedback-binarized style);
 * - `best-vs-others`: the top response against every other one;
 * - `all-pairs`: every pair, C(n, 2) (InstructGPT, Nectar);
 * - `adjacent`: each response against the next one down.
 */
import { normaliseSpace } from './formats.js';

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

export type DropReason =
  | 'tie' | 'identical' | 'low-agreement' | 'low-margin' | 'too-few-votes' | 'contradiction' | 'unresolved' | 'no-prompt-or-responses'
  | 'kto-conflict';

export interface PairFilters {
  /** Pairs whose aggregate scores are equal: `drop` them, or `keep` them flagged. */
  ties: 'drop' | 'keep';
  minVotes: number;
  minAgreement: number;
  minMargin: number;
}

/** What is known of one candidate pair: annotators for and against it, its margin, and the two responses' texts. */
export interface PairEvidence {
  won: number;
  lost: number;
  margin: number;
  chosenText: string | undefined;
  rejectedText: string | undefined;
}

/** Why a candidate pair is dropped, or `undefined` when it is kept. A kept tie skips the vote filters. */
export function pairDropReason(pair: CandidatePair, evidence: PairEvidence, filters: PairFilters): DropReason | undefined {
  const { won, lost, margin, chosenText, rejectedText } = evidence;
  if (pair.tie && filters.ties === 'drop') return 'tie';
  if (chosenText === undefined || rejectedText === undefined) return 'no-prompt-or-responses';
  if (normaliseSpace(chosenText) === normaliseSpace(rejectedText)) return 'identical';
  if (pair.tie) return undefined;
  if (won + lost < filters.minVotes) return 'too-few-votes';
  if ((agreementOf(won, lost) ?? 0) < filters.minAgreement) return 'low-agreement';
  if (margin < filters.minMargin) return 'low-margin';
  return undefined;
}

/**
 * Which of one object's pairs (chosen and rejected texts) another of them contradicts: a response given twice (equal up
 * to white space) and ranked apart yields A over B and B over A. Neither is a verdict a trainer should learn.
 */
export function contradicted(pairs: readonly (readonly [chosen: string, rejected: string])[]): boolean[] {
  const verdict = (better: string, worse: string) => JSON.stringify([normaliseSpace(better), normaliseSpace(worse)]);
  const verdicts = new Set(pairs.map(([chosen, rejected]) => verdict(chosen, rejected)));
  return pairs.map(([chosen, rejected]) => verdicts.has(verdict(rejected, chosen)));
}

/** The winner's share of the annotators who were not tied on the pair; `null` when all were. */
export function agreementOf(won: number, lost: number): number | null {
  return won + lost > 0 ? won / (won + lost) : null;
}
