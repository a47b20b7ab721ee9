import { describe, expect, it } from 'vitest';
import { AlphaBootstrap } from '../../../src/stats/alpha-bootstrap.js';
import { AgreementAccumulator } from '../../../src/stats/agreement.js';

function bootstrapOf(objects: readonly (readonly string[])[], seed = 1, maxObjects?: number, maxDistinctValues?: number) {
  const bootstrap = new AlphaBootstrap(seed, 1000, maxObjects, maxDistinctValues);
  for (const answers of objects) bootstrap.addObject(answers);
  return bootstrap.interval();
}

// consolidation-algorithms.md §4.1: Krippendorff (2011), 4 observers × 12 units, one unit per row.
const krippendorff2011 = [
  ['1', '1', '1'], ['2', '2', '3', '2'], ['3', '3', '3', '3'], ['3', '3', '3', '3'], ['2', '2', '2', '2'], ['1', '2', '3', '4'],
  ['4', '4', '4', '4'], ['1', '1', '2', '1'], ['2', '2', '2', '2'], ['5', '5', '5'], ['1', '1'], ['3'],
];
const asLabels = (objects: readonly (readonly string[])[]) => objects.map((answers) => answers.map((answer) => `label ${answer}`));

describe('alpha bootstrap', () => {
  it('perfect agreement gives [1, 1]', () => {
    const objects = Array.from({ length: 30 }, (_, i) => Array<string>(3).fill(['cat', 'dog', 'bird'][i % 3]!));
    expect(bootstrapOf(objects)).toMatchObject({ kind: 'nominal', low: 1, high: 1, replicates: 1000, objects: 30, sampled: false });
  });

  it('brackets Krippendorff 2011\'s α: interval 0.849107 for the numbers, nominal 0.743421 for the same answers as labels', () => {
    const interval = bootstrapOf(krippendorff2011)!;
    expect(interval).toMatchObject({ kind: 'interval', objects: 11 });
    expect(interval.low).toBeLessThan(0.849107);
    expect(interval.high).toBeGreaterThan(0.849107);
    const nominal = bootstrapOf(asLabels(krippendorff2011))!;
    expect(nominal.kind).toBe('nominal');
    expect(nominal.low).toBeLessThan(0.743421);
    expect(nominal.high).toBeGreaterThan(0.743421);
    expect(nominal.high).toBeLessThanOrEqual(1);
  });

  it('centres on the point α for a large job', () => {
    const random = (() => { let s = 7; return () => ((s = (s * 16807) % 2147483647) / 2147483647); })();
    const objects = Array.from({ length: 2000 }, () => {
      const truth = Math.floor(random() * 3);
      return Array.from({ length: 3 }, () => String(random() < 0.8 ? truth : Math.floor(random() * 3)) + 'x');
    });
    const point = new AgreementAccumulator();
    for (const answers of objects) point.addObject(answers);
    const alpha = point.result().alpha.nominal!;
    const { low, high } = bootstrapOf(objects)!;
    expect(low).toBeLessThan(alpha);
    expect(high).toBeGreaterThan(alpha);
    expect(high - low).toBeLessThan(0.1);
  });

  it('is reproducible from its seed', () => {
    expect(bootstrapOf(krippendorff2011, 7)).toEqual(bootstrapOf(krippendorff2011, 7));
    expect(bootstrapOf(krippendorff2011, 7)).not.toEqual(bootstrapOf(krippendorff2011, 8));
  });

  it('keeps a seeded sample of at most maxObjects objects', () => {
    const objects = Array.from({ length: 500 }, (_, i) => [String(i % 5), String(i % 5), String((i + 1) % 5)]);
    const interval = bootstrapOf(objects, 3, 100)!;
    expect(interval).toMatchObject({ objects: 100, sampled: true });
    expect(bootstrapOf(objects, 3, 100)).toEqual(interval);
  });

  it('skips unpairable objects, and gives no interval without α', () => {
    expect(bootstrapOf([['a'], ['b']])).toBeUndefined();
    expect(bootstrapOf([['a', 'a'], ['a', 'a']])).toBeUndefined();
  });

  it('gives nominal α up past maxDistinctValues labels, as the point estimate does', () => {
    const objects = Array.from({ length: 20 }, (_, i) => [`l${i}`, `l${i}`]);
    expect(bootstrapOf(objects, 1, undefined, 10)).toBeUndefined();
  });
});
