/**
 * ln x, bit for bit what V8's `Math.log` returns, in JavaScript so that the optimising compiler inlines it (as `exp.ts`
 * does for e^x): `Math.log` is a call out of optimised code into C++, the largest single line of an E-step.
 *
 * fdlibm's `e_log.c` (Sun Microsystems, 1993) as V8 carries it in `src/base/ieee754.cc`: write x = 2^k·(1 + f) with
 * √2/2 < 1 + f < √2, then with s = f / (2 + f) (so ln(1 + f) = ln(1 + s) − ln(1 − s) = 2s + 2/3·s³ + …)
 *
 *   R = s²·(Lg1 + s⁴·(Lg3 + s⁴·(Lg5 + s⁴·Lg7))) + s⁴·(Lg2 + s⁴·(Lg4 + s⁴·Lg6))
 *   ln x = k·ln2HI − ((s·(f − R) − k·ln2LO) − f),   or where |f| is largest  k·ln2HI − ((f²/2 − (s·(f²/2 + R) + k·ln2LO)) − f)
 *
 * with ln2 split in a high and a low part (k·ln2HI is exact), and for |f| < 2^−20 the series f − f²/2 + f³/3. It reads
 * x's high word as fdlibm does, through a Float64Array and an Int32Array on the same bytes.
 * `test/unit/strategies/log.test.ts` compares it with `Math.log`.
 */

/** x's words: `float[0] = x`, then `words[highAt]` is fdlibm's high word (sign, exponent, 20 bits of mantissa). */
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);
const highAt = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

const ln2Hi = 6.93147180369123816490e-01;
const ln2Lo = 1.90821492927058770002e-10;
const twoTo54 = 1.80143985094819840000e+16;
const Lg1 = 6.666666666666735130e-01;
const Lg2 = 3.999999999940941908e-01;
const Lg3 = 2.857142874366239149e-01;
const Lg4 = 2.222219843214978396e-01;
const Lg5 = 1.818357216161805012e-01;
const Lg6 = 1.531383769920937332e-01;
const Lg7 = 1.479819860511658591e-01;

/** 2^−k for k in [−1022, 1024], at k + 1022: exact scalings of a normal double into [0.5, 2). */
const inversePowersOfTwo = Float64Array.from({ length: 2047 }, (_, at) => 2 ** (1022 - at));

export function log(x: number): number {
  float[0] = x;
  const high = words[highAt]!;
  return high >= 0x00100000 && high < 0x7ff00000 ? logNormal(x, high, 0) : logOutsideNormal(x);
}

/** Zero, negatives, subnormals (scaled by 2^54 into the normal range), infinities and NaN. */
function logOutsideNormal(x: number): number {
  if (x === 0) return -Infinity;
  if (!(x > 0)) return Number.NaN;
  if (x === Infinity) return x;
  float[0] = x * twoTo54;
  return logNormal(float[0]!, words[highAt]!, -54);
}

/**
 * ln(2^scaled · x) for a normal x whose high word is `high`. fdlibm sets the exponent bits of x to scale it into
 * [√2/2, √2); multiplying by that power of two is the same double without writing x's bytes. fdlibm's shortcuts for
 * k = 0 are left out: with k = 0 the general form returns the same double (0 − (a − f) is f − a exactly).
 */
function logNormal(x: number, high: number, scaled: number): number {
  const mantissa = high & 0x000fffff;
  // halved (k + 1) when the mantissa is at least √2
  const k = (high >> 20) - 1023 + (((mantissa + 0x95f64) & 0x100000) >> 20);
  const f = x * inversePowersOfTwo[k + 1022]! - 1;
  if ((0x000fffff & (2 + mantissa)) < 3) return logNearOne(f, k + scaled);
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6));
  const kLn2Hi = (k + scaled) * ln2Hi;
  const kLn2Lo = (k + scaled) * ln2Lo;
  if (((mantissa - 0x6147a) | (0x6b851 - mantissa)) > 0) {
    // the mantissa of x in [1.38, 1.42], where |f| is largest: fdlibm's f²/2 form
    const halfSquare = 0.5 * f * f;
    return kLn2Hi - ((halfSquare - (s * (halfSquare + r) + kLn2Lo)) - f);
  }
  return kLn2Hi - ((s * (f - r) - kLn2Lo) - f);
}

/** ln(2^k · (1 + f)) for |f| < 2^−20: the series f − f²/2 + f³/3. */
function logNearOne(f: number, k: number): number {
  if (f === 0) return k * ln2Hi + k * ln2Lo;
  return k * ln2Hi - ((f * f * (0.5 - 0.33333333333333333 * f) - k * ln2Lo) - f);
}
