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

/**
 * The kept objects' shares of α's sums in flat typed arrays, one slot an object: 20,000 small objects each holding two
 * typed arrays cost about 10 MiB of heap a field, which V8 then multiplied into its heap's headroom.
 *
 * Slot i's distinct values (indices into the value index) and their answer counts are `values[starts[i] ..
 * starts[i] + lengths[i]]` and the same range of `counts`: a replaced slot's range is abandoned and its new one appended,
 * and the arena is compacted in slot order when more than half of it is abandoned.
 */
class Reservoir {
  size = 0;
  /** Per slot: answers, Σ_c m_c(m_c − 1)/(m − 1), and for interval α the mean and sum of squares (0 otherwise). */
  answers = new Float64Array(0);
  agreeing = new Float64Array(0);
  means = new Float64Array(0);
  squares = new Float64Array(0);
  private starts = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  private values = new Uint32Array(64);
  private counts = new Uint32Array(64);
  private used = 0;
  private live = 0;

  constructor(private readonly maxSlots: number) {}

  /** Writes slot `at` (at most `size`: a new slot is appended). */
  set(at: number, answers: number, agreeing: number, mean: number, squares: number, values: readonly number[], counts: readonly number[]): void {
    if (at === this.size) this.append();
    this.live -= this.lengths[at]!;
    this.lengths[at] = 0;
    this.answers[at] = answers;
    this.agreeing[at] = agreeing;
    this.means[at] = mean;
    this.squares[at] = squares;
    if (this.used + values.length > this.values.length) this.makeRoom(values.length);
    this.starts[at] = this.used;
    this.lengths[at] = values.length;
    this.values.set(values, this.used);
    this.counts.set(counts, this.used);
    this.used += values.length;
    this.live += values.length;
  }

  /** The slots' values and counts in slot order: `starts` has size + 1 entries. */
  packed(): { starts: Uint32Array; values: Uint32Array; counts: Float64Array } {
    const starts = new Uint32Array(this.size + 1);
    for (let i = 0; i < this.size; i += 1) starts[i + 1] = starts[i]! + this.lengths[i]!;
    const values = new Uint32Array(this.live);
    const counts = new Float64Array(this.live);
    for (let i = 0; i < this.size; i += 1) {
      const from = this.starts[i]!;
      const to = from + this.lengths[i]!;
      values.set(this.values.subarray(from, to), starts[i]);
      counts.set(this.counts.subarray(from, to), starts[i]);
    }
    return { starts, values, counts };
  }

  private append(): void {
    if (this.size === this.answers.length) {
      const capacity = Math.min(this.maxSlots, Math.max(1024, this.size * 2));
      this.answers = grown(this.answers, capacity);
      this.agreeing = grown(this.agreeing, capacity);
      this.means = grown(this.means, capacity);
      this.squares = grown(this.squares, capacity);
      this.starts = grown(this.starts, capacity);
      this.lengths = grown(this.lengths, capacity);
    }
    this.size += 1;
  }

  /** Compacts the arena in slot order, growing it when live entries fill more than half of it. */
  private makeRoom(needed: number): void {
    const capacity = Math.max(this.values.length, 2 * (this.live + needed));
    const values = new Uint32Array(capacity);
    const counts = new Uint32Array(capacity);
    let used = 0;
    for (let i = 0; i < this.size; i += 1) {
      const from = this.starts[i]!;
      const to = from + this.lengths[i]!;
      values.set(this.values.subarray(from, to), used);
      counts.set(this.counts.subarray(from, to), used);
      this.starts[i] = used;
      used += to - from;
    }
    this.values = values;
    this.counts = counts;
    this.used = used;
  }
}

function grown<T extends Float64Array | Uint32Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}

