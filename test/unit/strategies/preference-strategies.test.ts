/**
 * The preference strategies on hand-computed vectors. Annotators' judgments are written as ranks (1 = best; score =
 * −rank, as crowd-text-ranking is read) or as ratings (the score itself); `null` = not judged.
 */
import { describe, expect, it } from 'vitest';
import { borda } from '../../../strategies/borda.js';
import { bradleyTerry, fitBradleyTerry } from '../../../strategies/bradley-terry.js';
import { meanRank } from '../../../strategies/mean-rank.js';
import { meanRating } from '../../../strategies/mean-rating.js';
import { pairwiseMajority } from '../../../strategies/pairwise-majority.js';
import type { AnswerValue, Decision, Strategy } from '../../../strategies/types.js';
import { byWorkers, noRandom } from './fixtures.js';

type Scores = (number | null)[];

const ranks = (...given: (number | null)[]): AnswerValue =>
  ({ kind: 'preference', source: 'ranking', scores: given.map((rank) => (rank === null ? null : -rank)) });
const ratings = (...given: (number | null)[]): AnswerValue => ({ kind: 'preference', source: 'rating', scores: given });

function decide<O>(strategy: Strategy<O>, answers: AnswerValue[], options: Record<string, unknown> = {}): Decision {
  return strategy.create(strategy.options.parse(options)).decide(byWorkers(answers), noRandom);
}

const value = (decision: Decision) => decision.value as { responseRankings: (number | null)[] };
const details = (decision: Decision) =>
  decision.details as { scores: Scores; margins: number[][]; votes: number[][]; [key: string]: unknown };
/** A vector or matrix of numbers compared to 12 digits (nulls exactly). */
const close = (expected: Scores): unknown[] => expected.map((x) => (x === null ? null : expect.closeTo(x, 12)));
const closeMatrix = (expected: number[][]) => expected.map((row) => close(row));

/* Shared hand vectors (3 annotators × 3 responses). */

/** A: response 0 and 1 tie in the aggregate of most strategies; the middle annotator ties them too. */
const caseA = [ranks(1, 2, 3), ranks(1, 1, 3), ranks(2, 1, 3)];
// votes[i][j]: 0 over 1 by annotator 1 only, 1 over 0 by annotator 3 only; 0 and 1 over 2 by all.
const votesA = [[0, 1, 3], [1, 0, 3], [0, 0, 0]];

/** B: response 0 wins two annotators of three; annotator 3 ties responses 1 and 2. */
const caseB = [ranks(1, 2, 3), ranks(1, 3, 2), ranks(3, 1, 1)];
const votesB = [[0, 2, 2], [1, 0, 1], [1, 1, 0]];

/** C: a unanimous order except one annotator who ties the top two: the tie counts against agreement. */
const caseC = [ranks(1, 2, 3), ranks(1, 1, 3), ranks(1, 2, 3)];

/** Partial judgments: every annotator skipped one response. */
const partial = [ratings(3, null, 1), ratings(null, 2, 5), ratings(4, 4, null)];
// Both judged: (0,1) annotator 3 only (tied); (0,2) annotator 1 (3 > 1); (1,2) annotator 2 (2 < 5).
const votesPartial = [[0, 0, 1], [0, 0, 0], [0, 1, 0]];

/** EX1 of the reference (§5.1) as three rankings: a>b>c, c>a>b, b>a>c give a>b 2:1, b>c 2:1, a>c 2:1. */
const ex1 = [ranks(1, 2, 3), ranks(2, 3, 1), ranks(2, 1, 3)];
const votesEx1 = [[0, 2, 2], [1, 0, 2], [1, 1, 0]];

