import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnswerTableBuilder, voteShares } from '../../../strategies/answer-table.js';
import { fitDawidSkene } from '../../../strategies/dawid-skene.js';
import { fitHierarchical, hierarchicalDawidSkene } from '../../../strategies/hierarchical-ds.js';
import { loadBluebirds, loadDSentiment, loadSnowRte, type CrowdDataset } from '../../helpers/crowd-datasets.js';
import { scoreStrategy, type Scored } from './score-strategies.js';
import { atRow, classifier, tableOf, taskAnswers, toyYsda } from './fixtures.js';

const defaults = hierarchicalDawidSkene.options.parse({});
const create = (options: Record<string, unknown> = {}) => hierarchicalDawidSkene.create(hierarchicalDawidSkene.options.parse(options));

/** F(yes) for t1..t5 from issue 12 (the reference prototype on crowd-kit's toy YSDA set, §1.7). */
const afterHundred = [0.558032, 0.655450, 0.192275, 0.936292, 0.104160];
const converged = [0.558106, 0.655504, 0.192288, 0.936305, 0.104169];
const tasks = ['t1', 't2', 't3', 't4', 't5'];

describe('hierarchical-ds: issue 12 vectors on the toy YSDA set', () => {
  const { table, rows } = tableOf(toyYsda);

  it('after exactly 100 E-steps (tol 0): F(yes) to 1e-6, not converged', () => {
    const ds = create({ tol: 0 });
    ds.fit!(table);
    tasks.forEach((task, index) => {
      const decision = ds.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!));
      expect((decision.details?.posterior as Record<string, number>).yes).toBeCloseTo(afterHundred[index]!, 6);
    });
    expect(ds.fitReport!()).toEqual({ iterations: 100, converged: false });
  });

  it('converged (123 E-steps with tol 1e-7): F(yes) to 1e-6', () => {
    const { model, decided } = fitHierarchical(table, { ...defaults, maxIterations: 1000 });
    expect(model.iterations).toBe(123);
    expect(model.converged).toBe(true);
    expect(table.labels).toEqual(['no', 'yes']);
    tasks.forEach((task, index) => expect(decided[rows.get(task)! * 2 + 1]).toBeCloseTo(converged[index]!, 6));
  });

  it('with the default 100 E-steps reports that it did not converge', () => {
    const ds = create();
    ds.fit!(table);
    expect(ds.fitReport!()).toEqual({ iterations: 100, converged: false });
  });

  it('decides label = first argmax of F, confidence = max F, written back in the answers\' shape', () => {
    const ds = create();
    ds.fit!(table);
    tasks.forEach((task, index) => {
      const decision = ds.decide(taskAnswers(toyYsda, task, classifier), atRow(rows.get(task)!));
      const yes = afterHundred[index]!;
      expect(decision.value).toEqual({ label: yes > 0.5 ? 'yes' : 'no' });
      expect(decision.confidence).toBeCloseTo(Math.max(yes, 1 - yes), 6);
      expect(decision.details?.iterations).toBe(100);
    });
  });

  it('reads worker skills from the shrunk confusion matrices (columns sum to 1)', () => {
    const ds = create();
    ds.fit!(table);
    const skills = ds.skills!();
    expect([...skills.keys()].sort()).toEqual(['w1', 'w2', 'w3', 'w4', 'w5']);
    for (const { confusion } of skills.values()) for (const row of confusion!) expect(row[0]! + row[1]!).toBeCloseTo(1, 12);
    expect(skills.get('w3')!.accuracy).toBeGreaterThan(skills.get('w4')!.accuracy);
  });
});

