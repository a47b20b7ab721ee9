import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, levenshtein } from '../../src/text/did-you-mean.js';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['Clarity', 'Clarty', 1],
    ['flaw', 'lawn', 2],
    ['same', 'same', 0],
  ])('%j → %j: %i edits', (a, b, edits) => {
    expect(levenshtein(a, b)).toBe(edits);
    expect(levenshtein(b, a)).toBe(edits);
  });
});

describe('editDistance', () => {
  it.each([
    ['scroe', 'score', 1],
    ['feilds', 'fields', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
    ['abc', 'ca', 3],
    ['', 'abc', 3],
  ])('%j → %j: %i edits, a swap of neighbours counting one', (a, b, edits) => {
    expect(editDistance(a, b)).toBe(edits);
    expect(editDistance(b, a)).toBe(edits);
  });
});

describe('didYouMean', () => {
  const dimensions = ['Clarity', 'Inclusivity', 'Helpfulness'];

  it('suggests the closest name for a typo or a wrong case', () => {
    expect(didYouMean('Clarty', dimensions)).toBe('Clarity');
    expect(didYouMean('clarity', dimensions)).toBe('Clarity');
    expect(didYouMean('Inclusivty', dimensions)).toBe('Inclusivity');
  });

  it('suggests nothing when no name is close', () => {
    expect(didYouMean('Safety', dimensions)).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('allows one edit even in short names, and prefers the nearer of two', () => {
    expect(didYouMean('ab', ['xyz', 'abc'])).toBe('abc');
    expect(didYouMean('tone', ['bone', 'tones', 'tone2'])).toBe('bone');
    expect(didYouMean('color', ['colour', 'colors', 'cooler'])).toBe('colour');
    expect(didYouMean('scroe', ['sentiment', 'score'])).toBe('score');
  });
});
