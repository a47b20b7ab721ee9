import { describe, expect, it } from 'vitest';
import { AgreementAccumulator, type AgreementState } from '../../../src/stats/agreement.js';
import { toyYsda } from '../strategies/fixtures.js';

/** Units from a coders × units matrix ("." = missing), one unit per column. */
function unitsOf(rows: readonly string[]): string[][] {
  const cells = rows.map((row) => row.trim().split(/\s+/));
  return cells[0]!.map((_, unit) => cells.map((row) => row[unit]!).filter((value) => value !== '.'));
}

function accumulate(units: readonly (readonly string[])[], maxDistinctValues?: number): AgreementAccumulator {
  const accumulator = new AgreementAccumulator(maxDistinctValues);
  for (const unit of units) accumulator.addObject(unit);
  return accumulator;
}

/** Fleiss' table form: per subject, how many raters chose each category (categories 1..K). */
function unitsOfCounts(table: readonly (readonly number[])[]): string[][] {
  return table.map((counts) => counts.flatMap((count, category) => Array<string>(count).fill(String(category + 1))));
}

// consolidation-algorithms.md §4.1: Krippendorff (2011), 4 observers × 12 units.
const krippendorff2011 = unitsOf([
  '1 2 3 3 2 1 4 1 2 . . .',
  '1 2 3 3 2 2 4 1 2 5 . 3',
  '. 3 3 3 2 3 4 2 2 5 1 .',
  '1 2 3 3 2 4 4 1 2 5 1 .',
]);

// §4.1: fast-krippendorff's test matrix, 3 coders × 15 units.
const fastKrippendorff = unitsOf([
  '. . . . . 3 4 1 2 1 1 3 3 . 3',
  '1 . 2 1 3 3 4 3 . . . . . . .',
  '. . 2 1 3 4 4 . 2 1 1 3 3 . 4',
]);

// §4.2: Fleiss (1971) psychiatric diagnoses, 30 subjects × 6 raters.
const diagnoses = [
  '4 4 4 4 4 4', '2 2 2 5 5 5', '2 3 3 3 3 5', '5 5 5 5 5 5', '2 2 2 4 4 4', '1 1 3 3 3 3',
  '3 3 3 3 5 5', '1 1 3 3 3 4', '1 1 4 4 4 4', '5 5 5 5 5 5', '1 4 4 4 4 4', '1 2 4 4 4 4',
  '2 2 2 3 3 3', '1 4 4 4 4 4', '2 2 4 4 4 5', '3 3 3 3 3 5', '1 1 1 4 5 5', '1 1 1 1 1 2',
  '2 2 4 4 4 4', '1 3 3 5 5 5', '5 5 5 5 5 5', '2 4 4 4 4 4', '2 2 4 5 5 5', '1 1 4 4 4 4',
  '1 4 4 4 4 5', '2 2 2 2 2 4', '1 1 1 1 5 5', '2 2 4 4 4 4', '1 3 3 3 3 3', '5 5 5 5 5 5',
].map((subject) => subject.split(' '));