describe('borda', () => {
  it('gives 1 point per response judged worse and ½ per tie, averaged over annotators (case A)', () => {
    // Points: annotator 1 (2, 1, 0), annotator 2 (1.5, 1.5, 0), annotator 3 (1, 2, 0) → means (1.5, 1.5, 0).
    const decision = decide(borda, caseA);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 3] });
    expect(details(decision).scores).toEqual(close([1.5, 1.5, 0]));
    expect(details(decision).votes).toEqual(votesA);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0, 1.5], [0, 0, 1.5], [-1.5, -1.5, 0]]));
    // Ordered pairs (0,2) and (1,2): 6 agreeing judgments of 6.
    expect(decision.confidence).toBeCloseTo(1, 12);
  });

  it('case B: (4/3, 5/6, 5/6), confidence 4/6', () => {
    // Points: (2, 1, 0), (2, 0, 1), (0, 1.5, 1.5) (1 and 2 tie each other and both beat 0).
    const decision = decide(borda, caseB);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 2] });
    expect(details(decision).scores).toEqual(close([4 / 3, 5 / 6, 5 / 6]));
    expect(details(decision).votes).toEqual(votesB);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0.5, 0.5], [-0.5, 0, 0], [-0.5, 0, 0]]));
    // Ordered pairs (0,1) and (0,2): votes 2 + 2 agree of 3 + 3 judgments.
    expect(decision.confidence).toBeCloseTo(4 / 6, 12);
  });

  it('counts a tied annotator judgment as not agreeing with a strict aggregate order (case C)', () => {
    // Points: (2, 1, 0), (1.5, 1.5, 0), (2, 1, 0) → (11/6, 7/6, 0). Pairs (0,1) 2/3, (0,2) 3/3, (1,2) 3/3 → 8/9.
    const decision = decide(borda, caseC);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 3] });
    expect(details(decision).scores).toEqual(close([11 / 6, 7 / 6, 0]));
    expect(decision.confidence).toBeCloseTo(8 / 9, 12);
  });

  it('a single annotator: their own order, confidence 1', () => {
    const decision = decide(borda, [ranks(2, 1, 3)]);
    expect(value(decision)).toEqual({ responseRankings: [2, 1, 3] });
    expect(details(decision).scores).toEqual(close([1, 2, 0]));
    expect(details(decision).votes).toEqual([[0, 0, 1], [1, 0, 1], [0, 0, 0]]);
    expect(decision.confidence).toBe(1);
  });

  it('averages over the annotators who judged each response (partial judgments)', () => {
    // Points among judged responses: ann. 1 (1, –, 0), ann. 2 (–, 0, 1), ann. 3 (0.5, 0.5, –) → (0.75, 0.25, 0.5).
    const decision = decide(borda, partial);
    expect(value(decision)).toEqual({ responseRankings: [1, 3, 2] });
    expect(details(decision).scores).toEqual(close([0.75, 0.25, 0.5]));
    expect(details(decision).votes).toEqual(votesPartial);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0.5, 0.25], [-0.5, 0, -0.25], [-0.25, 0.25, 0]]));
    // (0,1): 0 of 1 (a tie); (0,2): 1 of 1; (2,1): 1 of 1.
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
  });

  it('leaves a response nobody judged null, with zero margins', () => {
    // The second answer covers two responses only; it is padded with null.
    const decision = decide(borda, [ranks(1, 2, null), ranks(2, 1)]);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, null] });
    expect(details(decision).scores).toEqual(close([0.5, 0.5, null]));
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0, 0], [0, 0, 0], [0, 0, 0]]));
    expect(details(decision).votes).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 0]]);
    // The aggregate orders no pair: nothing decided, confidence 0.
    expect(decision.confidence).toBe(0);
  });

  it('confidence 0 when every response ties', () => {
    const decision = decide(borda, [ranks(1, 1, 1), ranks(2, 2, 2)]);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 1] });
    expect(decision.confidence).toBe(0);
  });

  it('EX1 rankings: (4/3, 1, 2/3), confidence 6/9', () => {
    const decision = decide(borda, ex1);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 3] });
    expect(details(decision).scores).toEqual(close([4 / 3, 1, 2 / 3]));
    expect(decision.confidence).toBeCloseTo(6 / 9, 12);
  });
});

