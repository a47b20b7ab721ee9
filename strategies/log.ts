/**
 * ln x, bit for bit what V8's `Math.log` returns, in JavaScript so that the optimising compiler inlines it (as `exp.ts`
 * does for e^x): `Math.log` is a call out of optimised code into C++, the largest single line of an E-step.
 *
 * fdlibm's `e_log.c` (Sun Microsystems, 1993) as V8 carries it in `src/base/ieee754.cc`: write x = 2^k·(1 + f) with
 * √2/2 < 1 + f < √2, then with s = f / (2 + f) (so ln(1 + f) = ln(1 + s) − ln(1 − s) = 2s + 2/3·s³ + …)
 *
 *   R = s²·(Lg1 + s⁴·(Lg3 + s⁴·(Lg5 + s⁴·Lg7))) + s⁴·(Lg2 + s⁴·(Lg4 + s⁴·Lg6))
 *   ln x = k·ln2HI − ((f²/2 − (s·(f²/2 + R) + k·ln2LO)) − f)     (or k·ln2HI − ((s·(f − R) − k·ln2LO) − f) near 1 + f = 1)
 *
 * with ln2 split in a high and a low part, and for |f| < 2^−20 the series f − f²/2 + f³/3. It reads and writes the
 * words of x as fdlibm does, through a DataView. `test/unit/strategies/log.test.ts` compares it with `Math.log`.
 */

const words = new DataView(new ArrayBuffer(8));

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

export function log(x: number): number {
  words.setFloat64(0, x);
  let high = words.getInt32(0);
  let k = 0;
  if (high < 0x00100000 || high >= 0x7ff00000) {
    // zero, negative, subnormal, infinite or NaN
    if (x === 0) return -Infinity;
    if (!(x > 0)) return Number.NaN;
    if (x === Infinity) return x;
    k = -54;
    words.setFloat64(0, x * twoTo54);
    high = words.getInt32(0);
  }
  k += (high >> 20) - 1023;
  high &= 0x000fffff;
  // the mantissa scaled into [√2/2, √2): halved (k + 1) when it is at least √2
  const halve = (high + 0x95f64) & 0x100000;
  words.setInt32(0, high | (halve ^ 0x3ff00000));
  k += halve >> 20;
  const f = words.getFloat64(0) - 1;
  if ((0x000fffff & (2 + high)) < 3) {
    // |f| < 2^−20
    if (f === 0) return k === 0 ? 0 : k * ln2Hi + k * ln2Lo;
    const series = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - series : k * ln2Hi - ((series - k * ln2Lo) - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const r = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7))) + w * (Lg2 + w * (Lg4 + w * Lg6));
  if (((high - 0x6147a) | (0x6b851 - high)) > 0) {
    // the mantissa of x in [1.38, 1.42], where |f| is largest: fdlibm's f²/2 form
    const halfSquare = 0.5 * f * f;
    return k === 0 ? f - (halfSquare - s * (halfSquare + r)) : k * ln2Hi - ((halfSquare - (s * (halfSquare + r) + k * ln2Lo)) - f);
  }
  return k === 0 ? f - s * (f - r) : k * ln2Hi - ((s * (f - r) - k * ln2Lo) - f);
}
