import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideWeighted, weightedVote } from '../../../strategies/weighted-vote.js';
import type { AnswerValue, FieldAnswer } from '../../../strategies/types.js';
import { bool, classifier, fromWorkers, noRandom, plainString, radio, toggle } from './fixtures.js';

const create = (options: Record<string, unknown>) => weightedVote.create(weightedVote.options.parse(options));

/** crowd-kit's weighted MajorityVote docstring example (reference §1.7). */
const skills = { p1: 0.5, p2: 0.7, p3: 0.4 };
const docstring = (as: (label: string) => AnswerValue = plainString): Record<'t1' | 't2', FieldAnswer[]> => ({
  t1: fromWorkers({ p1: as('0'), p2: as('0'), p3: as('1') }),
  t2: fromWorkers({ p1: as('1'), p2: as('0'), p3: as('1') }),
});

const dir = mkdtempSync(join(tmpdir(), 'gt-weighted-vote-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

/** The docstring decisions: t1 → 0 with 0.75, t2 → 1 with 0.5625. */
function expectDocstring(options: Record<string, unknown>): void {
  const c = create(options);
  const t1 = c.decide(docstring().t1, noRandom);
  expect(t1.value).toBe('0');
  expect(t1.confidence).toBeCloseTo(0.75, 12);
  const t2 = c.decide(docstring().t2, noRandom);
  expect(t2.value).toBe('1');
  expect(t2.confidence).toBeCloseTo(0.5625, 12);
}

describe('weighted-vote: crowd-kit docstring example (§1.7)', () => {
  it('t1 -> 0 (0.75), t2 -> 1 (0.5625) with inline weights', () => {
    expectDocstring({ weights: skills });
  });

  it('reports the weight behind every label', () => {
    const c = create({ weights: skills });
    const t1 = c.decide(docstring().t1, noRandom).details?.weights as Record<string, number>;
    expect(Object.keys(t1).sort()).toEqual(['0', '1']);
    expect(t1['0']).toBeCloseTo(1.2, 12);
    expect(t1['1']).toBeCloseTo(0.4, 12);
    const t2 = c.decide(docstring().t2, noRandom).details?.weights as Record<string, number>;
    expect(t2['0']).toBeCloseTo(0.7, 12);
    expect(t2['1']).toBeCloseTo(0.9, 12);
  });

  it('writes the winner in the submitted shape', () => {
    const c = create({ weights: skills });
    expect(c.decide(docstring(classifier).t1, noRandom).value).toEqual({ label: '0' });
    expect(c.decide(docstring((l) => toggle(l === '1')).t2, noRandom).value).toEqual({ on: true });
    expect(c.decide(docstring((l) => bool(l === '1')).t1, noRandom).value).toBe(false);
  });
});

describe('weighted-vote: weights from files', () => {
  it('reads a JSON map', () => {
    expectDocstring({ weights: file('weights.json', JSON.stringify(skills)) });
  });

  it('reads a CSV with a header row', () => {
    expectDocstring({ weights: file('with-header.csv', 'worker,weight\np1,0.5\np2,0.7\np3,0.4\n') });
  });

  it('reads a CSV without a header row', () => {
    expectDocstring({ weights: file('no-header.csv', 'p1,0.5\np2,0.7\np3,0.4\n') });
  });

  it('trims cells and skips blank lines in a CSV', () => {
    expectDocstring({ weights: file('spaced.csv', 'worker , weight\n\n p1 , 0.5 \np2,0.7\n\np3, .4\n') });
  });

  it('rejects a JSON file whose weights are not numbers', () => {
    expect(() => create({ weights: file('bad.json', '{"p1": "heavy"}') })).toThrow();
  });

  it('rejects a CSV data row whose weight is not a number', () => {
    expect(() => create({ weights: file('bad.csv', 'worker,weight\np1,0.5\np2,heavy\n') })).toThrow();
  });

  it('fails on a missing file', () => {
    expect(() => create({ weights: join(dir, 'missing.csv') })).toThrow();
  });
});

describe('weighted-vote: defaults, zero weights and ties', () => {
  const answers = fromWorkers({ p1: plainString('a'), p2: plainString('b'), p3: plainString('b') });

  it('weighs unlisted workers 0 by default', () => {
    const decision = create({ weights: { p1: 1 } }).decide(answers, noRandom);
    expect(decision.value).toBe('a');
    expect(decision.confidence).toBe(1);
  });

  it('weighs unlisted workers defaultWeight when set', () => {
    const decision = create({ weights: { p1: 1 }, defaultWeight: 0.6 }).decide(answers, noRandom);
    expect(decision.value).toBe('b');
    expect(decision.confidence).toBeCloseTo(1.2 / 2.2, 12);
  });

  it('leaves the value undefined when every weight is zero', () => {
    for (const weights of [{}, { p1: 0, p2: 0, p3: 0 }]) {
      const decision = create({ weights }).decide(answers, noRandom);
      expect(decision.value).toBeUndefined();
      expect(decision.confidence).toBe(0);
    }
  });

  it('breaks ties towards the smallest label, whatever the answer order', () => {
    const c = create({ weights: { p1: 1, p2: 1 } });
    for (const [x, y] of [['a', 'b'], ['b', 'a']] as const) {
      const decision = c.decide(fromWorkers({ p1: plainString(x), p2: plainString(y) }), noRandom);
      expect(decision.value).toBe('a');
      expect(decision.confidence).toBe(0.5);
    }
  });

  it('orders labels that are all numbers as numbers: 9 beats 10 on a tie', () => {
    const c = create({ weights: { p1: 1, p2: 1 } });
    expect(c.decide(fromWorkers({ p1: plainString('10'), p2: plainString('9') }), noRandom).value).toBe('9');
  });

  it('decideWeighted counts equal answers in different shapes as one label', () => {
    const decision = decideWeighted(fromWorkers({ a: classifier('4'), b: radio('4'), c: classifier('5') }), () => 1);
    expect(decision.value).toEqual({ label: '4' });
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
  });
});

describe('weighted-vote: options', () => {
  it('requires weights and defaults defaultWeight to 0', () => {
    expect(weightedVote.options.parse({ weights: { p1: 1 } })).toEqual({ weights: { p1: 1 }, defaultWeight: 0 });
    expect(weightedVote.options.safeParse({}).success).toBe(false);
  });

  it('rejects unknown keys and bad values', () => {
    for (const bad of [
      { weights: { p1: 1 }, default: 1 },
      { weights: { p1: 1 }, unknown: true },
      { weights: '' },
      { weights: { p1: 'heavy' } },
      { weights: { p1: 1 }, defaultWeight: -1 },
      { weights: 3 },
    ]) {
      expect(weightedVote.options.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('accepts categorical and boolean answers, and refuses numeric ones (a weighted mode is not a weighted mean)', () => {
    expect([...weightedVote.kinds].sort()).toEqual(['boolean', 'categorical']);
  });
});