describe('mean-rank', () => {
  it('averages ranks, ties sharing the better rank (case A)', () => {
    // Ranks (1, 2, 3), (1, 1, 3), (2, 1, 3) → means (4/3, 4/3, 3).
    const decision = decide(meanRank, caseA);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 3] });
    expect(details(decision).scores).toEqual(close([-4 / 3, -4 / 3, -3]));
    expect(details(decision).meanRanks).toEqual(close([4 / 3, 4 / 3, 3]));
    expect(details(decision).votes).toEqual(votesA);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0, 5 / 3], [0, 0, 5 / 3], [-5 / 3, -5 / 3, 0]]));
    expect(decision.confidence).toBeCloseTo(1, 12);
  });

  it('case B: a tied last place takes the better rank: (3, 1, 1) for the third annotator', () => {
    // Ranks (1, 2, 3), (1, 3, 2), (3, 1, 1) → means (5/3, 2, 2); margin(0, 1) = 2 − 5/3 = 1/3.
    const decision = decide(meanRank, caseB);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 2] });
    expect(details(decision).meanRanks).toEqual(close([5 / 3, 2, 2]));
    expect(details(decision).margins).toEqual(closeMatrix([[0, 1 / 3, 1 / 3], [-1 / 3, 0, 0], [-1 / 3, 0, 0]]));
    expect(decision.confidence).toBeCloseTo(4 / 6, 12);
  });

  it('re-ranks a dense tie: ranks (1, 1, 2) become (1, 1, 3)', () => {
    const decision = decide(meanRank, [ranks(1, 1, 2)]);
    expect(details(decision).meanRanks).toEqual(close([1, 1, 3]));
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 3] });
    expect(decision.confidence).toBe(1);
  });

  it('ranks within each annotator\'s judged responses (partial judgments)', () => {
    // Ranks: ann. 1 (1, –, 2), ann. 2 (–, 2, 1), ann. 3 (1, 1, –) → means (1, 1.5, 1.5).
    const decision = decide(meanRank, partial);
    expect(details(decision).meanRanks).toEqual(close([1, 1.5, 1.5]));
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 2] });
    expect(details(decision).votes).toEqual(votesPartial);
    // (0,1): the tie of ann. 3 (0 of 1); (0,2): ann. 1 (1 of 1) → 1/2.
    expect(decision.confidence).toBeCloseTo(1 / 2, 12);
  });

  it('leaves a response nobody judged null', () => {
    const decision = decide(meanRank, [ranks(1, null, 2), ranks(2, null, 1), ranks(1, null, 2)]);
    expect(value(decision)).toEqual({ responseRankings: [1, null, 2] });
    expect(details(decision).meanRanks).toEqual(close([4 / 3, null, 5 / 3]));
  });
});

