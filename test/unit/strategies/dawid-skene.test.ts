import { describe, expect, it } from 'vitest';
import { AnswerTableBuilder, type AnswerTable } from '../../../strategies/answer-table.js';
import { dawidSkene, fitDawidSkene } from '../../../strategies/dawid-skene.js';
import type { EmModel } from '../../../strategies/em.js';
import type { FieldAnswer } from '../../../strategies/types.js';
import { atRow, classifier, num, plainString, radio, tableOf, taskAnswers, toggle, toyYsda, type TaskLabels } from './fixtures.js';

const create = (options: Record<string, unknown> = {}) => dawidSkene.create(dawidSkene.options.parse(options));

/** |actual − expected| ≤ atol, with a readable message. */
function near(actual: number | undefined, expected: number, atol: number, what: string): void {
  expect(actual, what).toBeTypeOf('number');
  expect(Math.abs(actual! - expected), `${what}: got ${actual}, expected ${expected} ± ${atol}`).toBeLessThanOrEqual(atol);
}

/** P(true label = `label` | answers of `row`). */
const posterior = (model: EmModel, row: number, label: string): number =>
  model.posteriors[row * model.table.labels.length + model.table.labels.indexOf(label)]!;

/** P(worker answers `given` | true label `truth`): crowd-kit's `errors_.loc[(worker, given), truth]`. */
const error = (model: EmModel, worker: string, given: string, truth: string): number => {
  const { workers, labels } = model.table;
  const k = labels.length;
  return model.errors[(workers.indexOf(worker) * k + labels.indexOf(given)) * k + labels.indexOf(truth)]!;
};

/** The label of each object: first maximal posterior in label order. */
const labelsOf = (model: EmModel): string[] => {
  const { labels, objectCount } = model.table;
  return Array.from({ length: objectCount }, (_, t) =>
    labels.reduce((best, label) => (posterior(model, t, label) > posterior(model, t, best) ? label : best)));
};

/**
 * crowd-kit `tests/aggregation/test_ds_aggregation.py` (reference §1.7), fixture `data` (the toy data; w3 missing on
 * t1), printed to 2 decimals and compared there with atol 0.005.
 */
interface Step {
  probas: Record<string, [no: number, yes: number]>;
  priors: [no: number, yes: number];
  labels: string[];
  /** errors[(w, observed)] = (true=no, true=yes) */
  errors: Record<string, Record<'no' | 'yes', [no: number, yes: number]>>;
}
const steps: Array<[iterations: number, step: Step]> = [
  [0, {
    probas: { t1: [0.5, 0.5], t2: [0.4, 0.6], t3: [0.6, 0.4], t4: [0, 1], t5: [0.8, 0.2] },
    priors: [0.46, 0.54],
    labels: ['no', 'yes', 'no', 'yes', 'no'],
    errors: {
      w1: { no: [0.22, 0.19], yes: [0.78, 0.81] },
      w2: { no: [0.61, 0.22], yes: [0.39, 0.78] },
      w3: { no: [0.78, 0.27], yes: [0.22, 0.73] },
      w4: { no: [0.52, 0.30], yes: [0.48, 0.70] },
      w5: { no: [1.00, 0.63], yes: [0.00, 0.37] },
    },
  }],
  [1, {
    probas: { t1: [0.35, 0.65], t2: [0.26, 0.74], t3: [0.87, 0.13], t4: [0, 1], t5: [0.95, 0.05] },
    priors: [0.49, 0.51],
    labels: ['yes', 'yes', 'no', 'yes', 'no'],
    errors: {
      w1: { no: [0.14, 0.25], yes: [0.86, 0.75] },
      w2: { no: [0.75, 0.07], yes: [0.25, 0.93] },
      w3: { no: [0.87, 0.09], yes: [0.13, 0.91] },
      w4: { no: [0.50, 0.31], yes: [0.50, 0.69] },
      w5: { no: [1.00, 0.61], yes: [0.00, 0.39] },
    },
  }],
];

