import { describe, expect, it } from 'vitest';
import { majorityVote, pluralityVote, tiePolicies } from '../../../strategies/majority-vote.js';
import { voteKey } from '../../../strategies/submitted-form.js';
import type { AnswerValue, FieldAnswer } from '../../../strategies/types.js';
import {
  bool, byWorkers, classifier, fixedRandom, fromWorkers, noRandom, num, numString, plainString, radio, seeded, text, toggle,
} from './fixtures.js';

const decider = (options: Record<string, unknown> = {}) => majorityVote.create(majorityVote.options.parse(options));

/**
 * crowd-kit's toy "YSDA" dataset (reference §1.7), grouped per task, answers in worker order:
 *   w1: t1 no,  t2 yes, t3 yes, t4 yes, t5 yes
 *   w2: t1 yes, t2 yes, t3 no,  t4 yes, t5 no
 *   w3:         t2 yes, t3 no,  t4 yes, t5 no
 *   w4: t1 yes, t2 no,  t3 yes, t4 yes, t5 no
 *   w5: t1 no,  t2 no,  t3 no,  t4 yes, t5 no
 */
const toy: Record<string, Record<string, string>> = {
  t1: { w1: 'no', w2: 'yes', w4: 'yes', w5: 'no' },
  t2: { w1: 'yes', w2: 'yes', w3: 'yes', w4: 'no', w5: 'no' },
  t3: { w1: 'yes', w2: 'no', w3: 'no', w4: 'yes', w5: 'no' },
  t4: { w1: 'yes', w2: 'yes', w3: 'yes', w4: 'yes', w5: 'yes' },
  t5: { w1: 'yes', w2: 'no', w3: 'no', w4: 'no', w5: 'no' },
};
const toyAnswers = (task: string, as: (label: string) => AnswerValue = classifier): FieldAnswer[] =>
  Object.entries(toy[task]!).map(([workerId, label]) => ({ workerId, value: as(label) }));

describe('majority-vote: crowd-kit toy dataset (§1.7)', () => {
  // MV labels t1 no (2-2 tie -> smallest), t2 yes, t3 no, t4 yes, t5 no; confidence = the winner's share.
  const expected: Array<[string, string, number, Record<string, number>]> = [
    ['t1', 'no', 0.5, { no: 2, yes: 2 }],
    ['t2', 'yes', 0.6, { yes: 3, no: 2 }],
    ['t3', 'no', 0.6, { yes: 2, no: 3 }],
    ['t4', 'yes', 1, { yes: 5 }],
    ['t5', 'no', 0.8, { yes: 1, no: 4 }],
  ];

  it.each(expected)('%s -> %s with confidence %d (default tie policy)', (task, label, confidence, votes) => {
    const decision = decider().decide(toyAnswers(task), noRandom);
    expect(decision.value).toEqual({ label });
    expect(decision.confidence).toBeCloseTo(confidence, 12);
    expect(decision.details?.votes).toEqual(votes);
  });

  it('marks the t1 2-2 tie, and only it', () => {
    expect(decider().decide(toyAnswers('t1'), noRandom).details?.tie).toBe(true);
    for (const task of ['t2', 't3', 't4', 't5']) {
      expect(decider().decide(toyAnswers(task), noRandom).details?.tie).toBeUndefined();
    }
  });

  it('gives the same labels whatever the tie policy on the untied tasks', () => {
    for (const tie of tiePolicies) {
      const d = decider({ tie });
      expect(d.decide(toyAnswers('t2'), seeded(1)).value).toEqual({ label: 'yes' });
      expect(d.decide(toyAnswers('t3'), seeded(1)).value).toEqual({ label: 'no' });
      expect(d.decide(toyAnswers('t4'), seeded(1)).value).toEqual({ label: 'yes' });
      expect(d.decide(toyAnswers('t5'), seeded(1)).value).toEqual({ label: 'no' });
    }
  });
});