describe('mean-rating', () => {
  // Ratings per response: 0 → (4, 5, 3), 1 → (2, 2, 3), 2 → (5, 1, 4); spreads 2, 1, 4.
  const likert = [ratings(4, 2, 5), ratings(5, 2, 1), ratings(3, 3, 4)];
  const votesLikert = [[0, 2, 1], [0, 0, 1], [2, 2, 0]];

  it('mean (default): (4, 7/3, 10/3), ties of ratings count against agreement', () => {
    const decision = decide(meanRating, likert);
    expect(value(decision)).toEqual({ responseRankings: [1, 3, 2] });
    expect(details(decision).scores).toEqual(close([4, 7 / 3, 10 / 3]));
    expect(details(decision).votes).toEqual(votesLikert);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 5 / 3, 2 / 3], [-5 / 3, 0, -1], [-2 / 3, 1, 0]]));
    expect(details(decision).spread).toBe(4);
    // (0,1): 2 of 3 (annotator 3 rated both 3); (0,2): 1 of 3; (2,1): 2 of 3 → 5/9.
    expect(decision.confidence).toBeCloseTo(5 / 9, 12);
    expect(details(decision).needsReannotation).toBeUndefined();
  });

  it('median: (4, 2, 4), the tied pair not counted in agreement', () => {
    const decision = decide(meanRating, likert, { center: 'median' });
    expect(value(decision)).toEqual({ responseRankings: [1, 3, 1] });
    expect(details(decision).scores).toEqual(close([4, 2, 4]));
    // (0,1): 2 of 3; (2,1): 2 of 3 → 4/6.
    expect(decision.confidence).toBeCloseTo(4 / 6, 12);
  });

  it('trimmed-mean drops floor(n · proportion) ratings at each end', () => {
    // Response 0 rated 5, 1, 4, 5, 4 (sorted 1 4 4 5 5); response 1 rated 3 by all.
    const five = [ratings(5, 3), ratings(1, 3), ratings(4, 3), ratings(5, 3), ratings(4, 3)];
    expect(details(decide(meanRating, five)).scores).toEqual(close([3.8, 3]));
    // proportion 0.2 → drop 1 at each end: (4 + 4 + 5) / 3.
    expect(details(decide(meanRating, five, { center: 'trimmed-mean' })).scores).toEqual(close([13 / 3, 3]));
    // proportion 0.4 → drop 2 at each end: the middle rating.
    expect(details(decide(meanRating, five, { center: 'trimmed-mean', proportion: 0.4 })).scores).toEqual(close([4, 3]));
    // With 3 ratings, proportion 0.2 drops nothing: the mean.
    expect(details(decide(meanRating, likert, { center: 'trimmed-mean' })).scores).toEqual(close([4, 7 / 3, 10 / 3]));
    expect(() => meanRating.options.parse({ center: 'trimmed-mean', proportion: 0.5 })).toThrow();
  });

  it('maxSpread: a response whose ratings spread more leaves the object unresolved for re-annotation', () => {
    const unresolved = decide(meanRating, likert, { maxSpread: 3 });
    expect(unresolved.value).toBeUndefined();
    expect(unresolved.details).toMatchObject({ needsReannotation: true, spread: 4 });
    // A spread equal to maxSpread is allowed.
    const resolved = decide(meanRating, likert, { maxSpread: 4 });
    expect(value(resolved)).toEqual({ responseRankings: [1, 3, 2] });
    expect(resolved.details?.needsReannotation).toBeUndefined();
    // Spreads 2 and 1, means 4 and 3.5.
    expect(decide(meanRating, [ratings(3, 4), ratings(5, 3)], { maxSpread: 2 }).value).toEqual({ responseRankings: [1, 2] });
  });

  it('thumbs up/down as 1/0 ratings', () => {
    const decision = decide(meanRating, [ratings(1, 0), ratings(1, 1), ratings(0, 0)]);
    expect(value(decision)).toEqual({ responseRankings: [1, 2] });
    expect(details(decision).scores).toEqual(close([2 / 3, 1 / 3]));
    expect(details(decision).margins).toEqual(closeMatrix([[0, 1 / 3], [-1 / 3, 0]]));
    // Only annotator 1 put 0 strictly above 1; the other two tied.
    expect(decision.confidence).toBeCloseTo(1 / 3, 12);
  });

  it('centers over the annotators who rated each response (partial judgments)', () => {
    const decision = decide(meanRating, [ratings(4, null, 2), ratings(5, 3, null), ratings(null, 1, 3)]);
    expect(details(decision).scores).toEqual(close([4.5, 2, 2.5]));
    expect(value(decision)).toEqual({ responseRankings: [1, 3, 2] });
    expect(details(decision).spread).toBe(2);
    expect(details(decision).votes).toEqual([[0, 1, 1], [0, 0, 0], [0, 1, 0]]);
    expect(decision.confidence).toBeCloseTo(1, 12);
  });

  it('a single annotator: their ratings', () => {
    const decision = decide(meanRating, [ratings(2, 5, 3)]);
    expect(value(decision)).toEqual({ responseRankings: [3, 1, 2] });
    expect(details(decision).spread).toBe(0);
    expect(decision.confidence).toBe(1);
  });
});

