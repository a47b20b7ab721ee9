/**
 * What every shape strategy shares: the workers' shapes of one object in, the consolidated shapes out.
 *
 * 1. Match (`matcher.ts`): each label's shapes apart (default), or all of them at once when `crossLabel`: the label is
 *    then voted among the cluster's members (majority vote's `pluralityVote`), a tie broken by `labelTie`:
 *    - `lowest` (default): the lowest tied label (as numbers when every label is one, as majority vote);
 *    - `first`: the tied label of the member whose worker answered first (the order of the worker-response file);
 *    - `random`: uniform among the tied labels, from the run's seeded source (`--seed`).
 *    Majority vote's `none` is refused: a kept shape needs a label, and dropping it would count the workers' agreement
 *    that it is there as a "no". A kept shape whose label was a tie is marked `labelTie: true`.
 * 2. Keep a cluster when its votes (members: one per worker at most) reach the quorum, by default ⌈workers / 2⌉ of
 *    the workers who answered the field; a worker who answered without drawing the shape counts as a "no".
 * 3. Reduce the members to one shape (the strategy's `reduce`: a mean, a median, the medoid, …).
 * 4. Each kept shape's confidence = votes / workers × mean similarity of the result to the members (CVAT's score).
 *    The field's confidence is the mean over every cluster of that confidence for a kept shape and of
 *    1 − votes / workers for a dropped one (the share of workers who said it is not there); 1 when every worker drew
 *    nothing. With one worker every confidence is 0, as in AWS's built-in output: one drawing is not agreement.
 *
 * Shapes come back in the order of their clusters (the first member's worker, then the order drawn), so an object's
 * output does not depend on anything but its answers.
 */
import { z } from 'zod';
import { pluralityVote } from '../majority-vote.js';
import type { ShapeOutcome, WorkerShapeScore } from '../types.js';
import { matchShapes, type Drawn } from './matcher.js';

/** The options every matching strategy takes beside its similarity threshold (see `ShapeMatching`). */
export const matchingOptions = {
  quorum: z.number().int().min(1).optional(),
  crossLabel: z.boolean().default(false),
  labelTie: z.enum(['lowest', 'first', 'random'], {
    error: 'expected "lowest", "first" or "random" (a kept shape needs a label, so a label tie cannot be left unresolved)',
  }).default('lowest'),
};

export type LabelTiePolicy = z.infer<typeof matchingOptions.labelTie>;

export interface ShapeMatching {
  /** Least similarity for two shapes to be one (IoU, OKS, …). */
  threshold: number;
  /** Least votes for a cluster to be kept; default ⌈workers / 2⌉. */
  quorum?: number | undefined;
  /** Match shapes of any label together and vote the label (default: only shapes of one label match). */
  crossLabel: boolean;
  /** How a `crossLabel` vote's tie is broken (see the header). */
  labelTie: LabelTiePolicy;
  /** The run's seeded source (`DecisionContext.random`), drawn from only for a tie under `random`. */
  random: () => number;
}

export interface KeptShape<S> {
  shape: S;
  /** Workers who drew it. */
  votes: number;
  /** votes / workers × mean similarity of `shape` to the members. */
  confidence: number;
  /** The members, as drawn. */
  members: Drawn<S>[];
  /** `crossLabel`: the label vote was a tie (broken by `labelTie`). */
  labelTie?: boolean;
}

export interface ShapeResult<S extends { label: string }> {
  kept: KeptShape<S>[];
  /** The votes of each cluster below the quorum (shapes drawn by too few workers). */
  dropped: number[];
  /** The field's confidence (see above). */
  confidence: number;
  /** For `Decision.shapes`: the kept shapes and each worker's score against them. */
  outcome: ShapeOutcome<S>;
}

/**
 * `byWorker[w]` = the shapes worker `w` drew (possibly none). `reduce` makes one shape of a cluster's members, all of
 * one label (it is given the label to write on the result).
 */
export function consolidateShapes<S extends { label: string }>(
  byWorker: readonly (readonly S[])[],
  similarity: (a: S, b: S) => number,
  reduce: (members: readonly S[], label: string) => S,
  { threshold, quorum, crossLabel, labelTie, random }: ShapeMatching,
): ShapeResult<S> {
  const workers = byWorker.length;
  const needed = quorum ?? Math.ceil(workers / 2);
  const clusters = crossLabel
    ? matchShapes(byWorker, similarity, threshold)
    : labelsOf(byWorker).flatMap((label) => matchShapes(byWorker.map((shapes) => shapes.filter((s) => s.label === label)), similarity, threshold));
  // Each shape's place in its worker's drawing, looked up once rather than searched in every comparison.
  const drawnAt = new Map(byWorker.flatMap((shapes) => shapes.map((shape, at) => [shape, at] as const)));
  clusters.sort((a, b) => a[0]!.worker - b[0]!.worker || drawnAt.get(a[0]!.shape)! - drawnAt.get(b[0]!.shape)!);
  const agreement = workers > 1 ? 1 : 0;
  const kept: KeptShape<S>[] = [];
  const dropped: number[] = [];
  for (const members of clusters) {
    if (members.length < needed) {
      dropped.push(members.length);
      continue;
    }
    // In worker order (members are in the order they joined), for `first`; `none` is refused, so there is a winner.
    const ballots = [...members].sort((a, b) => a.worker - b.worker).map(({ shape }) => shape.label);
    const { winner: label, tie } = pluralityVote(ballots, (ballot) => ballot, labelTie, random);
    const shape = reduce(members.map((m) => m.shape), label!);
    const meanSimilarity = members.reduce((sum, m) => sum + similarity(shape, m.shape), 0) / members.length;
    const confidence = agreement * (members.length / workers) * meanSimilarity;
    kept.push({ shape, votes: members.length, confidence, members, ...(tie && { labelTie: true }) });
  }
  const perCluster = [...kept.map((k) => k.confidence), ...dropped.map((votes) => agreement * (1 - votes / workers))];
  const confidence = perCluster.length === 0 ? agreement : perCluster.reduce((a, b) => a + b, 0) / perCluster.length;
  return { kept, dropped, confidence, outcome: { kept, workers: workerScores(byWorker, kept, similarity), similarity } };
}

/** Each worker's drawing against the kept shapes: matched (with similarity), missed, extra. */
function workerScores<S>(byWorker: readonly (readonly S[])[], kept: readonly KeptShape<S>[], similarity: (a: S, b: S) => number): WorkerShapeScore[] {
  const scores = byWorker.map((shapes) => ({ matched: 0, similarity: 0, missed: kept.length, extra: shapes.length }));
  for (const { shape, members } of kept) {
    for (const member of members) {
      const score = scores[member.worker]!;
      score.matched += 1;
      score.similarity += similarity(shape, member.shape);
      score.missed -= 1;
      score.extra -= 1;
    }
  }
  return scores;
}

/** Every label drawn, in order of first appearance. */
function labelsOf(byWorker: readonly (readonly { label: string }[])[]): string[] {
  return [...new Set(byWorker.flatMap((shapes) => shapes.map(({ label }) => label)))];
}
