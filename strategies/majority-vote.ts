/**
 * Majority vote: the value given by the most workers wins.
 *
 * Votes are counted per vote key (`"4"` and `4` are one value). confidence = the winner's share of the votes, so a
 * 2-2 tie has confidence 0.5 whichever way it is broken.
 *
 * Tie policy (`tie`):
 * - `lowest` (default): the smallest tied key, deterministic: crowd-kit's `MajorityVote` convention (label columns
 *   sorted, first maximum). When every tied key is a number they compare as numbers (`"9"` < `"10"`), otherwise in
 *   code-unit order;
 * - `first`: the tied value answered first, in the order of the worker-response file;
 * - `random`: uniform among the tied values, from the run's seeded random source (`--seed`);
 * - `none`: the field is left unresolved (no value), and marked `tie: true`.
 *
 * The counting and tie-breaking are `pluralityVote`, which the shape strategies' label vote (`crossLabel`) shares.
 */
import { z } from 'zod';
import { compareLabels } from './answer-table.js';
import { submittedForm, voteKey } from './submitted-form.js';
import type { AnswerValue, Strategy } from './types.js';

export const tiePolicies = ['lowest', 'first', 'random', 'none'] as const;
export type TiePolicy = (typeof tiePolicies)[number];

const options = z.strictObject({
  tie: z.enum(tiePolicies).default('lowest'),
});

export const majorityVote: Strategy<z.infer<typeof options>> = {
  name: 'majority-vote',
  summary: 'most frequent value; confidence = vote share; tie policy lowest|first|random|none',
  kinds: ['categorical', 'boolean', 'numeric', 'text'],
  options,
  create: ({ tie }) => ({
    decide(answers, context) {
      const vote = pluralityVote(answers.map(({ value }) => value), voteKey, tie, context.random);
      const votes = Object.fromEntries(vote.votes);
      return {
        value: vote.winner === undefined ? undefined : submittedForm(vote.winner),
        confidence: vote.top / answers.length,
        details: vote.tie ? { votes, tie: true } : { votes },
      };
    },
  }),
};

export interface Plurality<T> {
  /** Each key's votes, in the order first voted. */
  votes: Map<string, number>;
  /** The most votes a key has. */
  top: number;
  /** Several keys have `top` votes. */
  tie: boolean;
  /** The first ballot of the winning key; none for a tie under `none`. */
  winner: T | undefined;
}

/**
 * The key most `ballots` vote for (`keyOf`), a tie broken by `tie` (see the header; `first` = the first in `ballots`'
 * order). `random` is drawn from once per tie broken at random, never otherwise: the run's sequence stays the same.
 * The vote of majority vote and of the shape strategies' label (`crossLabel`).
 */
export function pluralityVote<T>(ballots: readonly T[], keyOf: (ballot: T) => string, tie: TiePolicy, random: () => number): Plurality<T> {
  // Map keeps first-voted order, which the `first` policy relies on.
  const tally = new Map<string, { count: number; ballot: T }>();
  for (const ballot of ballots) {
    const key = keyOf(ballot);
    const entry = tally.get(key);
    if (entry) entry.count += 1;
    else tally.set(key, { count: 1, ballot });
  }
  const votes = new Map([...tally].map(([key, { count }]) => [key, count]));
  const top = Math.max(...votes.values());
  const tied = [...votes.keys()].filter((key) => votes.get(key) === top);
  if (tied.length > 1 && tie === 'none') return { votes, top, tie: true, winner: undefined };
  const winner = tied.length === 1 || tie === 'first'
    ? tied[0]!
    : tie === 'random'
      ? tied[Math.floor(random() * tied.length)]!
      : [...tied].sort(compareLabels(tied))[0]!;
  return { votes, top, tie: tied.length > 1, winner: tally.get(winner)!.ballot };
}