describe('pairwise-majority', () => {
  it('case B: Copeland (2, −1, −1), margins are vote shares', () => {
    const decision = decide(pairwiseMajority, caseB);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 2] });
    expect(details(decision).scores).toEqual([2, -1, -1]);
    expect(details(decision).votes).toEqual(votesB);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 2 / 3, 2 / 3], [1 / 3, 0, 0.5], [1 / 3, 0.5, 0]]));
    expect(decision.confidence).toBeCloseTo(4 / 6, 12);
  });

  it('case A: a 1–1 split on (0, 1) is a tie; both beat 2', () => {
    const decision = decide(pairwiseMajority, caseA);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 3] });
    expect(details(decision).scores).toEqual([1, 1, -2]);
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0.5, 1], [0.5, 0, 1], [0, 0, 0]]));
    expect(decision.confidence).toBeCloseTo(1, 12);
  });

  it('follows the pairwise majorities where Borda does not', () => {
    // 0 beats 1 by 2–1 and 2 by 2–1 (a Condorcet winner), yet 1 collects more Borda points.
    const answers = [ranks(1, 2, 3), ranks(1, 2, 3), ranks(3, 1, 2)];
    // Borda: (2, 1, 0), (2, 1, 0), (0, 2, 1) → (4/3, 4/3, 1/3): 0 and 1 tie.
    expect(value(decide(borda, answers))).toEqual({ responseRankings: [1, 1, 3] });
    const decision = decide(pairwiseMajority, answers);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 3] });
    expect(details(decision).scores).toEqual([2, 0, -2]);
  });

  it('a Condorcet cycle: every response ties', () => {
    const decision = decide(pairwiseMajority, [ranks(1, 2, 3), ranks(2, 3, 1), ranks(3, 1, 2)]);
    expect(details(decision).votes).toEqual([[0, 2, 1], [1, 0, 2], [2, 1, 0]]);
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 1] });
    expect(details(decision).scores).toEqual([0, 0, 0]);
    expect(decision.confidence).toBe(0);
  });

  it('partial judgments: unjudged pairs abstain (share ½), an unjudged response is null', () => {
    const decision = decide(pairwiseMajority, partial);
    // Copeland: 0 → sign(0−0) + sign(1−0) = 1; 1 → 0 + sign(0−1) = −1; 2 → sign(0−1) + sign(1−0) = 0.
    expect(details(decision).scores).toEqual([1, -1, 0]);
    expect(value(decision)).toEqual({ responseRankings: [1, 3, 2] });
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0.5, 1], [0.5, 0, 0], [0, 1, 0]]));
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);

    const unjudged = decide(pairwiseMajority, [ranks(1, null, 2), ranks(2, null, 1), ranks(1, null, 2)]);
    expect(value(unjudged)).toEqual({ responseRankings: [1, null, 2] });
    expect(details(unjudged).scores).toEqual([1, null, -1]);
  });

  it('a single annotator: their own order', () => {
    const decision = decide(pairwiseMajority, [ranks(3, 1, 2)]);
    expect(value(decision)).toEqual({ responseRankings: [3, 1, 2] });
    expect(details(decision).margins).toEqual(closeMatrix([[0, 0, 0], [1, 0, 1], [1, 0, 0]]));
    expect(decision.confidence).toBe(1);
  });
});

