/**
 * A 95% percentile bootstrap interval for the Krippendorff α a field's agreement is read by (interval α when every
 * value is a number, else nominal; see `agreement.ts`), resampling objects with replacement (Krippendorff 2011 §3
 * bootstraps the same units).
 *
 * Memory is bounded by keeping at most `maxObjects` pairable objects (20,000 by default), chosen by reservoir sampling
 * (Vitter's algorithm R) with a seeded random source, so a run gives the same interval every time. Each kept object is
 * its contribution to α's sums: for nominal α its value counts (n_c adds m_c) and Σ_c m_c(m_c − 1)/(m − 1) (the
 * diagonal of the coincidences); for interval α its answer count, mean and sum of squares. A job of more objects is
 * bootstrapped on the sample: the interval is then that of a job of `maxObjects` objects, slightly wider.
 *
 * Cost: `replicates` × (kept objects) draws, each O(distinct values of the object).
 */
import { seededRandom } from '../random.js';
import { defaultMaxDistinctValues } from './agreement.js';

export const defaultBootstrapReplicates = 1000;
export const defaultBootstrapObjects = 20_000;

export interface AlphaInterval {
  kind: 'interval' | 'nominal';
  /** The 2.5th and 97.5th percentiles of α over the replicates. */
  low: number;
  high: number;
  /** Replicates drawn, and how many of them had an α (one whose objects all share one value has none). */
  replicates: number;
  defined: number;
  /** The pairable objects resampled: all of them, or a seeded sample of `maxObjects`. */
  objects: number;
  sampled: boolean;
}

/** One pairable object's share of α's sums. */
interface Contribution {
  answers: number;
  /** Σ_c m_c(m_c − 1)/(m − 1) */
  agreeing: number;
  /** Indices into the value index, and how many answers gave each; null once nominal α was given up. */
  values: Uint32Array | null;
  counts: Uint32Array | null;
  /** Null unless every answer is a number. */
  mean: number | null;
  squares: number;
}

const isNumber = (value: string) => value.trim() !== '' && Number.isFinite(Number(value));

export class AlphaBootstrap {
  private readonly kept: Contribution[] = [];
  private seen = 0;
  private readonly random: () => number;
  /** Null once more than `maxDistinctValues` values were seen: nominal α is then not computed (as in `agreement.ts`). */
  private index: Map<string, number> | null = new Map();
  private numeric = true;

  constructor(
    seed: number,
    private readonly replicates = defaultBootstrapReplicates,
    private readonly maxObjects = defaultBootstrapObjects,
    private readonly maxDistinctValues = defaultMaxDistinctValues,
  ) {
    this.random = seededRandom(seed);
  }

  /** Adds one object's answers as vote keys; objects with fewer than two are not pairable and are skipped. */
  addObject(answers: readonly string[]): void {
    if (answers.length < 2) return;
    this.seen += 1;
    const at = this.seen <= this.maxObjects ? this.kept.length : Math.floor(this.random() * this.seen);
    if (at >= this.maxObjects) return;
    this.kept[at] = this.contributionOf(answers);
  }

  interval(): AlphaInterval | undefined {
    const kind = this.numeric ? 'interval' : this.index ? 'nominal' : undefined;
    const n = this.kept.length;
    if (!kind || n === 0) return undefined;
    const packed = pack(this.kept, kind);
    const scratch = new Float64Array(this.index?.size ?? 0);
    const draws = new Uint32Array(n);
    const alphas: number[] = [];
    for (let replicate = 0; replicate < this.replicates; replicate += 1) {
      for (let i = 0; i < n; i += 1) draws[i] = Math.floor(this.random() * n);
      const alpha = kind === 'interval' ? intervalAlpha(packed, draws) : nominalAlpha(packed, draws, scratch);
      if (alpha !== null) alphas.push(alpha);
    }
    if (alphas.length === 0) return undefined;
    alphas.sort((a, b) => a - b);
    return {
      kind, low: percentile(alphas, 0.025), high: percentile(alphas, 0.975),
      replicates: this.replicates, defined: alphas.length, objects: n, sampled: this.seen > n,
    };
  }

