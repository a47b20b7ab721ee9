/**
 * Every answer of one field across a job, compact, for model-based strategies: three parallel typed arrays (object
 * row, worker, label) with interned ids, 12 bytes an answer. Objects are numbered in input order, as the pipeline meets
 * them; labels are the vote keys, sorted (as numbers when all are numbers), so "first maximum" means "smallest label".
 */
export interface AnswerTable {
  objectCount: number;
  answerCount: number;
  objectOf: Int32Array;
  workerOf: Int32Array;
  labelOf: Int32Array;
  workers: readonly string[];
  labels: readonly string[];
}

/** Index of the first maximum: with labels in ascending order, ties go to the smallest label. */
export function argmax(values: ArrayLike<number>, from = 0, to = values.length): number {
  let best = from;
  for (let i = from + 1; i < to; i += 1) if (values[i]! > values[best]!) best = i;
  return best - from;
}

/** Ascending label order: numeric when every label is a number, otherwise code-unit. */
export function compareLabels(labels: readonly string[]): (a: string, b: string) => number {
  const numeric = labels.every((label) => label.trim() !== '' && Number.isFinite(Number(label)));
  return numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

export class AnswerTableBuilder {
  private objectOf = new Int32Array(1024);
  private workerOf = new Int32Array(1024);
  private labelOf = new Int32Array(1024);
  private answerCount = 0;
  private objectCount = 0;
  private readonly workers = new Map<string, number>();
  private readonly labels = new Map<string, number>();
  private built = false;

  /** Adds one object's answers (worker id, label key); returns the object's row. */
  addObject(answers: Iterable<readonly [worker: string, label: string]>): number {
    this.checkNotBuilt();
    const row = this.objectCount++;
    for (const [worker, label] of answers) {
      if (this.answerCount === this.objectOf.length) this.grow();
      this.objectOf[this.answerCount] = row;
      this.workerOf[this.answerCount] = intern(this.workers, worker);
      this.labelOf[this.answerCount] = intern(this.labels, label);
      this.answerCount += 1;
    }
    return row;
  }

  /**
   * The table, over the builder's own arrays (their spare capacity, at most as much again, costs less than a copy of
   * them beside them would while both live): a builder builds one table.
   */
  build(): AnswerTable {
    this.checkNotBuilt();
    this.built = true;
    const unsorted = [...this.labels.keys()];
    const labels = [...unsorted].sort(compareLabels(unsorted));
    const rank = new Int32Array(unsorted.length);
    unsorted.forEach((label, id) => (rank[id] = labels.indexOf(label)));
    const labelOf = this.labelOf.subarray(0, this.answerCount);
    for (let i = 0; i < labelOf.length; i += 1) labelOf[i] = rank[labelOf[i]!]!;
    return {
      objectCount: this.objectCount,
      answerCount: this.answerCount,
      objectOf: this.objectOf.subarray(0, this.answerCount),
      workerOf: this.workerOf.subarray(0, this.answerCount),
      labelOf,
      workers: [...this.workers.keys()],
      labels,
    };
  }

  private checkNotBuilt(): void {
    if (this.built) throw new Error('this AnswerTableBuilder has built its table (it hands over its arrays); start a new one');
  }

  private grow(): void {
    const widen = (array: Int32Array) => {
      const wider = new Int32Array(array.length * 2);
      wider.set(array);
      return wider;
    };
    this.objectOf = widen(this.objectOf);
    this.workerOf = widen(this.workerOf);
    this.labelOf = widen(this.labelOf);
  }
}

function intern(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = ids.size));
  return id;
}

/** Majority-vote shares per object (row-major, objects × labels): the usual initialisation of EM. */
export function voteShares(table: AnswerTable): Float64Array {
  const k = table.labels.length;
  const shares = new Float64Array(table.objectCount * k);
  const totals = new Float64Array(table.objectCount);
  for (let i = 0; i < table.answerCount; i += 1) {
    shares[table.objectOf[i]! * k + table.labelOf[i]!]! += 1;
    totals[table.objectOf[i]!]! += 1;
  }
  for (let t = 0; t < table.objectCount; t += 1) {
    for (let c = 0; c < k; c += 1) shares[t * k + c]! /= totals[t]! || 1;
  }
  return shares;
}