describe('majority-vote: tie policies', () => {
  // Tied keys in first-answered order: yes (w1), no (w2); "no" < "yes" in code-unit order.
  const yesFirst = byWorkers([plainString('yes'), plainString('no'), plainString('no'), plainString('yes')]);

  it('defaults to lowest', () => {
    expect(majorityVote.options.parse({})).toEqual({ tie: 'lowest' });
  });

  it('lowest: the smallest tied key in code-unit order, whatever the answer order', () => {
    expect(decider({ tie: 'lowest' }).decide(yesFirst, noRandom).value).toBe('no');
    expect(decider({ tie: 'lowest' }).decide([...yesFirst].reverse(), noRandom).value).toBe('no');
    // Code-unit order: upper case sorts before lower case.
    const mixedCase = byWorkers([plainString('apple'), plainString('Banana')]);
    expect(decider({ tie: 'lowest' }).decide(mixedCase, noRandom).value).toBe('Banana');
  });

  it('lowest ignores values that are not tied', () => {
    // "a" is the smallest key but has one vote; "b" and "c" tie on two.
    const answers = byWorkers([plainString('c'), plainString('a'), plainString('b'), plainString('c'), plainString('b')]);
    const decision = decider({ tie: 'lowest' }).decide(answers, noRandom);
    expect(decision.value).toBe('b');
    expect(decision.confidence).toBeCloseTo(2 / 5, 12);
    expect(decision.details).toEqual({ votes: { c: 2, a: 1, b: 2 }, tie: true });
  });

  it('first: the tied value answered first', () => {
    expect(decider({ tie: 'first' }).decide(yesFirst, noRandom).value).toBe('yes');
    expect(decider({ tie: 'first' }).decide([...yesFirst].reverse(), noRandom).value).toBe('yes');
    const noFirst = byWorkers([plainString('no'), plainString('yes'), plainString('yes'), plainString('no')]);
    expect(decider({ tie: 'first' }).decide(noFirst, noRandom).value).toBe('no');
    // t1 of the toy set: w1 answered "no" first.
    expect(decider({ tie: 'first' }).decide(toyAnswers('t1'), noRandom).value).toEqual({ label: 'no' });
  });

  it('first: the first answered among the tied values, not the first answer overall', () => {
    // "z" is answered first but has one vote; of the tied "y" and "x", "y" came first.
    const answers = byWorkers([plainString('z'), plainString('y'), plainString('x'), plainString('x'), plainString('y')]);
    expect(decider({ tie: 'first' }).decide(answers, noRandom).value).toBe('y');
  });

  it('first: confidence is still the winning share', () => {
    const decision = decider({ tie: 'first' }).decide(yesFirst, noRandom);
    expect(decision.confidence).toBe(0.5);
    expect(decision.details).toEqual({ votes: { yes: 2, no: 2 }, tie: true });
  });

  it('random: a draw of 0 picks the first of the tied values (first-answered order), 0.99 the last', () => {
    const d = decider({ tie: 'random' });
    expect(d.decide(yesFirst, fixedRandom(0)).value).toBe('yes');
    expect(d.decide(yesFirst, fixedRandom(0.99)).value).toBe('no');
    expect(d.decide(yesFirst, fixedRandom(0.49)).value).toBe('yes');
    expect(d.decide(yesFirst, fixedRandom(0.5)).value).toBe('no');
    // Three tied values, in first-answered order c, a, b: thirds of [0, 1).
    const three = byWorkers([plainString('c'), plainString('a'), plainString('b')]);
    expect(d.decide(three, fixedRandom(0)).value).toBe('c');
    expect(d.decide(three, fixedRandom(0.34)).value).toBe('a');
    expect(d.decide(three, fixedRandom(0.67)).value).toBe('b');
    expect(d.decide(three, fixedRandom(0.99)).value).toBe('b');
  });

  it('random: with a seeded source every tied value occurs, and untied values never do', () => {
    const d = decider({ tie: 'random' });
    const answers = byWorkers([plainString('a'), plainString('b'), plainString('c'), plainString('a'), plainString('b')]);
    const context = seeded(42);
    const seen = new Map<unknown, number>();
    for (let i = 0; i < 400; i += 1) {
      const { value, confidence } = d.decide(answers, context);
      expect(confidence).toBeCloseTo(2 / 5, 12);
      seen.set(value, (seen.get(value) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['a', 'b']);
    // Roughly uniform: each side well away from 0 and 400.
    expect(seen.get('a')!).toBeGreaterThan(120);
    expect(seen.get('b')!).toBeGreaterThan(120);
  });

  it('random: the same seed gives the same sequence of decisions', () => {
    const d = decider({ tie: 'random' });
    const run = (seed: number) => {
      const context = seeded(seed);
      return Array.from({ length: 50 }, () => d.decide(yesFirst, context).value);
    };
    expect(run(7)).toEqual(run(7));
  });

  it('none: a tie leaves the value unresolved and marks tie: true', () => {
    const decision = decider({ tie: 'none' }).decide(yesFirst, noRandom);
    expect(decision.value).toBeUndefined();
    expect(decision.confidence).toBe(0.5);
    expect(decision.details).toEqual({ votes: { yes: 2, no: 2 }, tie: true });
    const t1 = decider({ tie: 'none' }).decide(toyAnswers('t1'), noRandom);
    expect(t1.value).toBeUndefined();
    expect(t1.details?.tie).toBe(true);
  });

  it('none: without a tie the majority still wins', () => {
    const decision = decider({ tie: 'none' }).decide(toyAnswers('t5'), noRandom);
    expect(decision.value).toEqual({ label: 'no' });
    expect(decision.details).toEqual({ votes: { yes: 1, no: 4 } });
  });

  it('a single answer wins with confidence 1 and no tie', () => {
    for (const tie of tiePolicies) {
      const decision = decider({ tie }).decide(byWorkers([plainString('only')]), noRandom);
      expect(decision).toEqual({ value: 'only', confidence: 1, details: { votes: { only: 1 } } });
    }
  });
});

describe('majority-vote: output shape follows the submission', () => {
  it('classifier -> {label}', () => {
    expect(decider().decide(toyAnswers('t2', classifier), noRandom).value).toEqual({ label: 'yes' });
  });

  it('radio -> {value: true}', () => {
    expect(decider().decide(toyAnswers('t3', radio), noRandom).value).toEqual({ no: true });
  });

  it('plain string -> the string', () => {
    expect(decider().decide(toyAnswers('t4', plainString), noRandom).value).toBe('yes');
  });

  it('toggle -> {on: bool}', () => {
    const answers = byWorkers([toggle(true), toggle(false), toggle(true)]);
    const decision = decider().decide(answers, noRandom);
    expect(decision.value).toEqual({ on: true });
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
    expect(decision.details?.votes).toEqual({ true: 2, false: 1 });
    expect(decider().decide(byWorkers([toggle(false), toggle(false), toggle(true)]), noRandom).value).toEqual({ on: false });
  });

  it('plain boolean -> the boolean', () => {
    expect(decider().decide(byWorkers([bool(false), bool(false), bool(true)]), noRandom).value).toBe(false);
  });

  it('numbers -> a number', () => {
    expect(decider().decide(byWorkers([num(3), num(4), num(3)]), noRandom).value).toBe(3);
  });

  it('free text votes on the exact text', () => {
    const a = 'the cat sat on the mat';
    const decision = decider().decide(byWorkers([text(a), text('a dog sat on the mat'), text(a)]), noRandom);
    expect(decision.value).toBe(a);
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
  });

  it('the same label in different shapes votes together, written in the first answer\'s shape', () => {
    const answers = byWorkers([radio('cat'), classifier('cat'), plainString('dog'), plainString('cat')]);
    const decision = decider().decide(answers, noRandom);
    expect(decision.value).toEqual({ cat: true });
    expect(decision.confidence).toBe(0.75);
    expect(decision.details?.votes).toEqual({ cat: 3, dog: 1 });
  });
});

describe('majority-vote: numeric 4 and "4" are one value', () => {
  it('counts a slider 4 and a select "4" as the same vote and writes a number', () => {
    const answers = byWorkers([numString(4), num(4), num(5)]);
    const decision = decider().decide(answers, noRandom);
    expect(decision.value).toBe(4);
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
    expect(decision.details?.votes).toEqual({ 4: 2, 5: 1 });
  });

  it('the merged vote beats a value that would otherwise win', () => {
    const answers = byWorkers([num(5), numString(4), num(5), num(4), numString(4)]);
    const decision = decider().decide(answers, noRandom);
    expect(decision.value).toBe(4);
    expect(decision.confidence).toBeCloseTo(3 / 5, 12);
    expect(decision.details).toEqual({ votes: { 5: 2, 4: 3 } });
  });
});

describe('majority-vote: votes details', () => {
  it('counts every distinct value in first-answered order', () => {
    const answers = fromWorkers({ a: plainString('b'), b: plainString('a'), c: plainString('b'), d: plainString('c') });
    const decision = decider().decide(answers, noRandom);
    expect(decision.value).toBe('b');
    expect(decision.confidence).toBe(0.5);
    expect(decision.details).toEqual({ votes: { b: 2, a: 1, c: 1 } });
    expect(Object.keys(decision.details!.votes as object)).toEqual(['b', 'a', 'c']);
  });
});

describe('pluralityVote (majority vote\'s count, shared with the shape label vote)', () => {
  const same = (ballot: string) => ballot;
  // b and a tie at 2, first voted b, then a; c has 1.
  const ballots = ['b', 'c', 'a', 'b', 'a'];

  it('counts each key in first-voted order and breaks a tie by each policy', () => {
    const lowest = pluralityVote(ballots, same, 'lowest', noRandom.random);
    expect(lowest).toEqual({ votes: new Map([['b', 2], ['c', 1], ['a', 2]]), top: 2, tie: true, winner: 'a' });
    expect(pluralityVote(ballots, same, 'first', noRandom.random).winner).toBe('b');
    // Uniform over the tied keys in first-voted order [b, a]: [0, 0.5) → b, [0.5, 1) → a.
    expect(pluralityVote(ballots, same, 'random', () => 0.49).winner).toBe('b');
    expect(pluralityVote(ballots, same, 'random', () => 0.5).winner).toBe('a');
    expect(pluralityVote(ballots, same, 'none', noRandom.random)).toMatchObject({ top: 2, tie: true, winner: undefined });
  });

  it('compares tied keys as numbers when every one is a number, else by code unit', () => {
    expect(pluralityVote(['10', '9', '10', '9'], same, 'lowest', noRandom.random).winner).toBe('9');
    expect(pluralityVote(['10', '9x', '10', '9x'], same, 'lowest', noRandom.random).winner).toBe('10');
  });

  it('returns the first ballot of the winning key, and draws nothing without a tie', () => {
    const answers = [num(4), numString(4), num(5)];
    for (const tie of tiePolicies) {
      const vote = pluralityVote(answers, voteKey, tie, noRandom.random);
      expect(vote).toEqual({ votes: new Map([['4', 2], ['5', 1]]), top: 2, tie: false, winner: answers[0] });
    }
  });
});

describe('majority-vote: options', () => {
  it('accepts every documented tie policy', () => {
    expect([...tiePolicies]).toEqual(['lowest', 'first', 'random', 'none']);
    for (const tie of tiePolicies) expect(majorityVote.options.parse({ tie })).toEqual({ tie });
  });

  it('rejects an unknown tie policy', () => {
    expect(majorityVote.options.safeParse({ tie: 'coin' }).success).toBe(false);
    expect(majorityVote.options.safeParse({ tie: 'LOWEST' }).success).toBe(false);
    expect(majorityVote.options.safeParse({ tie: 1 }).success).toBe(false);
  });

  it('rejects unknown keys', () => {
    expect(majorityVote.options.safeParse({ tei: 'x' }).success).toBe(false);
    expect(majorityVote.options.safeParse({ tie: 'first', extra: true }).success).toBe(false);
  });

  it('declares its name and kinds', () => {
    expect(majorityVote.name).toBe('majority-vote');
    expect([...majorityVote.kinds].sort()).toEqual(['boolean', 'categorical', 'numeric', 'text']);
  });
});

describe('majority-vote: lowest compares numeric values as numbers', () => {
  it('picks 9 over 10 and -2 over -1, numbers and numeric labels alike', () => {
    const answers = (values: AnswerValue[]): FieldAnswer[] => values.map((value, i) => ({ workerId: `w${i}`, value }));
    expect(decider().decide(answers([num(10), num(9)]), noRandom).value).toBe(9);
    expect(decider().decide(answers([num(-1), num(-2)]), noRandom).value).toBe(-2);
    expect(decider().decide(answers([classifier('10'), classifier('9')]), noRandom).value).toEqual({ label: '9' });
    expect(decider().decide(answers([classifier('b'), classifier('10'), classifier('a'), classifier('9')]), noRandom).value)
      .toEqual({ label: '10' }); // mixed keys fall back to code-unit order, where '10' < '9' < 'a' < 'b'
  });
});