describe('fitBradleyTerry (reference §5.1)', () => {
  const options = (overrides: Partial<{ prior: number; maxIterations: number; tol: number }> = {}) =>
    bradleyTerry.options.parse(overrides);
  const within = (actual: (number | null)[], expected: number[], tolerance = 1e-6) => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((x, i) => {
      expect(x).not.toBeNull();
      expect(Math.abs(x! - expected[i]!)).toBeLessThan(tolerance);
    });
  };
  // wins[i][j] = times i beat j.
  const EX1 = [[0, 2, 2], [1, 0, 2], [1, 1, 0]];
  const EX2 = [[0, 3, 2, 4], [1, 0, 1, 2], [2, 3, 0, 3], [0, 2, 1, 0]];

  it('EX1 → the MLE (0.495502, 0.310246, 0.194253)', () => {
    const fit = fitBradleyTerry(EX1, options());
    expect(fit.connected).toBe(true);
    within(fit.scores, [0.495502, 0.310246, 0.194253]);
    expect(fit.scores.reduce<number>((a, b) => a + b!, 0)).toBeCloseTo(1, 12);
  });

  it('EX2 → the MLE, and the values after 1, 2 and 3 MM steps from uniform', () => {
    within(fitBradleyTerry(EX2, options()).scores, [0.470693, 0.106976, 0.344122, 0.078210]);
    // Step 1 by hand: every pair compared 4 times, γ = ¼ → γ_i ∝ W_i / 24 with W = (9, 4, 8, 3).
    const one = fitBradleyTerry(EX2, options({ maxIterations: 1 }));
    expect(one.iterations).toBe(1);
    within(one.scores, [9 / 24, 4 / 24, 8 / 24, 3 / 24], 1e-12);
    within(one.scores, [0.375, 0.166667, 0.333333, 0.125]);
    within(fitBradleyTerry(EX2, options({ maxIterations: 2 })).scores, [0.418923, 0.134570, 0.350030, 0.096476]);
    within(fitBradleyTerry(EX2, options({ maxIterations: 3, tol: 0 })).scores, [0.440134, 0.120432, 0.352397, 0.087037]);
  });

  it('the fitted scores satisfy the likelihood equations W_i = Σ_j n_ij γ_i / (γ_i + γ_j)', () => {
    const { scores } = fitBradleyTerry(EX2, options());
    for (let i = 0; i < 4; i += 1) {
      const won = EX2[i]!.reduce((a, b) => a + b, 0);
      let expected = 0;
      for (let j = 0; j < 4; j += 1) {
        if (j !== i) expected += (EX2[i]![j]! + EX2[j]![i]!) * scores[i]! / (scores[i]! + scores[j]!);
      }
      expect(expected).toBeCloseTo(won, 8);
    }
  });

  it('the cyclic a>b, b>c, c>a → ⅓ each', () => {
    const fit = fitBradleyTerry([[0, 1, 0], [0, 0, 1], [1, 0, 0]], options());
    expect(fit.connected).toBe(true);
    within(fit.scores, [1 / 3, 1 / 3, 1 / 3], 1e-12);
  });

  it('two items → wins / n exactly', () => {
    const fit = fitBradleyTerry([[0, 3], [1, 0]], options());
    expect(fit.scores).toEqual([0.75, 0.25]);
    within(fitBradleyTerry([[0, 2], [1, 0]], options()).scores, [2 / 3, 1 / 3], 1e-12);
    within(fitBradleyTerry([[0, 1], [4, 0]], options()).scores, [0.2, 0.8], 1e-12);
  });

  it('a>b, b>c, a>c is not strongly connected', () => {
    expect(fitBradleyTerry([[0, 1, 1], [0, 0, 1], [0, 0, 0]], options()).connected).toBe(false);
    expect(fitBradleyTerry([[0, 2], [0, 0]], options()).connected).toBe(false);
    // With a prior every compared pair has wins both ways.
    expect(fitBradleyTerry([[0, 1, 1], [0, 0, 1], [0, 0, 0]], options({ prior: 0.5 })).connected).toBe(true);
  });

  it('an item never compared gets null; nothing compared at all is not connected', () => {
    const fit = fitBradleyTerry([[0, 2, 0], [1, 0, 0], [0, 0, 0]], options());
    expect(fit.connected).toBe(true);
    within([fit.scores[0]!, fit.scores[1]!], [2 / 3, 1 / 3], 1e-12);
    expect(fit.scores[2]).toBeNull();
    const none = fitBradleyTerry([[0, 0], [0, 0]], options());
    expect(none).toMatchObject({ scores: [null, null], connected: false });
  });
});

