/**
 * Does confidence mean what it says? Scores a field's decisions against gold: accuracy, expected calibration error,
 * Brier score, and how many of the errors a review of the least confident objects would catch.
 *
 * - accuracy = correct / objects scored (an unresolved object is scored as wrong, with its confidence).
 * - ECE (Naeini et al., AAAI 2015; "equal-mass" = adaptive binning): objects sorted by top-label confidence ascending
 *   (ties keep the order they were added in, so the result is deterministic) and cut into 10 contiguous bins whose sizes
 *   differ by at most one, the larger bins first (numpy's `array_split`);
 *   ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|. Empty bins (N < 10) are skipped.
 * - Brier score (Brier 1950), mean over objects, on one of two bases reported as `brierBasis`:
 *   `posterior` when every object came with its posterior over labels: Σ_c (p_c − [c = gold])², in [0, 2];
 *   otherwise `top-label` for all: (confidence − [correct])², in [0, 1] (one-vs-rest on the chosen label).
 *   The two are not comparable (for two labels the first is exactly twice the second); they are never mixed.
 * - lowConfidenceErrorShare: of all errors, the share among the ⌈10% · N⌉ least confident objects (same order as ECE);
 *   a random 10% would hold 10% of them.
 *
 * The accumulator keeps one confidence and one bit per scored object (equal-mass bins need them all): 9 bytes an object.
 */

export const calibrationBins = 10;
export const reviewShare = 0.1;

/** One decided object scored against gold. */
export interface Observation {
  /** Confidence of the chosen label, in [0, 1]. */
  confidence: number;
  correct: boolean;
  /** The probability of every label (e.g. `details.posterior`), for the multi-class Brier score. */
  posterior?: Readonly<Record<string, number>>;
  /** The gold label, required with `posterior`. */
  gold?: string;
}

export interface CalibrationResult {
  objects: number;
  correct: number;
  accuracy: number | null;
  ece: number | null;
  brier: number | null;
  brierBasis: 'posterior' | 'top-label';
  lowConfidenceErrorShare: number | null;
}

/** Σ_c (p_c − [c = gold])²; a gold label missing from `posterior` has probability 0. */
export function multiClassBrier(posterior: Readonly<Record<string, number>>, gold: string): number {
  let sum = 0;
  for (const [label, p] of Object.entries(posterior)) sum += (p - (label === gold ? 1 : 0)) ** 2;
  return gold in posterior ? sum : sum + 1;
}

export const topLabelBrier = (confidence: number, correct: boolean): number => (confidence - (correct ? 1 : 0)) ** 2;

/** Indices sorted by confidence ascending; equal confidences keep their index order. */
function byConfidence(confidences: ArrayLike<number>): number[] {
  return Array.from({ length: confidences.length }, (_, i) => i).sort((a, b) => confidences[a]! - confidences[b]! || a - b);
}

/** ECE over `bins` equal-mass bins of top-label confidence (see the header); null without objects. */
export function expectedCalibrationError(confidences: ArrayLike<number>, correct: ArrayLike<boolean | number>, bins = calibrationBins): number | null {
  const n = confidences.length;
  if (n === 0) return null;
  const order = byConfidence(confidences);
  let ece = 0;
  let start = 0;
  for (let b = 0; b < bins; b += 1) {
    const size = Math.floor(n / bins) + (b < n % bins ? 1 : 0);
    if (size === 0) continue;
    let confidence = 0;
    let hits = 0;
    for (const i of order.slice(start, start + size)) {
      confidence += confidences[i]!;
      hits += Number(correct[i]!);
    }
    ece += Math.abs(hits - confidence) / n;
    start += size;
  }
  return ece;
}

/** Of all errors, the share among the ⌈share · N⌉ least confident objects; null when there is no error. */
export function lowConfidenceErrorShare(confidences: ArrayLike<number>, correct: ArrayLike<boolean | number>, share = reviewShare): number | null {
  const order = byConfidence(confidences);
  const errors = order.filter((i) => !correct[i]).length;
  if (errors === 0) return null;
  const reviewed = order.slice(0, Math.ceil(share * order.length)).filter((i) => !correct[i]).length;
  return reviewed / errors;
}

/** Scores objects one at a time; `merge` adds another accumulator's objects after this one's. */
export class CalibrationAccumulator {
  private confidences = new Float64Array(256);
  private hits = new Uint8Array(256);
  private count = 0;
  private correct = 0;
  private topLabelBrierSum = 0;
  private posteriorBrierSum = 0;
  private withPosterior = 0;

  add({ confidence, correct, posterior, gold }: Observation): void {
    if (posterior && gold === undefined) throw new Error('a posterior needs its gold label');
    if (this.count === this.confidences.length) this.grow(this.count * 2);
    this.confidences[this.count] = confidence;
    this.hits[this.count] = correct ? 1 : 0;
    this.count += 1;
    this.correct += correct ? 1 : 0;
    this.topLabelBrierSum += topLabelBrier(confidence, correct);
    if (posterior) {
      this.posteriorBrierSum += multiClassBrier(posterior, gold!);
      this.withPosterior += 1;
    }
  }

  merge(other: CalibrationAccumulator): void {
    this.grow(this.count + other.count);
    this.confidences.set(other.confidences.subarray(0, other.count), this.count);
    this.hits.set(other.hits.subarray(0, other.count), this.count);
    this.count += other.count;
    this.correct += other.correct;
    this.topLabelBrierSum += other.topLabelBrierSum;
    this.posteriorBrierSum += other.posteriorBrierSum;
    this.withPosterior += other.withPosterior;
  }

  result(): CalibrationResult {
    const n = this.count;
    const confidences = this.confidences.subarray(0, n);
    const hits = this.hits.subarray(0, n);
    const brierBasis = n > 0 && this.withPosterior === n ? 'posterior' : 'top-label';
    return {
      objects: n,
      correct: this.correct,
      accuracy: n ? this.correct / n : null,
      ece: expectedCalibrationError(confidences, hits),
      brier: n ? (brierBasis === 'posterior' ? this.posteriorBrierSum : this.topLabelBrierSum) / n : null,
      brierBasis,
      lowConfidenceErrorShare: lowConfidenceErrorShare(confidences, hits),
    };
  }

  private grow(capacity: number): void {
    if (capacity <= this.confidences.length) return;
    const confidences = new Float64Array(capacity);
    confidences.set(this.confidences);
    const hits = new Uint8Array(capacity);
    hits.set(this.hits);
    this.confidences = confidences;
    this.hits = hits;
  }
}