describe('hierarchical-ds: reduces to its parts', () => {
  const { table } = tableOf(toyYsda);

  it('shrinkage 0, tempering 0, modelWeight 1 is Dawid-Skene', () => {
    const options = { maxIterations: 10, tol: 0 };
    const { decided } = fitHierarchical(table, { ...options, shrinkage: 0, tempering: 0, modelWeight: 1 });
    const ds = fitDawidSkene(table, options);
    decided.forEach((p, at) => expect(p).toBeCloseTo(ds.posteriors[at]!, 12));
  });

  it('modelWeight 0 is the vote shares', () => {
    const { decided } = fitHierarchical(table, { ...defaults, modelWeight: 0 });
    expect([...decided]).toEqual([...voteShares(table)]);
  });

  it('an object with one answer is not tempered (τ = 1): its model part is the E-step posterior', () => {
    const builder = new AnswerTableBuilder();
    for (let t = 0; t < 6; t += 1) builder.addObject([['a', t % 2 ? 'x' : 'y'], ['b', t % 2 ? 'x' : 'y'], ['c', 'x']]);
    const lone = builder.addObject([['c', 'y']]);
    const { model, decided } = fitHierarchical(builder.build(), { ...defaults, modelWeight: 1 });
    expect(decided[lone * 2]).toBeCloseTo(model.posteriors[lone * 2]!, 12);
  });
});

describe('hierarchical-ds: options', () => {
  it('defaults to s = 2, ρ = 0.2, λ = 0.75, 100 E-steps, tol 1e-7', () => {
    expect(defaults).toEqual({ maxIterations: 100, tol: 1e-7, shrinkage: 2, tempering: 0.2, modelWeight: 0.75 });
  });

  it('rejects unknown keys, negative shrinkage or tempering, a model weight outside [0, 1]', () => {
    for (const bad of [{ s: 2 }, { shrinkage: -1 }, { tempering: -0.1 }, { modelWeight: 1.5 }, { modelWeight: -0.1 }, { maxIterations: 2.5 }]) {
      expect(hierarchicalDawidSkene.options.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts categorical and boolean answers, and refuses to decide before fit', () => {
    expect([...hierarchicalDawidSkene.kinds].sort()).toEqual(['boolean', 'categorical']);
    expect(() => create().decide(taskAnswers(toyYsda, 't1'), atRow(0))).toThrow(/fit/);
    expect(() => create().fitReport!()).toThrow(/fit/);
  });
});

/**
 * Issue 12's acceptance on the bundled datasets (test/fixtures/datasets): hierarchical-ds is at least as accurate as
 * majority vote (ties → smallest label) on each, its ECE averaged over the three is below Dawid-Skene's, and its least
 * confident 10% holds more than 10% of its errors on each.
 */
describe('hierarchical-ds: calibration on the bundled crowd datasets', () => {
  const datasetsDir = path.resolve(import.meta.dirname, '../../fixtures/datasets');
  const loaders = { d_sentiment: loadDSentiment, snow2008_rte: loadSnowRte, d_Duck_Identification: loadBluebirds };
  const scores = new Map<string, Record<'majority-vote' | 'dawid-skene' | 'hierarchical-ds', Scored>>();

  beforeAll(async () => {
    for (const [name, load] of Object.entries(loaders)) {
      const dataset: CrowdDataset = await load(datasetsDir);
      scores.set(name, {
        'majority-vote': scoreStrategy(dataset, 'majority-vote', { tie: 'lowest' }),
        'dawid-skene': scoreStrategy(dataset, 'dawid-skene'),
        'hierarchical-ds': scoreStrategy(dataset, 'hierarchical-ds'),
      });
    }
  });

  it.each(Object.keys(loaders))('%s: accuracy at least majority vote\'s, more errors in the least confident 10%% than 10%%', (name) => {
    const scored = scores.get(name)!;
    expect(scored['hierarchical-ds'].accuracy!).toBeGreaterThanOrEqual(scored['majority-vote'].accuracy!);
    expect(scored['hierarchical-ds'].lowConfidenceErrorShare!).toBeGreaterThan(0.1);
  });

  it('mean ECE over the three below Dawid-Skene\'s', () => {
    const meanEce = (strategy: 'dawid-skene' | 'hierarchical-ds') =>
      [...scores.values()].reduce((sum, scored) => sum + scored[strategy].ece!, 0) / scores.size;
    expect(meanEce('hierarchical-ds')).toBeLessThan(meanEce('dawid-skene'));
  });

  it('scores majority vote as the dataset README does (932, 735, 82 correct)', () => {
    // Anchors the scorer: README §5 gives these counts for MV with ties → smallest label.
    expect([...scores.values()].map((scored) => scored['majority-vote'].correct)).toEqual([932, 735, 82]);
    expect([...scores.values()].map((scored) => scored['dawid-skene'].correct)).toEqual([960, 742, 97]);
  });
});
