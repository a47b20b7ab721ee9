import { describe, expect, it } from 'vitest';
import { ConfusionTally } from '../../../src/stats/confusion.js';

describe('confusion tally', () => {
  it('counts answers by consolidated label (rows) and label given (columns), labels sorted', () => {
    const tally = new ConfusionTally();
    tally.add('pos', ['pos', 'pos', 'neg']);
    tally.add('neg', ['neg', 'neutral']);
    expect(tally.result()).toEqual({ labels: ['neg', 'neutral', 'pos'], counts: [[1, 1, 0], [0, 0, 0], [1, 0, 2]], outside: 0 });
  });

  it('keeps the first maxLabels labels and counts the answers beyond them apart', () => {
    const tally = new ConfusionTally(2);
    tally.add('a', ['a', 'b', 'c']);
    tally.add('c', ['a']);
    expect(tally.result()).toEqual({ labels: ['a', 'b'], counts: [[1, 1], [0, 0]], outside: 2 });
  });
});
