import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { log } from '../../../strategies/log.js';

/** The doubles whose ln x must equal Math.log's bit for bit, from the same seeded draws each run. */
function* samples(count: number): Generator<number> {
  const random = seededRandom(11);
  const bits = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < count; i += 1) {
    bits.setUint32(0, Math.floor(random() * 2 ** 32));
    bits.setUint32(4, Math.floor(random() * 2 ** 32));
    yield Math.abs(bits.getFloat64(0)); // any positive double, subnormals and every exponent included
    yield 1 + random() * 3; // what the E-step passes: a sum of k ≤ 4 exponentials, the largest 1
    yield 1 + (random() - 0.5) * 2 ** -18; // around 1, where |f| < 2^−20 takes the series
    yield random(); // the M-step's probabilities
    yield random() * 2 ** -1022; // subnormals
  }
  // each branch's edge of fdlibm's high-word tests, every exponent: the halving at √2, the f²/2 form, |f| < 2^−20
  for (const mantissa of [0x6a09d, 0x6a09e, 0x6147a, 0x6147b, 0x6b851, 0x6b852, 0xffffd, 0xffffe, 0, 1, 2]) {
    for (let exponent = 1; exponent < 0x7ff; exponent += 1) {
      bits.setUint32(0, (exponent << 20) | mantissa);
      bits.setUint32(4, Math.floor(random() * 2 ** 32));
      yield bits.getFloat64(0);
    }
  }
  // on both sides of each power of two and of √2·2^k, where the mantissa is halved
  for (let k = -1074; k <= 1023; k += 1) {
    for (const base of [2 ** k, Math.SQRT2 * 2 ** k]) {
      for (const scale of [1 - 2 ** -52, 1 - 2 ** -30, 1 - 2 ** -20, 1, 1 + 2 ** -52, 1 + 2 ** -30, 1 + 2 ** -20]) yield base * scale;
    }
  }
}

describe('log', () => {
  it('returns what Math.log returns, bit for bit', () => {
    const differing: number[] = [];
    for (const x of samples(200_000)) if (!Object.is(log(x), Math.log(x))) differing.push(x);
    expect(differing).toEqual([]);
  });

  it('keeps the special values', () => {
    const special = [0, -0, 1, -1, -5e-324, -Number.MAX_VALUE, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
      Number.MAX_VALUE, Math.E, 2, 0.5, Infinity, -Infinity, Number.NaN];
    expect(special.filter((x) => !Object.is(log(x), Math.log(x)))).toEqual([]);
    expect([log(0), log(-0), log(1), log(Infinity)]).toEqual([-Infinity, -Infinity, 0, Infinity]);
    expect([log(-1), log(-Infinity), log(Number.NaN)]).toEqual([Number.NaN, Number.NaN, Number.NaN]);
  });
});
