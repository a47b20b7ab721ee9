/**
 * A field's job-level confusion: how often workers gave each label on objects consolidated to each label. Memory is
 * bounded by `maxLabels`² counts: answers or decisions beyond the first `maxLabels` labels seen are counted apart.
 */
export const defaultConfusionLabels = 30;

export interface ConfusionResult {
  /** Sorted; rows are the consolidated label, columns the answer given. */
  labels: string[];
  /** `counts[consolidated][answered]`: answers. */
  counts: number[][];
  /** Answers whose label or consolidated label was past `maxLabels`. */
  outside: number;
}

export class ConfusionTally {
  private readonly cells = new Map<string, Map<string, number>>();
  private readonly labels = new Set<string>();
  private outside = 0;

  constructor(private readonly maxLabels = defaultConfusionLabels) {}

  /** The answers (vote keys) given on one object consolidated to `decided`. */
  add(decided: string, answers: readonly string[]): void {
    for (const answer of answers) {
      if (!this.track(decided) || !this.track(answer)) {
        this.outside += 1;
        continue;
      }
      let row = this.cells.get(decided);
      if (!row) this.cells.set(decided, (row = new Map()));
      row.set(answer, (row.get(answer) ?? 0) + 1);
    }
  }

  result(): ConfusionResult | undefined {
    if (this.labels.size === 0) return undefined;
    const labels = [...this.labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { labels, counts: labels.map((decided) => labels.map((answer) => this.cells.get(decided)?.get(answer) ?? 0)), outside: this.outside };
  }

  private track(label: string): boolean {
    if (this.labels.has(label)) return true;
    if (this.labels.size >= this.maxLabels) return false;
    this.labels.add(label);
    return true;
  }
}
