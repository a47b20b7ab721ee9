import { describe, expect, it } from 'vitest';
import { AnswerTableBuilder, type AnswerTable } from '../../../strategies/answer-table.js';
import { floor } from '../../../strategies/em.js';
import { oneCoin } from '../../../strategies/one-coin.js';
import type { Consolidator } from '../../../strategies/types.js';
import { atRow, radio, tableOf, taskAnswers, toyYsda, type TaskLabels } from './fixtures.js';

const create = (options: Record<string, unknown> = {}) => oneCoin.create(oneCoin.options.parse(options));
const fitted = (table: AnswerTable, options: Record<string, unknown> = {}): Consolidator => {
  const c = create(options);
  c.fit!(table);
  return c;
};

/**
 * 30 objects over labels a/b/c: three reliable workers give the truth, `always` agrees with them every time, `rarely`
 * agrees once in five, `contrarian` never does.
 */
function threeLabels(): { tasks: TaskLabels; table: AnswerTable; rows: Map<string, number> } {
  const labels = ['a', 'b', 'c'];
  const tasks: Record<string, Record<string, string>> = {};
  for (let t = 0; t < 30; t += 1) {
    const truth = labels[t % 3]!;
    const wrong = labels[(t + 1) % 3]!;
    tasks[`t${t}`] = { r1: truth, r2: truth, r3: truth, always: truth, rarely: t % 5 === 0 ? truth : wrong, contrarian: wrong };
  }
  return { tasks, ...tableOf(tasks) };
}

describe('one-coin: skills', () => {
  it('gives the worker who always agrees a higher accuracy than the one who rarely does (toy data)', () => {
    const { table } = tableOf(toyYsda);
    const skills = fitted(table).skills!();
    // w3 agrees with the ground truth on all 4 of its tasks, w4 on 2 of 5.
    expect(skills.get('w3')!.accuracy).toBeGreaterThan(skills.get('w4')!.accuracy);
    expect(skills.get('w2')!.accuracy).toBeGreaterThan(skills.get('w4')!.accuracy);
  });

  it('orders always > rarely > contrarian on a three-label job', () => {
    const skills = fitted(threeLabels().table).skills!();
    const accuracy = (w: string) => skills.get(w)!.accuracy;
    expect(accuracy('always')).toBeGreaterThan(accuracy('rarely'));
    expect(accuracy('rarely')).toBeGreaterThan(accuracy('contrarian'));
    expect(accuracy('always')).toBeGreaterThan(0.9);
    expect(accuracy('contrarian')).toBeLessThan(0.1);
  });

  it('keeps each accuracy within [1e-10, 1 − 1e-10], even for perfect and never-right workers', () => {
    for (const table of [tableOf(toyYsda).table, threeLabels().table]) {
      for (const [worker, { accuracy, confusion }] of fitted(table).skills!()) {
        const s = confusion![0]![0]!;
        expect(s, worker).toBeGreaterThanOrEqual(floor);
        expect(s, worker).toBeLessThanOrEqual(1 - floor);
        // accuracy = Σ prior[c]·s with Σ prior = 1 (up to rounding)
        expect(accuracy, worker).toBeCloseTo(s, 12);
        expect(accuracy, worker).toBeGreaterThanOrEqual(floor * (1 - 1e-12));
        expect(accuracy, worker).toBeLessThanOrEqual(1 - floor + 1e-15);
      }
    }
    // r1..r3 and `always` agree with a unanimous-looking majority everywhere: their skill is clipped at 1 − 1e-10.
    const skills = fitted(threeLabels().table).skills!();
    expect(skills.get('r1')!.confusion![0]![0]).toBe(1 - floor);
    expect(skills.get('contrarian')!.confusion![0]![0]).toBe(floor);
  });

  it.each([[tableOf(toyYsda).table], [threeLabels().table]])(
    'has one accuracy s on the diagonal and (1 − s)/(K − 1) everywhere else (case %#)',
    (table) => {
      const k = table.labels.length;
      for (const [worker, { confusion }] of fitted(table).skills!()) {
        expect(confusion, worker).toHaveLength(k);
        const s = confusion![0]![0]!;
        confusion!.forEach((row, truth) => {
          expect(row).toHaveLength(k);
          row.forEach((p, given) => expect(p, `${worker} ${truth}->${given}`).toBeCloseTo(given === truth ? s : (1 - s) / (k - 1), 14));
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        });
      }
    },
  );

  it('is empty before fit', () => {
    expect(create().skills!().size).toBe(0);
  });
});

describe('one-coin: decisions', () => {
  it('normalises every posterior, and confidence is its maximum', () => {
    for (const { tasks, table, rows } of [{ tasks: toyYsda, ...tableOf(toyYsda) }, threeLabels()]) {
      const c = fitted(table);
      for (const task of Object.keys(tasks)) {
        const decision = c.decide(taskAnswers(tasks, task), atRow(rows.get(task)!));
        const post = Object.values(decision.details?.posterior as Record<string, number>);
        expect(post).toHaveLength(table.labels.length);
        expect(post.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const p of post) expect(p).toBeGreaterThanOrEqual(0);
        expect(decision.confidence).toBe(Math.max(...post));
      }
    }
  });

  it('recovers the truth of the three-label job and writes it in the submitted shape', () => {
    const { tasks, table, rows } = threeLabels();
    const c = fitted(table);
    for (const [task, answers] of Object.entries(tasks)) {
      expect(c.decide(taskAnswers(tasks, task, radio), atRow(rows.get(task)!)).value).toEqual({ [answers.r1!]: true });
    }
  });

  it('is deterministic: two fits of the same table decide and rate identically', () => {
    const { table, rows } = tableOf(toyYsda);
    const first = fitted(table);
    const second = fitted(tableOf(toyYsda).table);
    for (const task of Object.keys(toyYsda)) {
      const answers = taskAnswers(toyYsda, task);
      expect(second.decide(answers, atRow(rows.get(task)!))).toEqual(first.decide(answers, atRow(rows.get(task)!)));
    }
    expect(second.skills!()).toEqual(first.skills!());
  });

  it('gives posterior 1 on a single-label table', () => {
    const builder = new AnswerTableBuilder();
    const row = builder.addObject([['w1', 'x'], ['w2', 'x']]);
    builder.addObject([['w1', 'x']]);
    const c = fitted(builder.build());
    const decision = c.decide([{ workerId: 'w1', value: radio('x') }, { workerId: 'w2', value: radio('x') }], atRow(row));
    expect(decision.value).toEqual({ x: true });
    expect(decision.confidence).toBe(1);
  });

  it('respects maxIterations (reported in details)', () => {
    const { table, rows } = tableOf(toyYsda);
    const decision = fitted(table, { maxIterations: 3, tol: 0 }).decide(taskAnswers(toyYsda, 't1'), atRow(rows.get('t1')!));
    expect(decision.details?.iterations).toBe(3);
  });
});

describe('one-coin: options', () => {
  it('shares the EM defaults and rejects unknown keys', () => {
    expect(oneCoin.options.parse({})).toEqual({ maxIterations: 100, tol: 1e-7 });
    expect(oneCoin.options.safeParse({ maxIterations: 5, smoothing: 1 }).success).toBe(false);
    expect(oneCoin.options.safeParse({ maxIterations: -1 }).success).toBe(false);
  });
});
