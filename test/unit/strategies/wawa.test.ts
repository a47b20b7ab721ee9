import { describe, expect, it } from 'vitest';
import { AnswerTableBuilder } from '../../../strategies/answer-table.js';
import { wawa } from '../../../strategies/wawa.js';
import type { Consolidator } from '../../../strategies/types.js';
import { atRow, classifier, plainString, radio, tableOf, taskAnswers, toyYsda } from './fixtures.js';

const fitted = (): { c: Consolidator; rows: Map<string, number> } => {
  const c = wawa.create(wawa.options.parse({}));
  const { table, rows } = tableOf(toyYsda);
  c.fit!(table);
  return { c, rows };
};

describe('wawa: crowd-kit toy YSDA vectors (§1.7)', () => {
  it('rates w1..w5 by their agreement with majority vote: 0.6, 0.8, 1.0, 0.4, 0.8', () => {
    const skills = fitted().c.skills!();
    const expected = { w1: 0.6, w2: 0.8, w3: 1.0, w4: 0.4, w5: 0.8 };
    expect(skills.size).toBe(5);
    for (const [worker, accuracy] of Object.entries(expected)) {
      expect(skills.get(worker)?.accuracy, worker).toBeCloseTo(accuracy, 12);
    }
  });

  // probas yes/no: t1 0.461538/0.538462, t2 0.666667/0.333333, t3 0.277778/0.722222, t4 1/0, t5 0.166667/0.833333
  it.each([
    ['t1', 'no', 0.538462, { no: 1.4, yes: 1.2 }],
    ['t2', 'yes', 0.666667, { yes: 2.4, no: 1.2 }],
    ['t3', 'no', 0.722222, { yes: 1.0, no: 2.6 }],
    ['t4', 'yes', 1, { yes: 3.6 }],
    ['t5', 'no', 0.833333, { yes: 0.6, no: 3.0 }],
  ] as const)('%s -> %s with confidence %d', (task, label, confidence, weights) => {
    const { c, rows } = fitted();
    const decision = c.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!));
    expect(decision.value).toEqual({ label });
    expect(Math.abs(decision.confidence - confidence)).toBeLessThanOrEqual(1e-6);
    const got = decision.details?.weights as Record<string, number>;
    expect(Object.keys(got).sort()).toEqual(Object.keys(weights).sort());
    for (const [key, weight] of Object.entries(weights)) expect(got[key], key).toBeCloseTo(weight, 12);
  });

  it('writes the winner in the submitted shape', () => {
    const { c, rows } = fitted();
    expect(c.decide(taskAnswers(toyYsda, 't3', radio), atRow(rows.get('t3')!)).value).toEqual({ no: true });
    expect(c.decide(taskAnswers(toyYsda, 't3', plainString), atRow(rows.get('t3')!)).value).toBe('no');
  });

  it('does not use the random source', () => {
    const { c, rows } = fitted();
    // atRow's random() throws
    for (const task of Object.keys(toyYsda)) expect(() => c.decide(taskAnswers(toyYsda, task), atRow(rows.get(task)!))).not.toThrow();
  });
});

describe('wawa: ties and unknown workers', () => {
  it('breaks the majority-vote tie towards the smallest label when rating workers', () => {
    // Object 0 is a 1–1 tie, so its majority is "a": x agrees, y does not. Object 1 (unanimous "b") is agreed by both.
    const builder = new AnswerTableBuilder();
    builder.addObject([['x', 'a'], ['y', 'b']]);
    builder.addObject([['x', 'b'], ['y', 'b']]);
    const c = wawa.create({});
    c.fit!(builder.build());
    expect(c.skills!().get('x')!.accuracy).toBe(1);
    expect(c.skills!().get('y')!.accuracy).toBe(0.5);
  });

  it('breaks weighted ties towards the smallest label, numerically for numeric labels', () => {
    // Both workers agree with every majority (unanimous objects), so both weigh 1.
    const builder = new AnswerTableBuilder();
    builder.addObject([['p', '10'], ['q', '10']]);
    builder.addObject([['p', '9'], ['q', '9']]);
    const c = wawa.create({});
    c.fit!(builder.build());
    const decision = c.decide([{ workerId: 'p', value: classifier('10') }, { workerId: 'q', value: classifier('9') }], atRow(0));
    expect(decision.value).toEqual({ label: '9' });
    expect(decision.confidence).toBe(0.5);
  });

  it('gives a worker not seen by fit no weight, and no value when nobody weighs anything', () => {
    const { c, rows } = fitted();
    const row = atRow(rows.get('t1')!);
    const decision = c.decide([{ workerId: 'stranger', value: classifier('yes') }, { workerId: 'w3', value: classifier('no') }], row);
    expect(decision.value).toEqual({ label: 'no' });
    expect(decision.confidence).toBe(1);
    expect(c.decide([{ workerId: 'stranger', value: classifier('yes') }], row)).toMatchObject({ value: undefined, confidence: 0 });
  });
});

describe('wawa: options', () => {
  it('takes no options', () => {
    expect(wawa.options.parse({})).toEqual({});
    expect(wawa.options.safeParse({ iterations: 1 }).success).toBe(false);
  });
});
