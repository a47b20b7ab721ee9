/**
 * How far apart a numeric field's answers were, per object: a histogram of each object's range (largest answer minus
 * smallest) over a fixed number of equal bins from 0. Memory is those bins: the bin width is a power of two that
 * doubles (merging neighbouring bins) whenever a range falls past the last bin, so the bins end up the same whatever
 * order the objects came in: the narrowest power-of-two width whose `bins` bins hold the widest range.
 */
export const spreadBins = 20;
/** The narrowest width: ranges narrower than 2⁻³⁰ are 0 for the chart's purposes. */
const narrowestWidth = 2 ** -30;

export interface SpreadHistogramResult {
  measure: 'range';
  /** Objects with two or more numeric answers. */
  objects: number;
  /** Bin i counts the objects whose range is in [i·binWidth, (i + 1)·binWidth); trailing empty bins left out. */
  binWidth: number;
  counts: number[];
  /** Objects whose answers were all equal (range 0, in bin 0). */
  unanimous: number;
  meanRange: number;
}

export class SpreadHistogram {
  private readonly counts = new Array<number>(spreadBins).fill(0);
  private width = narrowestWidth;
  private objects = 0;
  private unanimous = 0;
  private rangeSum = 0;

  addObject(values: readonly number[]): void {
    if (values.length < 2) return;
    const range = Math.max(...values) - Math.min(...values);
    while (range >= spreadBins * this.width) this.widen();
    this.counts[Math.floor(range / this.width)]! += 1;
    this.objects += 1;
    if (range === 0) this.unanimous += 1;
    this.rangeSum += range;
  }

  result(): SpreadHistogramResult | undefined {
    if (this.objects === 0) return undefined;
    const used = this.counts.findLastIndex((count) => count > 0) + 1;
    return {
      measure: 'range', objects: this.objects, binWidth: this.width, counts: this.counts.slice(0, used),
      unanimous: this.unanimous, meanRange: this.rangeSum / this.objects,
    };
  }

  /** Doubles the bin width: bins 2i and 2i + 1 become bin i. */
  private widen(): void {
    for (let i = 0; i < spreadBins; i += 1) this.counts[i] = i < spreadBins / 2 ? this.counts[2 * i]! + this.counts[2 * i + 1]! : 0;
    this.width *= 2;
  }
}
