/**
 * What the preference strategies share. Each annotator's judgment of an object on one dimension is a score per
 * response (higher is better, `null` = not judged; see the `preference` answer kind). A strategy turns them into one
 * aggregate score per response and a margin for every ordered pair; from those this module builds the decision:
 *
 * - value `{responseRankings}`: the consolidated rank of each response, 1 = best, equal aggregates share a rank, `null`
 *   for a response nobody judged (the submitted shape of crowd-text-ranking);
 * - details `scores` (the aggregate), `margins[i][j]` (how strongly i is preferred to j, in the strategy's unit: a score
 *   difference, a vote share, a log-odds), and `votes[i][j]` (annotators who put i strictly above j);
 * - confidence = agreement with ties: the share of annotator pair judgments (i above j, j above i, or tied) that agree
 *   with the aggregate order, over the pairs the aggregate orders; 0 when it orders none (all tied: nothing decided).
 */
import type { Decision, FieldAnswer } from './types.js';

export type Scores = (number | null)[];

/** The `details` of a preference decision. */
export interface PreferenceDetails {
  scores: Scores;
  margins: number[][];
  votes: number[][];
}

/** Each annotator's scores, all padded to the largest response count. */
export function judgmentsOf(answers: readonly FieldAnswer[]): Scores[] {
  const judgments = answers.map(({ value }) => (value.kind === 'preference' ? value.scores : []));
  const count = Math.max(0, ...judgments.map((scores) => scores.length));
  return judgments.map((scores) => Array.from({ length: count }, (_, i) => scores[i] ?? null));
}

/** votes[i][j] = annotators who scored i strictly above j (both judged). */
export function pairVotes(judgments: readonly Scores[]): number[][] {
  const count = judgments[0]?.length ?? 0;
  const votes = Array.from({ length: count }, () => new Array<number>(count).fill(0));
  for (const scores of judgments) {
    for (let i = 0; i < count; i += 1) {
      for (let j = 0; j < count; j += 1) {
        if (i !== j && scores[i] != null && scores[j] != null && scores[i]! > scores[j]!) votes[i]![j]! += 1;
      }
    }
  }
  return votes;
}

/** Annotators who judged both i and j. */
function judgedBoth(judgments: readonly Scores[], i: number, j: number): number {
  return judgments.filter((scores) => scores[i] != null && scores[j] != null).length;
}

/** Rank 1 = best; equal scores share a rank; `null` stays `null`. */
export function ranksOf(scores: Scores): (number | null)[] {
  return scores.map((score) => (score === null ? null : 1 + scores.filter((other) => other !== null && other > score).length));
}

/**
 * Annotator pair judgments against the aggregate order, over every pair it orders: `agreed` put the pair the same way,
 * `disagreed` the other way, the rest of `judged` tied it.
 */
export function agreementTally(judgments: readonly Scores[], aggregate: Scores, votes: readonly (readonly number[])[]) {
  let agreed = 0;
  let disagreed = 0;
  let judged = 0;
  for (let i = 0; i < aggregate.length; i += 1) {
    for (let j = 0; j < aggregate.length; j += 1) {
      if (aggregate[i] == null || aggregate[j] == null || !(aggregate[i]! > aggregate[j]!)) continue;
      agreed += votes[i]![j]!;
      disagreed += votes[j]![i]!;
      judged += judgedBoth(judgments, i, j);
    }
  }
  return { agreed, disagreed, judged };
}

export function preferenceDecision(
  judgments: readonly Scores[],
  aggregate: Scores,
  margin: (i: number, j: number) => number,
  details: Record<string, unknown> = {},
): Decision {
  const votes = pairVotes(judgments);
  const { agreed, judged } = agreementTally(judgments, aggregate, votes);
  const margins = aggregate.map((_, i) => aggregate.map((__, j) => (i === j || aggregate[i] == null || aggregate[j] == null ? 0 : margin(i, j))));
  return {
    value: { responseRankings: ranksOf(aggregate) },
    confidence: judged > 0 ? agreed / judged : 0,
    details: { scores: aggregate, margins, votes, ...details },
  };
}
