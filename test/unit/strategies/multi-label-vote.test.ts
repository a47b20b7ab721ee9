import { describe, expect, it } from 'vitest';
import { multiLabelVote } from '../../../strategies/multi-label-vote.js';
import type { FieldAnswer } from '../../../strategies/types.js';
import { byWorkers, checkbox, fromWorkers, labels, list, noRandom } from './fixtures.js';

const decide = (answers: FieldAnswer[], options: Record<string, unknown> = {}) =>
  multiLabelVote.create(multiLabelVote.options.parse(options)).decide(answers, noRandom);

describe('multi-label-vote: crowd-kit BinaryRelevance(MajorityVote()) vector (§1.7)', () => {
  it('t1 {w1 [house, tree], w2 [house], w3 [house, tree, grass]} -> [house, tree]', () => {
    const decision = decide(fromWorkers({
      w1: labels(['house', 'tree']),
      w2: labels(['house']),
      w3: labels(['house', 'tree', 'grass']),
    }));
    expect(decision.value).toEqual({ labels: ['house', 'tree'] });
    expect(decision.details?.shares).toEqual({ house: 1, tree: 2 / 3, grass: 1 / 3 });
    // clarity house 1, tree 2/3, grass 2/3 -> mean 7/9.
    expect(decision.confidence).toBeCloseTo(7 / 9, 12);
  });

  it('t2 {w1 [car], w2 [car, human], w3 [train]} -> [car]', () => {
    const decision = decide(fromWorkers({
      w1: labels(['car']),
      w2: labels(['car', 'human']),
      w3: labels(['train']),
    }));
    expect(decision.value).toEqual({ labels: ['car'] });
    expect(decision.details?.shares).toEqual({ car: 2 / 3, human: 1 / 3, train: 1 / 3 });
    // clarity 2/3 for each label.
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
  });
});

describe('multi-label-vote: threshold', () => {
  const split = byWorkers([labels(['a', 'b']), labels(['a'])]);

  it('a 50/50 split drops the label at the default threshold 0.5 (strictly above)', () => {
    const decision = decide(split);
    expect(decision.value).toEqual({ labels: ['a'] });
    expect(decision.details?.shares).toEqual({ a: 1, b: 0.5 });
    // clarity a 1, b 0.5 -> 0.75.
    expect(decision.confidence).toBeCloseTo(0.75, 12);
  });

  it('a lower threshold keeps it', () => {
    expect(decide(split, { threshold: 0.4 }).value).toEqual({ labels: ['a', 'b'] });
    expect(decide(split, { threshold: 0 }).value).toEqual({ labels: ['a', 'b'] });
  });

  it('a higher threshold drops a 2/3 label', () => {
    const answers = byWorkers([labels(['x']), labels(['x']), labels([])]);
    expect(decide(answers).value).toEqual({ labels: ['x'] });
    expect(decide(answers, { threshold: 0.7 }).value).toEqual({ labels: [] });
  });

  it('gives an empty list when no label has a majority', () => {
    const decision = decide(byWorkers([labels(['a']), labels(['b']), labels(['c'])]));
    expect(decision.value).toEqual({ labels: [] });
  });

  it('threshold is validated: [0, 1), no unknown keys', () => {
    expect(multiLabelVote.options.parse({})).toEqual({ threshold: 0.5 });
    expect(multiLabelVote.options.parse({ threshold: 0 })).toEqual({ threshold: 0 });
    for (const threshold of [-0.1, 1, 1.5, '0.5']) {
      expect(multiLabelVote.options.safeParse({ threshold }).success, String(threshold)).toBe(false);
    }
    expect(multiLabelVote.options.safeParse({ treshold: 0.5 }).success).toBe(false);
  });
});

describe('multi-label-vote: output shape', () => {
  it('checkbox answers are written back as {option: bool} over all options', () => {
    const options = ['a', 'b', 'c'];
    const decision = decide(byWorkers([
      checkbox(options, ['a']),
      checkbox(options, ['a', 'b']),
      checkbox(options, ['b']),
    ]));
    expect(decision.value).toEqual({ a: true, b: true, c: false });
    // A shown but unchosen option has share 0 and counts as full agreement.
    expect(decision.details?.shares).toEqual({ a: 2 / 3, b: 2 / 3, c: 0 });
    expect(decision.confidence).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
  });

  it('a checkbox group nobody ticked is all false, with confidence 1', () => {
    const options = ['red', 'green'];
    const decision = decide(byWorkers([checkbox(options, []), checkbox(options, [])]));
    expect(decision.value).toEqual({ red: false, green: false });
    expect(decision.details?.shares).toEqual({ red: 0, green: 0 });
    expect(decision.confidence).toBe(1);
  });

  it('list answers are written back as a list', () => {
    const decision = decide(byWorkers([list(['p', 'q']), list(['q']), list(['q', 'p'])]));
    expect(decision.value).toEqual(['p', 'q']);
    // clarity p 2/3, q 1 -> 5/6.
    expect(decision.confidence).toBeCloseTo(5 / 6, 12);
  });

  it('labels answers are written back as {labels}', () => {
    expect(decide(byWorkers([labels(['k']), labels(['k'])])).value).toEqual({ labels: ['k'] });
  });
});

describe('multi-label-vote: details and confidence', () => {
  it('counts a label once per worker even if repeated', () => {
    const decision = decide(byWorkers([labels(['a', 'a']), labels(['b'])]));
    expect(decision.details?.shares).toEqual({ a: 0.5, b: 0.5 });
    expect(decision.value).toEqual({ labels: [] });
    expect(decision.confidence).toBeCloseTo(0.5, 12);
  });

  it('confidence is 1 when every worker chose the same labels', () => {
    const decision = decide(byWorkers([labels(['a', 'b']), labels(['b', 'a']), labels(['a', 'b'])]));
    expect(decision.value).toEqual({ labels: ['a', 'b'] });
    expect(decision.confidence).toBe(1);
    expect(decision.details?.shares).toEqual({ a: 1, b: 1 });
  });

  it('confidence is 1 when every worker chose nothing', () => {
    const decision = decide(byWorkers([labels([]), labels([])]));
    expect(decision.value).toEqual({ labels: [] });
    expect(decision.confidence).toBe(1);
    expect(decision.details?.shares).toEqual({});
  });

  it('confidence = mean over labels of max(share, 1 - share)', () => {
    // Four workers: a 3/4 (clarity 3/4), b 1/4 (3/4), c 2/4 (1/2), d 4/4 (1).
    const decision = decide(byWorkers([
      labels(['a', 'b', 'd']),
      labels(['a', 'c', 'd']),
      labels(['a', 'c', 'd']),
      labels(['d']),
    ]));
    expect(decision.value).toEqual({ labels: ['a', 'd'] });
    expect(decision.details?.shares).toEqual({ a: 0.75, b: 0.25, c: 0.5, d: 1 });
    expect(decision.confidence).toBeCloseTo((0.75 + 0.75 + 0.5 + 1) / 4, 12);
  });

  it('declares its name and kinds', () => {
    expect(multiLabelVote.name).toBe('multi-label-vote');
    expect(multiLabelVote.kinds).toEqual(['multi-label']);
  });
});