describe('bradley-terry strategy', () => {
  it('EX1 as three rankings → the reference MLE, margins ln(γ_i/γ_j)', () => {
    const decision = decide(bradleyTerry, ex1);
    const mle = [0.495502, 0.310246, 0.194253];
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 3] });
    expect(details(decision).votes).toEqual(votesEx1);
    expect(details(decision).connected).toBe(true);
    const scores = details(decision).scores;
    scores.forEach((s, i) => expect(Math.abs(s! - mle[i]!)).toBeLessThan(1e-6));
    const margins = details(decision).margins;
    expect(margins[0]![1]).toBeCloseTo(Math.log(0.495502 / 0.310246), 4);
    expect(margins[1]![2]).toBeCloseTo(Math.log(0.310246 / 0.194253), 4);
    expect(margins[2]![0]).toBeCloseTo(Math.log(0.194253 / 0.495502), 4);
    expect(margins[1]![1]).toBe(0);
    // Every pair is ordered, each 2 of 3.
    expect(decision.confidence).toBeCloseTo(6 / 9, 12);
  });

  it('a cycle of 2–1 majorities → ⅓ each, every response tied', () => {
    const decision = decide(bradleyTerry, [ranks(1, 2, 3), ranks(2, 3, 1), ranks(3, 1, 2)]);
    expect(details(decision).scores).toEqual([expect.closeTo(1 / 3, 9), expect.closeTo(1 / 3, 9), expect.closeTo(1 / 3, 9)]);
    for (const row of details(decision).margins) for (const m of row) expect(m).toBeCloseTo(0, 9);
    // The symmetric data give bit-identical scores: all tied, nothing ordered.
    expect(value(decision)).toEqual({ responseRankings: [1, 1, 1] });
    expect(decision.confidence).toBe(0);
  });

  it('a>b, b>c, a>c (one annotator) is unresolved and reported not connected', () => {
    const decision = decide(bradleyTerry, [ranks(1, 2, 3)]);
    expect(decision.value).toBeUndefined();
    expect(decision.details).toMatchObject({ connected: false });
    expect(decision.confidence).toBe(0);
  });

  it('a unanimous ranking is disconnected with prior 0, resolved with prior 0.5; an uncompared response is null', () => {
    const unanimous = [ranks(1, 2, 3, null), ranks(1, 2, 3, null), ranks(1, 2, 3, null)];
    const strict = decide(bradleyTerry, unanimous);
    expect(strict.value).toBeUndefined();
    expect(strict.details).toMatchObject({ connected: false });

    const decision = decide(bradleyTerry, unanimous, { prior: 0.5 });
    expect(details(decision).connected).toBe(true);
    expect(value(decision)).toEqual({ responseRankings: [1, 2, 3, null] });
    const scores = details(decision).scores;
    expect(scores[3]).toBeNull();
    const [a, b, c] = scores as [number, number, number];
    expect(a + b + c).toBeCloseTo(1, 12);
    // Wins with the prior: 3.5 : 0.5 on every pair, n = 4 each; W = (7, 4, 1).
    const n = 4;
    expect(n * a / (a + b) + n * a / (a + c)).toBeCloseTo(7, 8);
    expect(n * b / (b + a) + n * b / (b + c)).toBeCloseTo(4, 8);
    expect(n * c / (c + a) + n * c / (c + b)).toBeCloseTo(1, 8);
    // The data are symmetric under reversing the order, so γ_b is the geometric mean of γ_a and γ_c.
    expect(b * b).toBeCloseTo(a * c, 10);
    // Votes stay the annotators' own (the prior is not a vote); every judgment agrees.
    expect(details(decision).votes).toEqual([[0, 3, 3, 0], [0, 0, 3, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(decision.confidence).toBeCloseTo(1, 12);
    expect(details(decision).margins[3]).toEqual([0, 0, 0, 0]);
  });
});
