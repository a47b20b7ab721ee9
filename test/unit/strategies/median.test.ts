import { describe, expect, it } from 'vitest';
import { median } from '../../../strategies/median.js';
import { byWorkers, noRandom, num, numString } from './fixtures.js';

const decide = (values: number[], options: Record<string, unknown> = {}) =>
  median.create(median.options.parse(options)).decide(byWorkers(values.map(num)), noRandom);

describe('median: value', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(decide([3, 1, 2]).value).toBe(2);
    expect(decide([1, 100, 2]).value).toBe(2);
    expect(decide([5, 4, 1, 3, 2]).value).toBe(3);
    expect(decide([9]).value).toBe(9);
    expect(decide([-50, 70, -10]).value).toBe(-10);
  });

  it('of an even count is the mean of the two middle values (§4.3 convention)', () => {
    expect(decide([1, 2, 3, 4]).value).toBe(2.5);
    expect(decide([4, 1, 10, 3]).value).toBe(3.5);
    expect(decide([1, 2]).value).toBe(1.5);
    expect(decide([-5, -1]).value).toBe(-3);
    // The two middle values of [0, 10, 20, 1000] are 10 and 20.
    expect(decide([1000, 0, 20, 10]).value).toBe(15);
    expect(decide([-100, -20, 30, 100, 100, 90]).value).toBe(60);
  });

  it('is robust to one harsh or lenient worker', () => {
    expect(decide([4, 4, 5, 1]).value).toBe(4);
    expect(decide([4, 5, 4, 100, 5]).value).toBe(5);
  });

  it('treats numeric strings like numbers', () => {
    const answers = byWorkers([numString(10), num(2), numString(3)]);
    expect(median.create(median.options.parse({})).decide(answers, noRandom).value).toBe(3);
  });

  it('rounds the written value to `decimals` (default 2)', () => {
    // [0.111, 0.222]: middle mean 0.1665 -> 0.17.
    expect(decide([0.111, 0.222]).value).toBe(0.17);
    expect(decide([0.111, 0.222], { decimals: 3 }).value).toBe(0.167);
    expect(decide([1.24, 1.26, 3]).value).toBe(1.26);
    expect(decide([1.24, 1.26, 3], { decimals: 1 }).value).toBe(1.3);
    expect(decide([1, 4], { decimals: 0 }).value).toBe(3);
  });
});

describe('median: confidence (from the spread of all answers)', () => {
  it('is 1 when all answers are equal', () => {
    expect(decide([2, 2, 2, 2]).confidence).toBe(1);
    expect(decide([2, 2, 2, 2], { scale: [0, 10] }).confidence).toBe(1);
  });

  it('without a scale is 1 / (1 + population sd)', () => {
    // [1, 2, 3, 4]: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
    expect(decide([1, 2, 3, 4]).confidence).toBeCloseTo(1 / (1 + Math.sqrt(1.25)), 12);
  });

  it('with a scale is 1 - sd / half-width', () => {
    expect(decide([1, 5], { scale: [1, 5] }).confidence).toBeCloseTo(0, 12);
    expect(decide([1, 3, 3, 5], { scale: [1, 5] }).confidence).toBeCloseTo(1 - Math.sqrt(2) / 2, 12);
  });

  it('details carry min, max and sd', () => {
    expect(decide([1, 3]).details).toEqual({ min: 1, max: 3, sd: 1 });
  });
});

describe('median: options', () => {
  it('share the numeric defaults and validation', () => {
    expect(median.options.parse({})).toEqual({ decimals: 2 });
    expect(median.options.safeParse({ scale: [5, 1] }).success).toBe(false);
    expect(median.options.safeParse({ scale: [2, 2] }).success).toBe(false);
    expect(median.options.safeParse({ decimals: -1 }).success).toBe(false);
    expect(median.options.safeParse({ tie: 'lowest' }).success).toBe(false);
  });

  it('declares its name and kinds', () => {
    expect(median.name).toBe('median');
    expect(median.kinds).toEqual(['numeric']);
  });
});