// §4.2: the Wikipedia example, 10 subjects × 14 raters × 5 categories.
const wikipedia = unitsOfCounts([
  [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]);

const near = (actual: number | null, expected: number, digits = 6) => {
  expect(actual).not.toBeNull();
  expect(actual!).toBeCloseTo(expected, digits);
};

describe('agreement: Krippendorff\'s α (§4.1)', () => {
  it('Krippendorff 2011: nominal 0.743421, ordinal 0.815388, interval 0.849107', () => {
    const { alpha, objects, pairableObjects, pairableAnswers } = accumulate(krippendorff2011).result();
    near(alpha.nominal, 0.743421);
    near(alpha.ordinal, 0.815388);
    near(alpha.interval, 0.849107);
    // unit 12 has a single value: counted as an object, not pairable
    expect({ objects, pairableObjects, pairableAnswers }).toEqual({ objects: 12, pairableObjects: 11, pairableAnswers: 40 });
  });

  it('fast-krippendorff: nominal 0.691358, ordinal 0.806721, interval 0.810845', () => {
    const { alpha } = accumulate(fastKrippendorff).result();
    near(alpha.nominal, 0.691358);
    near(alpha.ordinal, 0.806721);
    near(alpha.interval, 0.810845);
  });

  it('string labels: nominal 0.722222; ordinal and interval need numbers', () => {
    const { alpha } = accumulate(unitsOf(['pos neg neu .', 'pos neg neu pos', 'pos neg pos pos'])).result();
    near(alpha.nominal, 0.722222);
    expect(alpha.ordinal).toBeNull();
    expect(alpha.interval).toBeNull();
  });

  it('crowd-kit: X(yes, yes), Y(no, no), Z(yes, no) → 0.444444; X, Y → 1; toy YSDA → 0.142191142191', () => {
    near(accumulate([['yes', 'yes'], ['no', 'no'], ['yes', 'no']]).result().alpha.nominal, 4 / 9, 9);
    expect(accumulate([['yes', 'yes'], ['no', 'no']]).result().alpha.nominal).toBe(1);
    near(accumulate(Object.values(toyYsda).map((task) => Object.values(task))).result().alpha.nominal, 0.14219114219114215, 12);
  });

  it('Fleiss 1971 diagnoses: nominal α 0.433410', () => {
    near(accumulate(diagnoses).result().alpha.nominal, 0.433410);
  });

  it('is null when there is only one value or no object with two answers', () => {
    expect(accumulate([['a', 'a'], ['a', 'a', 'a']]).result().alpha).toEqual({ nominal: null, ordinal: null, interval: null });
    expect(accumulate([['1'], ['2']]).result().alpha).toEqual({ nominal: null, ordinal: null, interval: null });
  });
});

describe('agreement: Fleiss\' κ (§4.2)', () => {
  it('Wikipedia example: 0.209931', () => {
    near(accumulate(wikipedia).result().fleissKappa, 0.209931);
  });

  it('Fleiss 1971 diagnoses: 0.4302445', () => {
    near(accumulate(diagnoses).result().fleissKappa, 0.4302445, 7);
  });

  it('is null when objects have different numbers of answers, or one each', () => {
    expect(accumulate(krippendorff2011).result().fleissKappa).toBeNull();
    expect(accumulate([['a'], ['b']]).result().fleissKappa).toBeNull();
  });
});

describe('agreement: merging and JSON', () => {
  const datasets = { krippendorff2011, fastKrippendorff, diagnoses, wikipedia };

  it.each(Object.entries(datasets))('%s: the two halves merged give the whole', (_, units) => {
    const middle = Math.floor(units.length / 2);
    const merged = accumulate(units.slice(0, middle));
    merged.merge(accumulate(units.slice(middle)));
    const whole = accumulate(units).result();
    const result = merged.result();
    expect({ ...result, alpha: undefined, fleissKappa: undefined }).toEqual({ ...whole, alpha: undefined, fleissKappa: undefined });
    for (const kind of ['nominal', 'ordinal', 'interval'] as const) {
      if (whole.alpha[kind] === null) expect(result.alpha[kind]).toBeNull();
      else near(result.alpha[kind], whole.alpha[kind]!, 12);
    }
    if (whole.fleissKappa === null) expect(result.fleissKappa).toBeNull();
    else near(result.fleissKappa, whole.fleissKappa, 12);
  });

  it('merges halves whose values were first seen in a different order, and an empty accumulator', () => {
    const merged = accumulate([['b', 'a'], ['c', 'c']]);
    merged.merge(accumulate([['a', 'a'], ['c', 'b']]));
    merged.merge(new AgreementAccumulator());
    expect(merged.result()).toEqual(accumulate([['b', 'a'], ['c', 'c'], ['a', 'a'], ['c', 'b']]).result());
  });

  it('round-trips through plain JSON, and the restored accumulator keeps accumulating', () => {
    const first = accumulate(diagnoses.slice(0, 10));
    const restored = AgreementAccumulator.fromJSON(JSON.parse(JSON.stringify(first)) as AgreementState);
    expect(restored.toJSON()).toEqual(first.toJSON());
    for (const unit of diagnoses.slice(10)) restored.addObject(unit);
    near(restored.result().fleissKappa, 0.4302445, 7);
  });
});

describe('agreement: bounded memory', () => {
  it('past maxDistinctValues drops nominal, ordinal and κ but keeps interval α exact', () => {
    const bounded = accumulate(krippendorff2011, 4);
    const { alpha, fleissKappa, pairableAnswers } = bounded.result();
    expect({ nominal: alpha.nominal, ordinal: alpha.ordinal, fleissKappa }).toEqual({ nominal: null, ordinal: null, fleissKappa: null });
    near(alpha.interval, 0.849107);
    expect(pairableAnswers).toBe(40);
    expect(bounded.toJSON()).toMatchObject({ values: null, coincidences: [] });
  });

  it('merging with a bounded-out accumulator drops the matrix too', () => {
    const merged = accumulate(diagnoses);
    merged.merge(accumulate(krippendorff2011, 2));
    expect(merged.result().alpha.nominal).toBeNull();
    expect(merged.result().alpha.interval).not.toBeNull();
  });

  it('grows its matrix past the initial size for many distinct values', () => {
    const units = Array.from({ length: 40 }, (_, u) => [String(u), String(u), String(u + 1)]);
    const { alpha } = accumulate(units).result();
    expect(alpha.nominal).not.toBeNull();
    const merged = accumulate(units.slice(0, 13));
    merged.merge(accumulate(units.slice(13)));
    near(merged.result().alpha.ordinal, alpha.ordinal!, 12);
  });
});
