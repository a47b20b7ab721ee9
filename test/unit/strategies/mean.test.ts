import { describe, expect, it } from 'vitest';
import { mean } from '../../../strategies/mean.js';
import { byWorkers, noRandom, num, numString } from './fixtures.js';

const decide = (values: number[], options: Record<string, unknown> = {}) =>
  mean.create(mean.options.parse(options)).decide(byWorkers(values.map(num)), noRandom);

describe('mean: value', () => {
  it('averages hand vectors', () => {
    expect(decide([1, 2, 3]).value).toBe(2);
    expect(decide([1, 2, 3, 4]).value).toBe(2.5);
    expect(decide([10, 20, 60]).value).toBe(30);
    expect(decide([-100, 100, 30]).value).toBe(10);
    expect(decide([7]).value).toBe(7);
    // (1 + 2 + 3 + 4 + 100) / 5 = 22: the mean is pulled by an outlier.
    expect(decide([1, 2, 3, 4, 100]).value).toBe(22);
  });

  it('averages numeric strings and numbers alike', () => {
    const answers = byWorkers([numString(4), num(5), numString(6)]);
    expect(mean.create(mean.options.parse({})).decide(answers, noRandom).value).toBe(5);
  });

  it('rounds to 2 decimals by default', () => {
    // 5 / 3 = 1.666…
    expect(decide([1, 2, 2]).value).toBe(1.67);
    // 1 / 3 = 0.333…
    expect(decide([0, 0, 1]).value).toBe(0.33);
    expect(decide([0.1, 0.2]).value).toBe(0.15);
  });

  it('rounds to the configured number of decimals', () => {
    expect(decide([1, 2, 2], { decimals: 0 }).value).toBe(2);
    expect(decide([1, 2, 2], { decimals: 1 }).value).toBe(1.7);
    expect(decide([1, 2, 2], { decimals: 4 }).value).toBe(1.6667);
    expect(decide([1, 1, 2], { decimals: 0 }).value).toBe(1);
    expect(decide([1, 2], { decimals: 0 }).value).toBe(2);
  });

  it('reports min, max and the population sd', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, population variance 4, sd 2.
    const decision = decide([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(decision.value).toBe(5);
    expect(decision.details).toEqual({ min: 2, max: 9, sd: 2 });
  });
});

describe('mean: confidence', () => {
  it('is 1 when every worker gave the same number, with or without a scale', () => {
    expect(decide([3, 3, 3]).confidence).toBe(1);
    expect(decide([3, 3, 3], { scale: [1, 5] }).confidence).toBe(1);
    expect(decide([42]).confidence).toBe(1);
  });

  it('without a scale is 1 / (1 + sd), sd the population standard deviation', () => {
    // [1, 3]: mean 2, sd 1 -> 1/2.
    expect(decide([1, 3]).confidence).toBeCloseTo(0.5, 12);
    // [2, 4, 4, 4, 5, 5, 7, 9]: sd 2 -> 1/3.
    expect(decide([2, 4, 4, 4, 5, 5, 7, 9]).confidence).toBeCloseTo(1 / 3, 12);
    // [1, 2, 3]: variance (1 + 0 + 1) / 3 = 2/3 (population, not the sample 1).
    expect(decide([1, 2, 3]).confidence).toBeCloseTo(1 / (1 + Math.sqrt(2 / 3)), 12);
  });

  it('with scale [min, max] is 1 - sd / ((max - min) / 2)', () => {
    // [1, 5]: sd 2, half-width 2 -> 0.
    expect(decide([1, 5], { scale: [1, 5] }).confidence).toBeCloseTo(0, 12);
    // [2, 4]: sd 1 -> 1 - 1/2.
    expect(decide([2, 4], { scale: [1, 5] }).confidence).toBeCloseTo(0.5, 12);
    // [40, 60] on [0, 100]: sd 10, half-width 50 -> 0.8.
    expect(decide([40, 60], { scale: [0, 100] }).confidence).toBeCloseTo(0.8, 12);
    // [1, 2, 3] on [1, 5]: 1 - sqrt(2/3) / 2.
    expect(decide([1, 2, 3], { scale: [1, 5] }).confidence).toBeCloseTo(1 - Math.sqrt(2 / 3) / 2, 12);
  });

  it('stays within [0, 1] when answers fall outside the scale', () => {
    // [0, 10] on [1, 5]: sd 5 > half-width 2.
    expect(decide([0, 10], { scale: [1, 5] }).confidence).toBe(0);
  });

  it('is not rounded with the value', () => {
    expect(decide([1, 2, 3], { decimals: 0 }).confidence).toBeCloseTo(1 / (1 + Math.sqrt(2 / 3)), 12);
  });
});

describe('mean: options', () => {
  it('defaults decimals to 2 and leaves scale unset', () => {
    expect(mean.options.parse({})).toEqual({ decimals: 2 });
  });

  it('accepts a valid scale', () => {
    expect(mean.options.parse({ scale: [1, 5] })).toEqual({ decimals: 2, scale: [1, 5] });
    expect(mean.options.parse({ scale: [-100, 100], decimals: 0 })).toEqual({ decimals: 0, scale: [-100, 100] });
  });

  it('rejects an invalid scale', () => {
    for (const scale of [[5, 1], [3, 3], [1], [1, 2, 3], ['1', '5'], 5, 'x', null]) {
      expect(mean.options.safeParse({ scale }).success, JSON.stringify(scale)).toBe(false);
    }
  });

  it('rejects invalid decimals', () => {
    for (const decimals of [-1, 1.5, 13, '2']) {
      expect(mean.options.safeParse({ decimals }).success, String(decimals)).toBe(false);
    }
  });

  it('rejects unknown keys', () => {
    expect(mean.options.safeParse({ decimal: 2 }).success).toBe(false);
    expect(mean.options.safeParse({ proportion: 0.2 }).success).toBe(false);
  });

  it('declares its name and kinds', () => {
    expect(mean.name).toBe('mean');
    expect(mean.kinds).toEqual(['numeric']);
  });
});
