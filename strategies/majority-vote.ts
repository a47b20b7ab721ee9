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
 */
import { z } from 'zod';
import { compareLabels } from './answer-table.js';
import { submittedForm, voteKey } from './submitted-form.js';
import type { AnswerValue, Strategy } from './types.js';

export const tiePolicies = ['lowest', 'first', 'random', 'none'] as const;

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
      // Map keeps first-answered order, which the `first` policy relies on.
      const tally = new Map<string, { count: number; value: AnswerValue }>();
      for (const { value } of answers) {
        const key = voteKey(value);
        const entry = tally.get(key);
        if (entry) entry.count += 1;
        else tally.set(key, { count: 1, value });
      }
      const top = Math.max(...[...tally.values()].map((entry) => entry.count));
      const tied = [...tally.keys()].filter((key) => tally.get(key)!.count === top);
      const votes = Object.fromEntries([...tally].map(([key, entry]) => [key, entry.count]));
      const confidence = top / answers.length;
      if (tied.length > 1 && tie === 'none') {
        return { value: undefined, confidence, details: { votes, tie: true } };
      }
      const winner = tied.length === 1 || tie === 'first'
        ? tied[0]!
        : tie === 'random'
          ? tied[Math.floor(context.random() * tied.length)]!
          : [...tied].sort(compareLabels(tied))[0]!;
      return {
        value: submittedForm(tally.get(winner)!.value),
        confidence,
        details: tied.length > 1 ? { votes, tie: true } : { votes },
      };
    },
  }),
};
