import { describe, expect, it } from 'vitest';
import { contradicted, extractPairs, pairDropReason, pairPolicies, type PairFilters, type PairPolicy } from '../../src/export/pairs.js';

const pair = (chosen: number, rejected: number, tie = false) => ({ chosen, rejected, tie });

describe('extractPairs: distinct scores', () => {
  // Order best first: 1 (2), 3 (1), 0 (0.5); response 2 was not judged.
  const scores = [0.5, 2, null, 1];

  it.each<[PairPolicy, ReturnType<typeof pair>[]]>([
    ['best-vs-worst', [pair(1, 0)]],
    ['best-vs-others', [pair(1, 3), pair(1, 0)]],
    ['all-pairs', [pair(1, 3), pair(1, 0), pair(3, 0)]],
    ['adjacent', [pair(1, 3), pair(3, 0)]],
  ])('%s', (policy, expected) => {
    expect(extractPairs(scores, policy)).toEqual(expected);
  });

  it('all-pairs gives C(n, 2) pairs, each best-first', () => {
    const five = [3, 1, 4, 1.5, 9];
    const pairs = extractPairs(five, 'all-pairs');
    expect(pairs).toHaveLength(10);
    for (const { chosen, rejected, tie } of pairs) {
      expect(five[chosen]!).toBeGreaterThan(five[rejected]!);
      expect(tie).toBe(false);
    }
    expect(new Set(pairs.map(({ chosen, rejected }) => [chosen, rejected].sort().join()))).toHaveProperty('size', 10);
  });

  it('handles negative scores (ranks read as −rank)', () => {
    expect(extractPairs([-2, -1, -3], 'best-vs-worst')).toEqual([pair(1, 2)]);
    expect(extractPairs([-2, -1, -3], 'adjacent')).toEqual([pair(1, 0), pair(0, 2)]);
  });
});

describe('extractPairs: ties', () => {
  // Scores 1, 3, 3, 1: order 1, 2, 0, 3 (equal scores keep response order).
  const scores = [1, 3, 3, 1];

  it.each<[PairPolicy, ReturnType<typeof pair>[]]>([
    ['best-vs-worst', [pair(1, 3)]],
    ['best-vs-others', [pair(1, 2, true), pair(1, 0), pair(1, 3)]],
    ['all-pairs', [pair(1, 2, true), pair(1, 0), pair(1, 3), pair(2, 0), pair(2, 3), pair(0, 3, true)]],
    ['adjacent', [pair(1, 2, true), pair(2, 0), pair(0, 3, true)]],
  ])('%s flags pairs of equal scores', (policy, expected) => {
    expect(extractPairs(scores, policy)).toEqual(expected);
  });

  it('all responses equal: every pair is a tie', () => {
    expect(extractPairs([2, 2], 'best-vs-worst')).toEqual([pair(0, 1, true)]);
    expect(extractPairs([0, 0, 0], 'all-pairs')).toEqual([pair(0, 1, true), pair(0, 2, true), pair(1, 2, true)]);
  });

  it('ties with nulls between them', () => {
    expect(extractPairs([null, 5, null, 5, 4], 'adjacent')).toEqual([pair(1, 3, true), pair(3, 4)]);
    expect(extractPairs([null, 5, null, 5, 4], 'best-vs-worst')).toEqual([pair(1, 4)]);
  });
});

describe('extractPairs: fewer than two judged responses', () => {
  it.each(pairPolicies)('%s → []', (policy) => {
    expect(extractPairs([], policy)).toEqual([]);
    expect(extractPairs([7], policy)).toEqual([]);
    expect(extractPairs([null, 3, null], policy)).toEqual([]);
    expect(extractPairs([null, null], policy)).toEqual([]);
  });

  it('two judged among nulls give one pair', () => {
    for (const policy of pairPolicies) expect(extractPairs([null, 1, null, 2], policy)).toEqual([pair(3, 1)]);
  });
});

describe('pairDropReason: a pair\'s fate, the first failing filter in order', () => {
  const filters: PairFilters = { ties: 'drop', minVotes: 2, minAgreement: 0.6, minMargin: 0.5 };
  const evidence = { won: 3, lost: 1, margin: 1, chosenText: 'A', rejectedText: 'B' };

  it('keeps a pair that passes every filter', () => {
    expect(pairDropReason(pair(0, 1), evidence, filters)).toBeUndefined();
  });

  it.each([
    ['tie', pair(0, 1, true), {}, {}],
    ['no-prompt-or-responses', pair(0, 1), { rejectedText: undefined }, {}],
    ['identical', pair(0, 1), { chosenText: ' A  b', rejectedText: 'A b ' }, {}],
    ['too-few-votes', pair(0, 1), { won: 1, lost: 0 }, {}],
    ['low-agreement', pair(0, 1), { won: 3, lost: 3 }, {}],
    ['low-margin', pair(0, 1), { margin: 0.4 }, {}],
    // An earlier reason wins over a later one.
    ['too-few-votes', pair(0, 1), { won: 1, lost: 0, margin: 0 }, {}],
  ] as const)('%s', (reason, candidate, changed, changedFilters) => {
    expect(pairDropReason(candidate, { ...evidence, ...changed }, { ...filters, ...changedFilters })).toBe(reason);
  });

  it('a kept tie skips the vote filters, but not the response checks', () => {
    const keepTies = { ...filters, ties: 'keep' as const };
    expect(pairDropReason(pair(0, 1, true), { ...evidence, won: 0, lost: 0, margin: 0 }, keepTies)).toBeUndefined();
    expect(pairDropReason(pair(0, 1, true), { ...evidence, rejectedText: 'A' }, keepTies)).toBe('identical');
  });

  it('annotators all tied on the pair have no agreement: dropped under any positive minimum', () => {
    expect(pairDropReason(pair(0, 1), { ...evidence, won: 0, lost: 0 }, { ...filters, minVotes: 0 })).toBe('low-agreement');
  });
});

describe('contradicted', () => {
  it('marks both pairs of a response given twice and ranked apart (texts equal up to white space)', () => {
    // Responses 'A', 'B', ' A ' ranked in that order, all-pairs after the identical (A, ' A ') is dropped: A over B, B over A.
    expect(contradicted([['A', 'B'], ['B', ' A ']])).toEqual([true, true]);
    expect(contradicted([['A', 'B'], ['C', 'D'], ['B', ' A ']])).toEqual([true, false, true]);
  });

  it('leaves consistent pairs, repeated ones included, alone', () => {
    expect(contradicted([['A', 'B'], ['A', 'C'], ['B', 'C'], ['A ', 'B']])).toEqual([false, false, false, false]);
    expect(contradicted([])).toEqual([]);
  });
});
