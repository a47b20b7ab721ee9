import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { exp } from '../../../strategies/exp.js';

/** The doubles whose e^x must equal Math.exp's bit for bit, from the same seeded draws each run. */
function* samples(count: number): Generator<number> {
  const random = seededRandom(7);
  const bits = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < count; i += 1) {
    bits.setUint32(0, Math.floor(random() * 2 ** 32));
    bits.setUint32(4, Math.floor(random() * 2 ** 32));
    yield bits.getFloat64(0); // any double, most far out of range
    yield (random() - 0.5) * 1500; // overflow to underflow, and subnormal results
    yield -random() * 60; // what the E-step passes: L − max ≤ 0
    yield (random() - 0.5) * 3; // around the reduction thresholds ln2/2 and 1.5·ln2
  }
  // each power of two k on both sides of k·ln2, where the reduction changes k
  for (let k = -1080; k <= 1025; k += 1) for (const offset of [-0.5, -1e-9, 0, 1e-9, 0.5]) yield k * Math.LN2 + offset;
}

describe('exp', () => {
  it('returns what Math.exp returns, bit for bit', () => {
    const differing: number[] = [];
    for (const x of samples(250_000)) if (!Object.is(exp(x), Math.exp(x))) differing.push(x);
    expect(differing).toEqual([]);
  });

  it('keeps the special values and fdlibm\'s special case for exp(1)', () => {
    const special = [0, -0, 1, -1, 5e-324, -5e-324, 2 ** -28, -(2 ** -29), 709.782712893384, 709.7827128933841,
      -745.1332191019411, -745.1332191019412, Infinity, -Infinity, Number.NaN];
    expect(special.filter((x) => !Object.is(exp(x), Math.exp(x)))).toEqual([]);
    expect(exp(1)).toBe(Math.E);
  });
});
