/**
 * Inter-annotator agreement of one field, accumulated in one streaming pass: Krippendorff's α (nominal; ordinal and
 * interval when every value is a number) and Fleiss' κ (only when every object has the same number of answers).
 *
 * Hand-written because no usable npm package exists: the one candidate takes a dense raters × items matrix, which a job
 * of many workers each answering a few objects cannot afford, and it cannot be merged across shards.
 *
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": an object with m ≥ 2 answers, m_c of them value c,
 * adds m_c·m_k / (m − 1) to the coincidence o[c,k] (c ≠ k) and m_c·(m_c − 1) / (m − 1) to o[c,c]; objects with one
 * answer are unpairable and skipped. With n_c = Σ_k o[c,k] and n = Σ_c n_c,
 *
 *   α = 1 − (n − 1) · Σ_{c,k} o[c,k]·δ²(c,k) / Σ_{c,k} n_c·n_k·δ²(c,k)
 *   nominal   δ² = [c ≠ k]                      → α = 1 − (n − 1)(n − Σ_c o[c,c]) / (n² − Σ_c n_c²)
 *   ordinal   δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)²   over the values in numeric order
 *   interval  δ² = (c − k)²                      → α = 1 − (n − 1)·W / (n·SS), with W = Σ_objects m·SS_object / (m − 1)
 *             (SS = sum of squared deviations from the mean: over all pairable values, and within one object)
 *
 * Fleiss (1971), "Measuring nominal scale agreement among many raters": with N objects of m answers each,
 * P̄ = Σ_c o[c,c] / n (the mean per-object agreement), p_c = n_c / n, κ = (P̄ − Σ p_c²) / (1 − Σ p_c²). It is reported
 * only when every object (answered at all) has the same m ≥ 2; otherwise null.
 *
 * Cost: O(m + d²) per object of m answers with d distinct values; memory O(V²) for V distinct values (the coincidence
 * matrix), plus four numbers for interval α. V is bounded by `maxDistinctValues` (256 by default: enough for any
 * category set or integer scale); past it the matrix is dropped and nominal and ordinal α and κ are reported as null
 * while interval α, which needs only its sums, stays exact. Accumulators merge (`merge`: the sums of two halves of a
 * job equal the whole's) and round-trip through plain JSON (`toJSON` / `fromJSON`), for the sharded mode.
 */

export const defaultMaxDistinctValues = 256;

export interface AlphaResult {
  nominal: number | null;
  /** Null unless every value is a number. */
  ordinal: number | null;
  interval: number | null;
}

export interface AgreementResult {
  /** Objects added (with at least one answer). */
  objects: number;
  /** Objects with at least two answers: the ones α counts. */
  pairableObjects: number;
  /** n: answers on pairable objects. */
  pairableAnswers: number;
  alpha: AlphaResult;
  /** Null unless every object has the same number (≥ 2) of answers. */
  fleissKappa: number | null;
}

/** Interval α's sums over pairable answers, valid while every value is a number. */
interface IntervalSums {
  count: number;
  mean: number;
  /** Σ (v − mean)² */
  squares: number;
  /** W = Σ_objects m·SS_object / (m − 1) */
  within: number;
}

/** The plain-JSON form of an accumulator. */
export interface AgreementState {
  maxDistinctValues: number;
  objects: number;
  pairableObjects: number;
  pairableAnswers: number;
  /** The common number of answers per object; `mixed` once two objects differ; null before any object. */
  answersPerObject: number | 'mixed' | null;
  /** Null once more than `maxDistinctValues` distinct values were seen. */
  values: string[] | null;
  /** The coincidence matrix, upper triangle with the diagonal: [c, k, o[c,k]] with c ≤ k, indices into `values`. */
  coincidences: Array<[number, number, number]>;
  interval: IntervalSums | null;
}

const isNumber = (value: string) => value.trim() !== '' && Number.isFinite(Number(value));

export class AgreementAccumulator {
  private objects = 0;
  private pairableObjects = 0;
  private pairableAnswers = 0;
  private answersPerObject: number | 'mixed' | null = null;
  private index: Map<string, number> | null = new Map();
  /** Row-major, `stride` × `stride`, symmetric. */
  private coincidences = new Float64Array(0);
  private stride = 0;
  private interval: IntervalSums | null = { count: 0, mean: 0, squares: 0, within: 0 };

