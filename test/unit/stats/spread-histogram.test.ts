import { describe, expect, it } from 'vitest';
import { SpreadHistogram, spreadBins } from '../../../src/stats/spread-histogram.js';

const histogramOf = (objects: readonly (readonly number[])[]) => {
  const histogram = new SpreadHistogram();
  for (const values of objects) histogram.addObject(values);
  return histogram.result();
};

describe('spread histogram', () => {
  it('bins each object\'s range, the narrowest power-of-two width holding the widest', () => {
    // Widest range 4: width 0.25 (20 bins reach 5; 0.125 would reach 2.5).
    expect(histogramOf([[1, 1, 1], [1, 2], [1, 5, 3], [2, 2], [7]])).toEqual({
      measure: 'range', objects: 4, binWidth: 0.25, counts: [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], unanimous: 2, meanRange: 1.25,
    });
  });

  it('gives the same bins whatever order the objects come in', () => {
    const objects = Array.from({ length: 200 }, (_, i) => [0, (i * 37) % 101 / 7]);
    const { meanRange, ...bins } = histogramOf(objects)!;
    const { meanRange: reversedMean, ...reversedBins } = histogramOf([...objects].reverse())!;
    expect(reversedBins).toEqual(bins);
    expect(reversedMean).toBeCloseTo(meanRange, 12);
    expect(histogramOf(objects)!.counts.length).toBeLessThanOrEqual(spreadBins);
  });

  it('has nothing to show without an object of two answers', () => {
    expect(histogramOf([[3], []])).toBeUndefined();
  });
});
