import { describe, expect, it } from 'vitest';
import {
  CalibrationAccumulator, expectedCalibrationError, lowConfidenceErrorShare, multiClassBrier, topLabelBrier, type Observation,
} from '../../../src/stats/calibration.js';

describe('calibration: expected calibration error (equal-mass bins)', () => {
  it('two bins by hand: |0.5 − 0.575|·2/4 + |1 − 0.85|·2/4 = 0.1125', () => {
    // sorted: 0.55 ✓, 0.6 ✗ | 0.8 ✓, 0.9 ✓
    expect(expectedCalibrationError([0.9, 0.6, 0.8, 0.55], [true, false, true, true], 2)).toBeCloseTo(0.1125, 12);
  });

  it('ten bins over 12 objects: sizes 2, 2, then eight of 1 (the larger bins first)', () => {
    // Added out of order; sorted confidences 0.50 … 0.61 with outcomes 1 0 | 1 1 | 0 | 1 | 1 | 0 | 1 | 1 | 1 | 1.
    // (|0.5 − 0.505|·2 + |1 − 0.525|·2 + 0.54 + 0.45 + 0.44 + 0.57 + 0.42 + 0.41 + 0.40 + 0.39) / 12 = 4.58 / 12
    const sorted = [[0.5, 1], [0.51, 0], [0.52, 1], [0.53, 1], [0.54, 0], [0.55, 1], [0.56, 1], [0.57, 0], [0.58, 1], [0.59, 1], [0.6, 1], [0.61, 1]] as const;
    const added = [...sorted.slice(6), ...sorted.slice(0, 6)].reverse();
    expect(expectedCalibrationError(added.map(([c]) => c), added.map(([, ok]) => ok))).toBeCloseTo(4.58 / 12, 12);
  });

  it('keeps equal confidences in the order they were added', () => {
    // bin 1 = the first two added (✗ ✓): |0.5 − 0.5| = 0; bin 2 (✓ ✓): |1 − 0.5|·2/4 = 0.25
    expect(expectedCalibrationError([0.5, 0.5, 0.5, 0.5], [false, true, true, true], 2)).toBeCloseTo(0.25, 12);
  });

  it('is 0 for perfectly calibrated bins and null without objects', () => {
    expect(expectedCalibrationError([0.5, 0.5, 1, 1], [true, false, true, true], 2)).toBe(0);
    expect(expectedCalibrationError([], [])).toBeNull();
  });
});

describe('calibration: Brier score', () => {
  it('multi-class: Σ_c (p_c − [c = gold])²', () => {
    const posterior = { a: 0.7, b: 0.2, c: 0.1 };
    expect(multiClassBrier(posterior, 'a')).toBeCloseTo(0.09 + 0.04 + 0.01, 12);
    expect(multiClassBrier(posterior, 'b')).toBeCloseTo(0.49 + 0.64 + 0.01, 12);
    expect(multiClassBrier(posterior, 'd')).toBeCloseTo(0.49 + 0.04 + 0.01 + 1, 12); // gold never given a probability
  });

  it('top-label: (confidence − [correct])²', () => {
    expect(topLabelBrier(0.7, true)).toBeCloseTo(0.09, 12);
    expect(topLabelBrier(0.7, false)).toBeCloseTo(0.49, 12);
  });
});

describe('calibration: share of errors among the least confident 10%', () => {
  it('takes ⌈10% · N⌉ objects: 2 of 11, holding 1 of the 4 errors', () => {
    const confidences = [0.9, 0.3, 0.95, 0.2, 0.8, 0.85, 0.7, 0.99, 0.6, 0.75, 0.65];
    const correct = [false, true, true, false, false, true, true, true, true, false, true];
    expect(lowConfidenceErrorShare(confidences, correct)).toBe(0.25);
  });

  it('is null without errors', () => {
    expect(lowConfidenceErrorShare([0.5, 0.9], [true, true])).toBeNull();
  });
});

describe('calibration: accumulator', () => {
  const observations: Observation[] = [
    { confidence: 0.7, correct: true, posterior: { a: 0.7, b: 0.3 }, gold: 'a' },
    { confidence: 0.6, correct: false, posterior: { a: 0.4, b: 0.6 }, gold: 'a' },
    { confidence: 0.9, correct: true, posterior: { a: 0.1, b: 0.9 }, gold: 'b' },
    { confidence: 1, correct: true, posterior: { a: 1, b: 0 }, gold: 'a' },
  ];
  const accumulate = (list: readonly Observation[]) => {
    const accumulator = new CalibrationAccumulator();
    for (const observation of list) accumulator.add(observation);
    return accumulator;
  };

  it('reports accuracy, ECE, multi-class Brier and the low-confidence error share', () => {
    const result = accumulate(observations).result();
    expect(result).toMatchObject({ objects: 4, correct: 3, accuracy: 0.75, brierBasis: 'posterior', lowConfidenceErrorShare: 1 });
    // Brier: (0.09 + 0.09) + (0.36 + 0.36) + (0.01 + 0.01) + 0 over 4 = 0.23
    expect(result.brier).toBeCloseTo(0.23, 12);
    // one object a bin: (0.6 + 0.3 + 0.1 + 0) / 4
    expect(result.ece).toBeCloseTo(0.25, 12);
  });

  it('falls back to the top-label Brier score for all objects when one has no posterior', () => {
    const { posterior: _, gold: __, ...last } = observations[3]!;
    const result = accumulate([...observations.slice(0, 3), last]).result();
    expect(result.brierBasis).toBe('top-label');
    // (0.09 + 0.36 + 0.01 + 0) / 4
    expect(result.brier).toBeCloseTo(0.115, 12);
  });

  it('merging two halves gives the whole, and grows past its initial capacity', () => {
    const many = Array.from({ length: 700 }, (_, i) => observations[i % 4]!);
    const half = accumulate(many.slice(0, 300));
    half.merge(accumulate(many.slice(300)));
    const { brier, ...merged } = half.result();
    const { brier: wholeBrier, ...whole } = accumulate(many).result();
    expect(merged).toEqual(whole);
    expect(brier).toBeCloseTo(wholeBrier!, 12); // summed in another order

  });

  it('reports nulls when nothing was scored', () => {
    expect(new CalibrationAccumulator().result()).toEqual({
      objects: 0, correct: 0, accuracy: null, ece: null, brier: null, brierBasis: 'top-label', lowConfidenceErrorShare: null,
    });
  });
});