  constructor(private readonly maxDistinctValues = defaultMaxDistinctValues) {}

  /** Adds one object's answers, each as its vote key (equal answers must give equal strings). */
  addObject(answers: Iterable<string>): void {
    const counts = new Map<string, number>();
    let m = 0;
    for (const answer of answers) {
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
      m += 1;
    }
    if (m === 0) return;
    this.objects += 1;
    this.answersPerObject = commonCount(this.answersPerObject, m);
    if (m < 2) return;
    this.pairableObjects += 1;
    this.pairableAnswers += m;
    this.addCoincidences(counts, m);
    this.addIntervalSums(counts, m);
  }

  /** Adds `other`'s objects to this one. */
  merge(other: AgreementAccumulator): void {
    this.objects += other.objects;
    this.pairableObjects += other.pairableObjects;
    this.pairableAnswers += other.pairableAnswers;
    this.answersPerObject = commonCount(this.answersPerObject, other.answersPerObject);
    const into = other.index ? this.indexAll(other.index.keys()) : this.dropCoincidences();
    if (into) {
      for (let c = 0; c < into.length; c += 1) {
        for (let k = 0; k < into.length; k += 1) {
          this.coincidences[into[c]! * this.stride + into[k]!]! += other.coincidences[c * other.stride + k]!;
        }
      }
    }
    this.interval = this.interval && other.interval && mergeSums(this.interval, other.interval);
  }

  result(): AgreementResult {
    return {
      objects: this.objects,
      pairableObjects: this.pairableObjects,
      pairableAnswers: this.pairableAnswers,
      alpha: { nominal: this.nominalAlpha(), ordinal: this.ordinalAlpha(), interval: this.intervalAlpha() },
      fleissKappa: this.fleissKappa(),
    };
  }

  toJSON(): AgreementState {
    const coincidences: Array<[number, number, number]> = [];
    const size = this.index?.size ?? 0;
    for (let c = 0; c < size; c += 1) {
      for (let k = c; k < size; k += 1) {
        const o = this.coincidences[c * this.stride + k]!;
        if (o !== 0) coincidences.push([c, k, o]);
      }
    }
    return {
      maxDistinctValues: this.maxDistinctValues,
      objects: this.objects,
      pairableObjects: this.pairableObjects,
      pairableAnswers: this.pairableAnswers,
      answersPerObject: this.answersPerObject,
      values: this.index ? [...this.index.keys()] : null,
      coincidences,
      interval: this.interval && { ...this.interval },
    };
  }

  static fromJSON(state: AgreementState): AgreementAccumulator {
    const accumulator = new AgreementAccumulator(state.maxDistinctValues);
    accumulator.objects = state.objects;
    accumulator.pairableObjects = state.pairableObjects;
    accumulator.pairableAnswers = state.pairableAnswers;
    accumulator.answersPerObject = state.answersPerObject;
    accumulator.interval = state.interval && { ...state.interval };
    if (state.values === null) accumulator.dropCoincidences();
    else {
      accumulator.indexAll(state.values);
      for (const [c, k, o] of state.coincidences) {
        accumulator.coincidences[c * accumulator.stride + k] = o;
        accumulator.coincidences[k * accumulator.stride + c] = o;
      }
    }
    return accumulator;
  }

  private addCoincidences(counts: ReadonlyMap<string, number>, m: number): void {
    const into = this.indexAll(counts.keys());
    if (!into) return;
    const tally = [...counts.values()];
    for (let c = 0; c < into.length; c += 1) {
      for (let k = 0; k < into.length; k += 1) {
        const pairs = c === k ? tally[c]! * (tally[c]! - 1) : tally[c]! * tally[k]!;
        this.coincidences[into[c]! * this.stride + into[k]!]! += pairs / (m - 1);
      }
    }
  }

  private addIntervalSums(counts: ReadonlyMap<string, number>, m: number): void {
    if (!this.interval) return;
    if (![...counts.keys()].every(isNumber)) {
      this.interval = null;
      return;
    }
    let mean = 0;
    for (const [value, count] of counts) mean += (Number(value) * count) / m;
    let squares = 0;
    for (const [value, count] of counts) squares += count * (Number(value) - mean) ** 2;
    this.interval = mergeSums(this.interval, { count: m, mean, squares, within: (m * squares) / (m - 1) });
  }