describe('dawid-skene: crowd-kit step-by-step vectors (§1.7)', () => {
  const atol = 0.005;

  describe.each(steps)('after maxIterations %i', (iterations, step) => {
    const { table, rows } = tableOf(toyYsda);
    const model = fitDawidSkene(table, { maxIterations: iterations, tol: 0 });

    it('ran that many E-steps over labels (no, yes)', () => {
      expect(model.iterations).toBe(iterations);
      expect(table.labels).toEqual(['no', 'yes']);
    });

    it('has the reference posteriors (no, yes)', () => {
      for (const [task, [no, yes]] of Object.entries(step.probas)) {
        near(posterior(model, rows.get(task)!, 'no'), no, atol, `${task} no`);
        near(posterior(model, rows.get(task)!, 'yes'), yes, atol, `${task} yes`);
      }
    });

    it('has the reference priors (no, yes)', () => {
      near(model.priors[0], step.priors[0], atol, 'prior no');
      near(model.priors[1], step.priors[1], atol, 'prior yes');
    });

    it('has the reference labels', () => {
      expect(labelsOf(model)).toEqual(step.labels);
    });

    it('has the reference error matrices errors[(w, observed)] = (true=no, true=yes)', () => {
      for (const [worker, byGiven] of Object.entries(step.errors)) {
        for (const [given, [no, yes]] of Object.entries(byGiven)) {
          near(error(model, worker, given, 'no'), no, atol, `${worker} ${given} | no`);
          near(error(model, worker, given, 'yes'), yes, atol, `${worker} ${given} | yes`);
        }
      }
    });

    it('decides the same labels and posteriors through the strategy', () => {
      const ds = create({ maxIterations: iterations, tol: 0 });
      ds.fit!(table);
      Object.keys(step.probas).forEach((task, index) => {
        const decision = ds.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!));
        const [no, yes] = step.probas[task]!;
        expect(decision.value).toEqual({ label: step.labels[index] });
        near(decision.confidence, Math.max(no, yes), atol, `${task} confidence`);
        near((decision.details?.posterior as Record<string, number>).no, no, atol, `${task} details no`);
        expect(decision.details?.iterations).toBe(iterations);
      });
    });

    it('reports confusion[true][given] = errors[(given), true] in skills()', () => {
      const ds = create({ maxIterations: iterations, tol: 0 });
      ds.fit!(table);
      const skills = ds.skills!();
      for (const [worker, byGiven] of Object.entries(step.errors)) {
        const confusion = skills.get(worker)?.confusion;
        expect(confusion, worker).toBeDefined();
        // rows: true no, true yes; columns: given no, given yes
        near(confusion![0]![0], byGiven.no[0], atol, `${worker} no->no`);
        near(confusion![0]![1], byGiven.yes[0], atol, `${worker} no->yes`);
        near(confusion![1]![0], byGiven.no[1], atol, `${worker} yes->no`);
        near(confusion![1]![1], byGiven.yes[1], atol, `${worker} yes->yes`);
      }
    });
  });
});

describe('dawid-skene: crowd-kit overlap test (§1.7)', () => {
  /** Tasks 0..2, workers 0..overlap−1, label "yes" if (worker − task) % 3 else "no". */
  function overlapTable(overlap: number): AnswerTable {
    const builder = new AnswerTableBuilder();
    for (let task = 0; task < 3; task += 1) {
      builder.addObject(Array.from({ length: overlap }, (_, worker): [string, string] =>
        [String(worker), (worker - task) % 3 !== 0 ? 'yes' : 'no']));
    }
    return builder.build();
  }

  const answersOf = (task: number, overlap: number): FieldAnswer[] => Array.from({ length: overlap }, (_, worker) =>
    ({ workerId: String(worker), value: plainString((worker - task) % 3 !== 0 ? 'yes' : 'no') }));

  /** The §1.7 expectations: probas no = 1/3, yes = 2/3 for every task, priors (1/3, 2/3), all labels yes. */
  function expectOneThirdTwoThirds(model: EmModel): void {
    for (let task = 0; task < 3; task += 1) {
      near(posterior(model, task, 'no'), 1 / 3, 1e-6, `task ${task} no`);
      near(posterior(model, task, 'yes'), 2 / 3, 1e-6, `task ${task} yes`);
    }
    near(model.priors[0], 1 / 3, 1e-6, 'prior no');
    near(model.priors[1], 2 / 3, 1e-6, 'prior yes');
    expect(labelsOf(model)).toEqual(['yes', 'yes', 'yes']);
  }

  // crowd-kit's test runs DawidSkene(20) with its default tol: the log-likelihood does not move, so it stops early.
  it.each([3, 300])('overlap %i, maxIterations 20 (default tol): probas 1/3, 2/3, priors (1/3, 2/3), labels yes', (overlap) => {
    const table = overlapTable(overlap);
    expectOneThirdTwoThirds(fitDawidSkene(table, dawidSkene.options.parse({ maxIterations: 20 })));

    const ds = create({ maxIterations: 20 });
    ds.fit!(table);
    for (let task = 0; task < 3; task += 1) {
      const decision = ds.decide(answersOf(task, overlap), atRow(task));
      expect(decision.value).toBe('yes');
      near(decision.confidence, 2 / 3, 1e-6, `task ${task} confidence`);
      near((decision.details?.posterior as Record<string, number>).no, 1 / 3, 1e-6, `task ${task} details no`);
    }
  });

  // MV shares (1/3, 2/3) are an exact fixed point of EM here (every worker's error columns are equal), so running all
  // 20 iterations must not move it either. crowd-kit sums a task's log2 errors before adding log2 prior, which keeps
  // the two columns bit-identical; see the report for em.ts.
  it.each([3, 300])('overlap %i, all 20 iterations (tol 0): stays at the fixed point', (overlap) => {
    const model = fitDawidSkene(overlapTable(overlap), { maxIterations: 20, tol: 0 });
    expect(model.iterations).toBe(20);
    expectOneThirdTwoThirds(model);
  });
});

