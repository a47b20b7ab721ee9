import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { AnswerTableBuilder, type AnswerTable } from '../../../strategies/answer-table.js';
import { voteKey } from '../../../strategies/submitted-form.js';
import type { FieldAnswer } from '../../../strategies/types.js';
import { fitWorkerWeights, weightedMean } from '../../../strategies/weighted-mean.js';
import { atRow, num, numString } from './fixtures.js';

const create = (options: Record<string, unknown> = {}) => weightedMean.create(weightedMean.options.parse(options));

/** The table the pipeline builds: one row per object, labels = vote keys. */
function tableOf(objects: readonly FieldAnswer[][]): AnswerTable {
  const builder = new AnswerTableBuilder();
  for (const answers of objects) builder.addObject(answers.map(({ workerId, value }) => [workerId, voteKey(value)]));
  return builder.build();
}

const answers = (byWorker: Record<string, number>): FieldAnswer[] =>
  Object.entries(byWorker).map(([workerId, value]) => ({ workerId, value: num(value) }));

describe('weighted-mean: one iteration by hand', () => {
  // t1: a 1, b 1, c 4; t2: a, b, c all 2. With equal weights the residuals against the others' mean are
  // t1: a −1.5, b −1.5, c 3; t2: 0, 0, 0. R = (2.25 + 2.25 + 9) / 6 = 2.25;
  // σ²_a = σ²_b = (2.25 + 10·2.25) / (2 + 10) = 2.0625, σ²_c = (9 + 22.5) / 12 = 2.625.
  const objects = [answers({ a: 1, b: 1, c: 4 }), answers({ a: 2, b: 2, c: 2 })];
  const table = tableOf(objects);
  const ua = 1 / Math.sqrt(2.0625);
  const uc = 1 / Math.sqrt(2.625);

  it('weighs each worker 1/σ_w', () => {
    const { weights, unseenWeight, report } = fitWorkerWeights(table, { iterations: 1, shrinkage: 10 });
    expect(weights[table.workers.indexOf('a')]).toBeCloseTo(ua, 12);
    expect(weights[table.workers.indexOf('b')]).toBeCloseTo(ua, 12);
    expect(weights[table.workers.indexOf('c')]).toBeCloseTo(uc, 12);
    expect(unseenWeight).toBeCloseTo(1 / 1.5, 12);
    expect(report).toEqual({ iterations: 1, converged: false });
  });

  it('decides the weighted mean, rounded to decimals, with mean\'s confidence and details', () => {
    const c = create({ iterations: 1, decimals: 6 });
    c.fit!(table);
    const decision = c.decide(objects[0]!, atRow(0));
    expect(decision.value).toBeCloseTo((2 * ua + 4 * uc) / (2 * ua + uc), 6);
    // population sd of 1, 1, 4 = √2; confidence 1 / (1 + sd) without a scale
    expect(decision.confidence).toBeCloseTo(1 / (1 + Math.SQRT2), 12);
    expect(decision.details).toMatchObject({ min: 1, max: 4 });
    expect(c.decide(objects[1]!, atRow(1)).value).toBe(2);
  });

  it('weighs a worker the fit did not see 1/√R', () => {
    const c = create({ iterations: 1, decimals: 6 });
    c.fit!(table);
    const decision = c.decide([...answers({ a: 1 }), ...answers({ stranger: 4 })], atRow(0));
    expect(decision.value).toBeCloseTo((ua + 4 / 1.5) / (ua + 1 / 1.5), 6);
  });
});

describe('weighted-mean: behaviour', () => {
  it('is the mean when workers always agree (every residual 0), and reports convergence', () => {
    const c = create();
    c.fit!(tableOf([answers({ a: 3, b: 3 }), answers({ a: 5, b: 5, c: 5 })]));
    expect(c.decide(answers({ a: 3, b: 3 }), atRow(0)).value).toBe(3);
    expect(c.fitReport!()).toEqual({ iterations: 1, converged: true });
  });

  it('reads numbers given as strings or numbers alike and writes a number', () => {
    const objects: FieldAnswer[][] = [
      [{ workerId: 'a', value: numString(4) }, { workerId: 'b', value: num(6) }],
      [{ workerId: 'a', value: num(1) }, { workerId: 'b', value: numString(1) }],
    ];
    const c = create();
    c.fit!(tableOf(objects));
    expect(c.decide(objects[0]!, atRow(0)).value).toBe(5);
  });

  it('beats the plain mean when one worker is noisy (MAE against the truth)', () => {
    // 300 objects, truth uniform in [0, 100]; four careful workers (sd 2) and one careless (sd 25), all on every object.
    const random = seededRandom(12);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const noise: Record<string, number> = { g1: 2, g2: 2, g3: 2, g4: 2, careless: 25 };
    const truths = Array.from({ length: 300 }, () => 100 * random());
    const objects = truths.map((truth) =>
      answers(Object.fromEntries(Object.entries(noise).map(([worker, sd]) => [worker, truth + sd * gaussian()]))));
    const weighted = create({ decimals: 12 });
    weighted.fit!(tableOf(objects));
    const plain = (list: FieldAnswer[]) => list.reduce((sum, { value }) => sum + (value.kind === 'numeric' ? value.value : 0), 0) / list.length;
    const mae = (estimate: (list: FieldAnswer[], row: number) => number) =>
      truths.reduce((sum, truth, row) => sum + Math.abs(estimate(objects[row]!, row) - truth), 0) / truths.length;
    const weightedMae = mae((list, row) => weighted.decide(list, atRow(row)).value as number);
    const meanMae = mae(plain);
    expect(weightedMae).toBeLessThan(meanMae * 0.5);
    expect(weighted.fitReport!()).toMatchObject({ converged: true });
  });

  it('refuses a non-numeric label in its table and decides only after fit', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['a', 'x'], ['b', '1']]);
    expect(() => create().fit!(builder.build())).toThrow(/"x" is not a number/);
    expect(() => create().decide(answers({ a: 1 }), atRow(0))).toThrow(/fit/);
  });
});

describe('weighted-mean: options', () => {
  it('defaults to 50 iterations, ν = 10, 2 decimals; accepts numeric answers only', () => {
    expect(weightedMean.options.parse({})).toEqual({ decimals: 2, iterations: 50, shrinkage: 10 });
    expect(weightedMean.kinds).toEqual(['numeric']);
  });

  it('rejects unknown keys and bad values', () => {
    for (const bad of [{ nu: 10 }, { iterations: -1 }, { iterations: 1.5 }, { shrinkage: -1 }, { scale: [5, 1] }]) {
      expect(weightedMean.options.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
