/**
 * What every bench part shares: the run's settings, where figures go, and paired rounds. Every figure is compared with a
 * baseline measured in the same run on the same data, contenders alternating round by round, so that drift on this
 * shared machine hits all alike.
 */
export interface Bench {
  objects: number;
  s3Objects: number;
  latencyMs: number;
  rounds: number;
  fitRounds: number;
  /** The repository root. */
  repo: string;
  /** A scratch directory, removed after the run. */
  dir: string;
  /** The JSON report (`bench/results/latest.json`): one key per part. */
  report: Record<string, unknown>;
  /** The printed table: one row per figure. */
  table: Record<string, Record<string, number>>;
  say: (message: string) => void;
}

/** Objects per second of one contender over the rounds: the median, and the range around it. */
export interface Rate { median: number; min: number; max: number }

export const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Median and range of `values`, rounded to `digits`. */
export function spread(values: readonly number[], digits = 0): { median: number; min: number; max: number } {
  const round = (value: number) => Number(value.toFixed(digits));
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}

/**
 * One run of a contender. One in another process may resolve to `{ seconds }`, its own time with the interpreter's start
 * excluded, as the in-process contenders' is.
 */
export type Contender = () => Promise<unknown>;

/**
 * Every contender run `rounds` times, alternating so drift hits all alike; the median and the range of each (a best-of
 * on this shared machine once gave one configuration both 920 and 1,351 objects/s in the same run).
 */
export async function paired(rounds: number, count: number, contenders: Record<string, Contender>): Promise<Record<string, Rate>> {
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      const reported = await run();
      const seconds = (reported as { seconds?: unknown } | undefined)?.seconds;
      rates[name]!.push(count / (typeof seconds === 'number' ? seconds : (performance.now() - start) / 1000));
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([name, all]) => [name, spread(all)]));
}

/** A table row for a rate: median and range, and its ratio of medians to `baseline` when given. */
export const rateRow = (rate: Rate, baseline?: Rate) => ({
  'objects/s': rate.median, min: rate.min, max: rate.max, ...(baseline && { ratio: ratio(rate.median, baseline.median) }),
});

/** The process's peak resident memory so far, in MB (`getrusage`'s maxrss): run a part alone to read it as that part's. */
export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