describe('dawid-skene: toy YSDA dataset (§1.7)', () => {
  it('recovers the ground truth with maxIterations 10, tol 0 (t1 = yes)', () => {
    const { table, rows } = tableOf(toyYsda);
    const ds = create({ maxIterations: 10, tol: 0 });
    ds.fit!(table);
    const truth = { t1: 'yes', t2: 'yes', t3: 'no', t4: 'yes', t5: 'no' };
    for (const [task, label] of Object.entries(truth)) {
      expect(ds.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!)).value, task).toEqual({ label });
    }
    expect(labelsOf(fitDawidSkene(table, { maxIterations: 10, tol: 0 }))).toEqual(Object.values(truth));
  });
});

describe('dawid-skene: decisions', () => {
  const { table, rows } = tableOf(toyYsda);
  const fitted = () => {
    const ds = create({ maxIterations: 10, tol: 0 });
    ds.fit!(table);
    return ds;
  };

  it('writes the label back in the shape the answers were submitted in', () => {
    const ds = fitted();
    const row = atRow(rows.get('t1')!);
    expect(ds.decide(taskAnswers(toyYsda, 't1', classifier), row).value).toEqual({ label: 'yes' });
    expect(ds.decide(taskAnswers(toyYsda, 't1', radio), row).value).toEqual({ yes: true });
    expect(ds.decide(taskAnswers(toyYsda, 't1', plainString), row).value).toBe('yes');
  });

  it('writes booleans back as booleans', () => {
    const tasks: TaskLabels = {
      a: { w1: 'true', w2: 'true', w3: 'false' },
      b: { w1: 'false', w2: 'false', w3: 'false' },
    };
    const { table: boolTable, rows: boolRows } = tableOf(tasks);
    const ds = create();
    ds.fit!(boolTable);
    expect(ds.decide(taskAnswers(tasks, 'a', (l) => toggle(l === 'true')), atRow(boolRows.get('a')!)).value).toEqual({ on: true });
    expect(ds.decide(taskAnswers(tasks, 'b', (l) => toggle(l === 'true')), atRow(boolRows.get('b')!)).value).toEqual({ on: false });
  });

  it('can decide a label none of the object\'s answers gave, in the first answer\'s shape', () => {
    // Three reliable workers and one who always answers the opposite; an object answered by that worker alone.
    const builder = new AnswerTableBuilder();
    for (let t = 0; t < 10; t += 1) {
      const truth = t % 2 ? 'yes' : 'no';
      const other = t % 2 ? 'no' : 'yes';
      builder.addObject([['a', truth], ['b', truth], ['c', truth], ['inv', other]]);
    }
    const lone = builder.addObject([['inv', 'no']]);
    const ds = create();
    ds.fit!(builder.build());
    const decision = ds.decide([{ workerId: 'inv', value: radio('no') }], atRow(lone));
    expect(decision.value).toEqual({ yes: true });
    expect(decision.confidence).toBeGreaterThan(0.5);
  });

  it('sets confidence = max posterior, details.posterior over every label summing to 1', () => {
    const ds = fitted();
    for (const task of Object.keys(toyYsda)) {
      const decision = ds.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!));
      const post = decision.details?.posterior as Record<string, number>;
      expect(Object.keys(post)).toEqual(['no', 'yes']);
      expect(post.no! + post.yes!).toBeCloseTo(1, 12);
      expect(decision.confidence).toBe(Math.max(post.no!, post.yes!));
      expect(decision.confidence).toBeGreaterThanOrEqual(0.5);
      expect(decision.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('breaks ties of posteriors towards the smallest label (numeric order for numeric labels)', () => {
    // One object, two workers disagreeing: the model is symmetric, the posterior stays exactly 1/2 – 1/2.
    const builder = new AnswerTableBuilder();
    const row = builder.addObject([['w1', '10'], ['w2', '9']]);
    const ds = create();
    ds.fit!(builder.build());
    const decision = ds.decide([{ workerId: 'w1', value: num(10) }, { workerId: 'w2', value: num(9) }], atRow(row));
    expect(decision.value).toBe(9);
    expect(decision.confidence).toBe(0.5);
    expect(decision.details?.posterior).toEqual({ 9: 0.5, 10: 0.5 });
  });

  it('breaks the 2–2 MV tie of t1 towards "no" when no E-step has run', () => {
    const ds = create({ maxIterations: 0 });
    ds.fit!(table);
    const decision = ds.decide(taskAnswers(toyYsda, 't1'), atRow(rows.get('t1')!));
    expect(decision.value).toEqual({ label: 'no' });
    expect(decision.confidence).toBe(0.5);
  });

  it('gives posterior 1 when the table has a single label', () => {
    const tasks: TaskLabels = { a: { w1: 'cat', w2: 'cat' }, b: { w2: 'cat' }, c: { w1: 'cat', w3: 'cat' } };
    const { table: single, rows: singleRows } = tableOf(tasks);
    const ds = create();
    ds.fit!(single);
    for (const task of Object.keys(tasks)) {
      const decision = ds.decide(taskAnswers(tasks, task), atRow(singleRows.get(task)!));
      expect(decision.value).toEqual({ label: 'cat' });
      expect(decision.confidence).toBe(1);
      expect(decision.details?.posterior).toEqual({ cat: 1 });
    }
    for (const skill of ds.skills!().values()) expect(skill).toEqual({ accuracy: 1, confusion: [[1]] });
  });

  it('refuses to decide before fit', () => {
    expect(() => create().decide(taskAnswers(toyYsda, 't1'), atRow(0))).toThrow(/fit/);
  });
});

describe('dawid-skene: stopping rule', () => {
  const { table } = tableOf(toyYsda);

  it('runs exactly maxIterations E-steps with tol 0', () => {
    for (const maxIterations of [0, 1, 2, 7, 50]) {
      expect(fitDawidSkene(table, { maxIterations, tol: 0 }).iterations).toBe(maxIterations);
    }
  });

  it('stops as soon as a change can be measured when tol is large', () => {
    // The first E-step has no previous log-likelihood to compare with; the second is the first whose change is
    // measured, and a huge tol accepts it (crowd-kit likewise breaks at its second iteration at the earliest).
    expect(fitDawidSkene(table, { maxIterations: 50, tol: 1e9 }).iterations).toBe(2);
    expect(fitDawidSkene(table, { maxIterations: 1, tol: 1e9 }).iterations).toBe(1);
    const ds = create({ maxIterations: 50, tol: 1e9 });
    ds.fit!(table);
    expect(ds.decide(taskAnswers(toyYsda, 't2'), atRow(1)).details?.iterations).toBe(2);
  });

  it('stops early on a fit that no longer changes (default tol)', () => {
    const builder = new AnswerTableBuilder();
    for (let task = 0; task < 3; task += 1) {
      builder.addObject(Array.from({ length: 3 }, (_, w): [string, string] => [String(w), (w - task) % 3 ? 'yes' : 'no']));
    }
    const model = fitDawidSkene(builder.build(), dawidSkene.options.parse({ maxIterations: 20 }));
    expect(model.iterations).toBe(2);
  });
});

describe('dawid-skene: skills()', () => {
  const { table } = tableOf(toyYsda);

  it.each([0, 1, 10, 100])('after maxIterations %i: accuracy = Σ prior[c]·confusion[c][c], confusion rows sum to 1', (maxIterations) => {
    const ds = create({ maxIterations, tol: 0 });
    ds.fit!(table);
    const model = fitDawidSkene(table, { maxIterations, tol: 0 });
    const skills = ds.skills!();
    expect([...skills.keys()].sort()).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
    for (const [worker, { accuracy, confusion }] of skills) {
      expect(confusion).toHaveLength(2);
      for (const row of confusion!) {
        expect(row).toHaveLength(2);
        expect(row[0]! + row[1]!).toBeCloseTo(1, 12);
        for (const p of row) expect(p).toBeGreaterThanOrEqual(0);
      }
      const expected = model.priors[0]! * confusion![0]![0]! + model.priors[1]! * confusion![1]![1]!;
      expect(accuracy, worker).toBeCloseTo(expected, 12);
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
  });

  it('ranks the always-right w3 above the mostly-wrong w4 once fitted', () => {
    const ds = create({ maxIterations: 10, tol: 0 });
    ds.fit!(table);
    const skills = ds.skills!();
    expect(skills.get('w3')!.accuracy).toBeGreaterThan(skills.get('w4')!.accuracy);
  });

  it('is empty before fit', () => {
    expect(create().skills!().size).toBe(0);
  });
});

describe('dawid-skene: options', () => {
  it('defaults to maxIterations 100, tol 1e-7', () => {
    expect(dawidSkene.options.parse({})).toEqual({ maxIterations: 100, tol: 1e-7 });
  });

  it('rejects unknown keys, negative or fractional iterations, negative tol', () => {
    for (const bad of [{ iterations: 5 }, { maxIterations: -1 }, { maxIterations: 2.5 }, { tol: -1 }, { maxIterations: '5' }]) {
      expect(dawidSkene.options.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts categorical and boolean answers', () => {
    expect([...dawidSkene.kinds].sort()).toEqual(['boolean', 'categorical']);
  });
});
