/**
 * e^x, bit for bit what V8's `Math.exp` returns, in JavaScript so that the optimising compiler inlines it: `Math.exp`
 * is a call out of optimised code into C++ (about 9 ns here), the largest single cost of an E-step.
 *
 * fdlibm's `e_exp.c` (Sun Microsystems, 1993) as V8 carries it in `src/base/ieee754.cc`, with its special case for
 * exp(1): reduce x = k·ln2 + r with |r| ≤ ln2/2 (ln2 split in a high and a low part, so k·ln2HI is exact), approximate
 *
 *   c = r − r²·(P1 + r²·(P2 + r²·(P3 + r²·(P4 + r²·P5)))),   e^r = 1 − ((lo − r·c / (2 − c)) − hi)
 *
 * and scale by 2^k. fdlibm reads the high word of x to choose a branch; here each of those word thresholds is the
 * double it starts, which orders the same way. `test/unit/strategies/exp.test.ts` compares it with `Math.exp`.
 */

const double = new DataView(new ArrayBuffer(8));

/** The smallest double whose high word is `highWord` (low word 0). */
function fromHighWord(highWord: number): number {
  double.setUint32(0, highWord);
  double.setUint32(4, 0);
  return double.getFloat64(0);
}

/** |x| ≥ 709.78…: overflow, underflow, infinities and NaN are decided by the thresholds below. */
const outOfRange = fromHighWord(0x40862e42);
/** |x| > ln2/2: x needs reducing. */
const halfLn2 = fromHighWord(0x3fd62e43);
/** |x| < 1.5·ln2: k = ±1. */
const oneAndHalfLn2 = fromHighWord(0x3ff0a2b2);
/** |x| < 2^−28: e^x rounds to 1 + x. */
const tiny = fromHighWord(0x3e300000);

const overflowThreshold = 7.09782712893383973096e+02;
const underflowThreshold = -7.45133219101941108420e+02;
const ln2Hi = 6.93147180369123816490e-01;
const ln2Lo = 1.90821492927058770002e-10;
const invLn2 = 1.44269504088896338700e+00;
const P1 = 1.66666666666666019037e-01;
const P2 = -2.77777777770155933842e-03;
const P3 = 6.61375632143793436117e-05;
const P4 = -1.65339022054652515390e-06;
const P5 = 4.13813679705723846039e-08;
const twoToMinus1000 = 9.33263618503218878990e-302;
const twoTo1023 = 8.988465674311579539e307;

/** 2^k for k in [−1021, 1023], at k + 1021: the exact powers fdlibm builds from bits. */
const powersOfTwo = Float64Array.from({ length: 2045 }, (_, at) => 2 ** (at - 1021));

export function exp(x: number): number {
  const size = Math.abs(x);
  if (size >= outOfRange) {
    if (x !== x) return x + x;
    if (size === Infinity) return x > 0 ? x : 0;
    if (x > overflowThreshold) return Infinity;
    if (x < underflowThreshold) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (size >= halfLn2) {
    if (x === 1) return Math.E;
    if (size < oneAndHalfLn2) k = x < 0 ? -1 : 1;
    else k = (invLn2 * x + (x < 0 ? -0.5 : 0.5)) | 0;
    hi = x - k * ln2Hi;
    lo = k * ln2Lo;
    x = hi - lo;
  } else if (size < tiny) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - ((lo - (x * c) / (2 - c)) - hi);
  if (k >= -1021) return k === 1024 ? y * 2 * twoTo1023 : y * powersOfTwo[k + 1021]!;
  return y * powersOfTwo[k + 1000 + 1021]! * twoToMinus1000;
}