  /**
   * The indices of `values`, added to the matrix (which grows) where new; null, with the matrix dropped, when they would
   * take it past `maxDistinctValues` (or it already was dropped).
   */
  private indexAll(values: Iterable<string>): number[] | null {
    const index = this.index;
    if (!index) return null;
    const wanted = [...values];
    if (index.size + wanted.filter((value) => !index.has(value)).length > this.maxDistinctValues) return this.dropCoincidences();
    for (const value of wanted) if (!index.has(value)) index.set(value, index.size);
    if (index.size > this.stride) {
      let stride = Math.max(4, this.stride);
      while (stride < index.size) stride *= 2;
      const wider = new Float64Array(stride * stride);
      for (let c = 0; c < this.stride; c += 1) wider.set(this.coincidences.subarray(c * this.stride, (c + 1) * this.stride), c * stride);
      this.coincidences = wider;
      this.stride = stride;
    }
    return wanted.map((value) => index.get(value)!);
  }

  private dropCoincidences(): null {
    this.index = null;
    this.coincidences = new Float64Array(0);
    this.stride = 0;
    return null;
  }

  /** n_c for each value in index order; null once the matrix was dropped. */
  private valueTotals(): Float64Array | null {
    if (!this.index) return null;
    const size = this.index.size;
    const totals = new Float64Array(size);
    for (let c = 0; c < size; c += 1) for (let k = 0; k < size; k += 1) totals[c]! += this.coincidences[c * this.stride + k]!;
    return totals;
  }

  /** Σ_c o[c,c] */
  private agreeing(): number {
    let sum = 0;
    for (let c = 0; c < (this.index?.size ?? 0); c += 1) sum += this.coincidences[c * this.stride + c]!;
    return sum;
  }

  private nominalAlpha(): number | null {
    const totals = this.valueTotals();
    if (!totals) return null;
    const n = totals.reduce((sum, total) => sum + total, 0);
    const expected = n * n - totals.reduce((sum, total) => sum + total * total, 0);
    return expected > 0 ? 1 - ((n - 1) * (n - this.agreeing())) / expected : null;
  }

  private ordinalAlpha(): number | null {
    const totals = this.valueTotals();
    if (!totals || !this.interval) return null;
    const values = [...this.index!.keys()];
    const ranked = values.map((_, c) => c).sort((a, b) => Number(values[a]) - Number(values[b]));
    let observed = 0;
    let expected = 0;
    for (let a = 0; a < ranked.length; a += 1) {
      let between = totals[ranked[a]!]!; // Σ_{g=c..k} n_g, k walking up from c
      for (let b = a + 1; b < ranked.length; b += 1) {
        const c = ranked[a]!;
        const k = ranked[b]!;
        between += totals[k]!;
        const distance = (between - (totals[c]! + totals[k]!) / 2) ** 2;
        observed += this.coincidences[c * this.stride + k]! * distance;
        expected += totals[c]! * totals[k]! * distance;
      }
    }
    const n = totals.reduce((sum, total) => sum + total, 0);
    return expected > 0 ? 1 - ((n - 1) * observed) / expected : null;
  }

  private intervalAlpha(): number | null {
    if (!this.interval || this.interval.squares <= 0) return null;
    const { count: n, squares, within } = this.interval;
    return 1 - ((n - 1) * within) / (n * squares);
  }

  private fleissKappa(): number | null {
    const totals = this.valueTotals();
    if (!totals || typeof this.answersPerObject !== 'number' || this.answersPerObject < 2) return null;
    const n = totals.reduce((sum, total) => sum + total, 0);
    const chance = totals.reduce((sum, total) => sum + (total / n) ** 2, 0);
    return chance < 1 ? (this.agreeing() / n - chance) / (1 - chance) : null;
  }
}

/** The common number of answers per object of two groups of objects. */
function commonCount(a: number | 'mixed' | null, b: number | 'mixed' | null): number | 'mixed' | null {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : 'mixed';
}

/** Chan et al.'s pairwise update of count, mean and sum of squared deviations; `within` adds. */
function mergeSums(a: IntervalSums, b: IntervalSums): IntervalSums {
  const count = a.count + b.count;
  if (count === 0) return a;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    squares: a.squares + b.squares + (delta * delta * a.count * b.count) / count,
    within: a.within + b.within,
  };
}