  private contributionOf(answers: readonly string[]): Contribution {
    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    const m = answers.length;
    let agreeing = 0;
    for (const count of counts.values()) agreeing += (count * (count - 1)) / (m - 1);
    this.numeric &&= [...counts.keys()].every(isNumber);
    let mean: number | null = null;
    let squares = 0;
    if (this.numeric) {
      mean = answers.reduce((sum, answer) => sum + Number(answer), 0) / m;
      for (const answer of answers) squares += (Number(answer) - mean) ** 2;
    }
    const indices = this.indexAll(counts.keys());
    return {
      answers: m, agreeing, mean, squares,
      values: indices && Uint32Array.from(indices), counts: indices && Uint32Array.from(counts.values()),
    };
  }

  private indexAll(values: Iterable<string>): number[] | null {
    const index = this.index;
    if (!index) return null;
    const indices: number[] = [];
    for (const value of values) {
      if (!index.has(value)) index.set(value, index.size);
      indices.push(index.get(value)!);
    }
    if (index.size > this.maxDistinctValues) this.index = null;
    return this.index && indices;
  }
}

/** The kept objects in flat arrays, for the replicates' inner loops. */
interface Packed {
  answers: Float64Array;
  agreeing: Float64Array;
  means: Float64Array;
  squares: Float64Array;
  /** Object i's values are `values[starts[i]..starts[i + 1]]`, with their `counts`. */
  starts: Uint32Array;
  values: Uint32Array;
  counts: Float64Array;
}

function pack(kept: readonly Contribution[], kind: AlphaInterval['kind']): Packed {
  const starts = new Uint32Array(kept.length + 1);
  if (kind === 'nominal') kept.forEach(({ values }, i) => { starts[i + 1] = starts[i]! + values!.length; });
  const values = new Uint32Array(starts[kept.length]!);
  const counts = new Float64Array(starts[kept.length]!);
  if (kind === 'nominal') kept.forEach((object, i) => { values.set(object.values!, starts[i]); counts.set(object.counts!, starts[i]); });
  return {
    answers: Float64Array.from(kept, (object) => object.answers),
    agreeing: Float64Array.from(kept, (object) => object.agreeing),
    means: Float64Array.from(kept, (object) => object.mean ?? 0),
    squares: Float64Array.from(kept, (object) => object.squares),
    starts, values, counts,
  };
}

/** Nominal α of a replicate: 1 − (n − 1)(n − Σ o[c,c]) / (n² − Σ n_c²); `totals` is scratch space for n_c. */
function nominalAlpha(packed: Packed, draws: Uint32Array, totals: Float64Array): number | null {
  totals.fill(0);
  let n = 0;
  let agreeing = 0;
  for (const object of draws) {
    n += packed.answers[object]!;
    agreeing += packed.agreeing[object]!;
    for (let at = packed.starts[object]!; at < packed.starts[object + 1]!; at += 1) totals[packed.values[at]!]! += packed.counts[at]!;
  }
  let squares = 0;
  for (const total of totals) squares += total * total;
  const expected = n * n - squares;
  return expected > 0 ? 1 - ((n - 1) * (n - agreeing)) / expected : null;
}

/** Interval α of a replicate: 1 − (n − 1)·W / (n·SS), the objects' means and squares pooled (Chan et al.). */
function intervalAlpha(packed: Packed, draws: Uint32Array): number | null {
  let n = 0;
  let mean = 0;
  let squares = 0;
  let within = 0;
  for (const object of draws) {
    const m = packed.answers[object]!;
    const delta = packed.means[object]! - mean;
    const count = n + m;
    squares += packed.squares[object]! + (delta * delta * n * m) / count;
    mean += (delta * m) / count;
    n = count;
    within += (m * packed.squares[object]!) / (m - 1);
  }
  return squares > 0 ? 1 - ((n - 1) * within) / (n * squares) : null;
}

/** The `p` quantile of sorted values, interpolated between neighbours (R's type 7). */
function percentile(sorted: readonly number[], p: number): number {
  const at = p * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (at - below) * (sorted[above]! - sorted[below]!);
}