export class AlphaBootstrap {
  private readonly kept: Reservoir;
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
    this.kept = new Reservoir(maxObjects);
  }

  /** Adds one object's answers as vote keys; objects with fewer than two are not pairable and are skipped. */
  addObject(answers: readonly string[]): void {
    if (answers.length < 2) return;
    this.seen += 1;
    const at = this.seen <= this.maxObjects ? this.kept.size : Math.floor(this.random() * this.seen);
    if (at >= this.maxObjects) return;
    this.keep(at, answers);
  }

  interval(): AlphaInterval | undefined {
    const kind = this.numeric ? 'interval' : this.index ? 'nominal' : undefined;
    const n = this.kept.size;
    if (!kind || n === 0) return undefined;
    const packed = kind === 'nominal' ? this.kept.packed() : undefined;
    const scratch = new Float64Array(this.index?.size ?? 0);
    const draws = new Uint32Array(n);
    const alphas: number[] = [];
    for (let replicate = 0; replicate < this.replicates; replicate += 1) {
      for (let i = 0; i < n; i += 1) draws[i] = Math.floor(this.random() * n);
      const alpha = packed ? nominalAlpha(this.kept, packed, draws, scratch) : intervalAlpha(this.kept, draws);
      if (alpha !== null) alphas.push(alpha);
    }
    if (alphas.length === 0) return undefined;
    alphas.sort((a, b) => a - b);
    return {
      kind, low: percentile(alphas, 0.025), high: percentile(alphas, 0.975),
      replicates: this.replicates, defined: alphas.length, objects: n, sampled: this.seen > n,
    };
  }

  /** Keeps one object's share of α's sums in slot `at`. */
  private keep(at: number, answers: readonly string[]): void {
    const counts = new Map<string, number>();
    for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    const m = answers.length;
    let agreeing = 0;
    for (const count of counts.values()) agreeing += (count * (count - 1)) / (m - 1);
    this.numeric &&= [...counts.keys()].every(isNumber);
    let mean = 0;
    let squares = 0;
    if (this.numeric) {
      mean = answers.reduce((sum, answer) => sum + Number(answer), 0) / m;
      for (const answer of answers) squares += (Number(answer) - mean) ** 2;
    }
    const indices = this.indexAll(counts.keys());
    this.kept.set(at, m, agreeing, mean, squares, indices ?? [], indices ? [...counts.values()] : []);
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

/** Nominal α of a replicate: 1 − (n − 1)(n − Σ o[c,c]) / (n² − Σ n_c²); `totals` is scratch space for n_c. */
function nominalAlpha(kept: Reservoir, packed: ReturnType<Reservoir['packed']>, draws: Uint32Array, totals: Float64Array): number | null {
  totals.fill(0);
  const { answers, agreeing: agreeingOf } = kept;
  const { starts, values, counts } = packed;
  let n = 0;
  let agreeing = 0;
  for (let i = 0; i < draws.length; i += 1) {
    const object = draws[i]!;
    n += answers[object]!;
    agreeing += agreeingOf[object]!;
    const end = starts[object + 1]!;
    for (let at = starts[object]!; at < end; at += 1) totals[values[at]!]! += counts[at]!;
  }
  let squares = 0;
  for (let c = 0; c < totals.length; c += 1) squares += totals[c]! * totals[c]!;
  const expected = n * n - squares;
  return expected > 0 ? 1 - ((n - 1) * (n - agreeing)) / expected : null;
}

/** Interval α of a replicate: 1 − (n − 1)·W / (n·SS), the objects' means and squares pooled (Chan et al.). */
function intervalAlpha(kept: Reservoir, draws: Uint32Array): number | null {
  let n = 0;
  let mean = 0;
  let squares = 0;
  let within = 0;
  for (const object of draws) {
    const m = kept.answers[object]!;
    const delta = kept.means[object]! - mean;
    const count = n + m;
    squares += kept.squares[object]! + (delta * delta * n * m) / count;
    mean += (delta * m) / count;
    n = count;
    within += (m * kept.squares[object]!) / (m - 1);
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
