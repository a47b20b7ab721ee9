import { describe, expect, it } from 'vitest';
import { trimmedMean } from '../../../strategies/trimmed-mean.js';
import { byWorkers, noRandom, num } from './fixtures.js';

const decide = (values: number[], options: Record<string, unknown> = {}) =>
  trimmedMean.create(trimmedMean.options.parse(options)).decide(byWorkers(values.map(num)), noRandom);

describe('trimmed-mean: value', () => {
  it('with the default proportion 0.2 drops one at each end of 5 answers', () => {
    // floor(5 * 0.2) = 1: drop 1 and 100, mean of [2, 3, 4] = 3.
    const decision = decide([100, 3, 1, 4, 2]);
    expect(decision.value).toBe(3);
    expect(decision.details?.trimmed).toBe(2);
  });

  it('drops none of 4 answers, or of 3', () => {
    // floor(4 * 0.2) = 0: plain mean (1 + 2 + 3 + 100) / 4 = 26.5.
    const four = decide([1, 2, 3, 100]);
    expect(four.value).toBe(26.5);
    expect(four.details?.trimmed).toBe(0);
    const three = decide([1, 2, 9]);
    expect(three.value).toBe(4);
    expect(three.details?.trimmed).toBe(0);
  });

  it('drops two at each end of 10 answers', () => {
    // floor(10 * 0.2) = 2: drop -1000, 2 and 9, 1000; keep [3 .. 8], mean 5.5.
    const decision = decide([1000, -1000, 9, 2, 8, 3, 7, 4, 6, 5]);
    expect(decision.value).toBe(5.5);
    expect(decision.details?.trimmed).toBe(4);
  });

  it('follows a configured proportion', () => {
    // 0.25 of 4 = 1 each end: [1, 2, 3, 100] -> mean(2, 3).
    expect(decide([1, 2, 3, 100], { proportion: 0.25 }).value).toBe(2.5);
    // 0 trims nothing.
    const none = decide([1, 2, 3, 4, 100], { proportion: 0 });
    expect(none.value).toBe(22);
    expect(none.details?.trimmed).toBe(0);
    // 0.4 of 5 = 2 each end: only the median is left.
    expect(decide([50, 1, 2, 3, 40], { proportion: 0.4 }).value).toBe(3);
  });

  it('rounds to `decimals` (default 2)', () => {
    // Trim 0 and 100, mean of [1, 1, 2] = 4/3.
    expect(decide([0, 1, 1, 2, 100]).value).toBe(1.33);
    expect(decide([0, 1, 1, 2, 100], { decimals: 0 }).value).toBe(1);
    expect(decide([0, 1, 1, 2, 100], { decimals: 3 }).value).toBe(1.333);
  });
});

describe('trimmed-mean: confidence', () => {
  it('is 1 when all answers are equal', () => {
    expect(decide([4, 4, 4, 4, 4]).confidence).toBe(1);
  });

  it('is computed on all answers, so a trimmed outlier still lowers it', () => {
    // [1, 2, 3, 4, 5]: trimmed mean 3; population sd over all five = sqrt(2).
    const decision = decide([1, 2, 3, 4, 5]);
    expect(decision.value).toBe(3);
    expect(decision.confidence).toBeCloseTo(1 / (1 + Math.SQRT2), 12);
    expect(decision.details).toEqual({ min: 1, max: 5, sd: Math.SQRT2, trimmed: 2 });
    // Same kept values as [3, 3, 3] but an outlier at each end: confidence below 1.
    expect(decide([0, 3, 3, 3, 6]).value).toBe(3);
    expect(decide([0, 3, 3, 3, 6]).confidence).toBeLessThan(1);
  });

  it('with a scale uses 1 - sd / half-width', () => {
    // [1, 1, 5, 5] on [1, 5]: sd 2 -> 0.
    expect(decide([1, 1, 5, 5], { scale: [1, 5] }).confidence).toBeCloseTo(0, 12);
    // [1, 2, 3, 4, 5] on [1, 5]: 1 - sqrt(2) / 2.
    expect(decide([1, 2, 3, 4, 5], { scale: [1, 5] }).confidence).toBeCloseTo(1 - Math.SQRT2 / 2, 12);
  });
});

describe('trimmed-mean: options', () => {
  it('defaults proportion to 0.2 and decimals to 2', () => {
    expect(trimmedMean.options.parse({})).toEqual({ decimals: 2, proportion: 0.2 });
  });

  it('rejects a proportion outside [0, 0.5)', () => {
    for (const proportion of [-0.1, 0.5, 0.7, 1, '0.2']) {
      expect(trimmedMean.options.safeParse({ proportion }).success, String(proportion)).toBe(false);
    }
  });

  it('rejects an invalid scale and unknown keys', () => {
    expect(trimmedMean.options.safeParse({ scale: [5, 1] }).success).toBe(false);
    expect(trimmedMean.options.safeParse({ scale: [1] }).success).toBe(false);
    expect(trimmedMean.options.safeParse({ trim: 0.2 }).success).toBe(false);
  });

  it('declares its name and kinds', () => {
    expect(trimmedMean.name).toBe('trimmed-mean');
    expect(trimmedMean.kinds).toEqual(['numeric']);
  });
});
