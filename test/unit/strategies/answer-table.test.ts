import { describe, expect, it } from 'vitest';
import { AnswerTableBuilder, compareLabels, voteShares, type AnswerTable } from '../../../strategies/answer-table.js';

/** The answers of a table as (row, worker id, label) triples, in insertion order. */
const triples = (table: AnswerTable): Array<[number, string, string]> =>
  Array.from({ length: table.answerCount }, (_, i) => [
    table.objectOf[i]!,
    table.workers[table.workerOf[i]!]!,
    table.labels[table.labelOf[i]!]!,
  ]);

describe('AnswerTableBuilder', () => {
  it('numbers objects in the order they are added, including objects without answers', () => {
    const builder = new AnswerTableBuilder();
    expect(builder.addObject([['a', 'x']])).toBe(0);
    expect(builder.addObject([['b', 'y'], ['a', 'y']])).toBe(1);
    expect(builder.addObject([])).toBe(2);
    expect(builder.addObject([['c', 'x']])).toBe(3);
    const table = builder.build();
    expect(table.objectCount).toBe(4);
    expect(table.answerCount).toBe(4);
    expect([...table.objectOf]).toEqual([0, 1, 1, 3]);
  });

  it('interns worker ids in first-seen order, one id per worker across objects', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w2', 'no'], ['w1', 'yes']]);
    builder.addObject([['w3', 'no'], ['w2', 'no'], ['w1', 'no']]);
    const table = builder.build();
    expect(table.workers).toEqual(['w2', 'w1', 'w3']);
    expect([...table.workerOf]).toEqual([0, 1, 2, 0, 1]);
  });

  it('keeps every answer: (row, worker, label) round-trips through the interned ids', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', 'no'], ['w2', 'yes']]);
    builder.addObject([['w2', 'maybe']]);
    builder.addObject([['w3', 'yes'], ['w1', 'maybe'], ['w2', 'no']]);
    expect(triples(builder.build())).toEqual([
      [0, 'w1', 'no'], [0, 'w2', 'yes'], [1, 'w2', 'maybe'], [2, 'w3', 'yes'], [2, 'w1', 'maybe'], [2, 'w2', 'no'],
    ]);
  });

  it('sorts labels ascending (code-unit order) and remaps the label ids to that order', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', 'yes'], ['w2', 'no'], ['w3', 'maybe']]);
    builder.addObject([['w1', 'No'], ['w2', 'yes']]);
    const table = builder.build();
    expect(table.labels).toEqual(['No', 'maybe', 'no', 'yes']);
    expect([...table.labelOf]).toEqual([3, 2, 1, 0, 3]);
  });

  it('sorts labels numerically when every label is a number: "9" < "10"', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', '10'], ['w2', '9'], ['w3', '2.5']]);
    builder.addObject([['w1', '-1'], ['w2', '100'], ['w3', '10']]);
    const table = builder.build();
    expect(table.labels).toEqual(['-1', '2.5', '9', '10', '100']);
    expect(triples(table).map(([, , label]) => label)).toEqual(['10', '9', '2.5', '-1', '100', '10']);
  });

  it('falls back to code-unit order as soon as one label is not a number', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', '10'], ['w2', '9'], ['w3', 'x']]);
    expect(builder.build().labels).toEqual(['10', '9', 'x']);
  });

  it('returns exactly-sized arrays for an empty builder', () => {
    const table = new AnswerTableBuilder().build();
    expect(table).toMatchObject({ objectCount: 0, answerCount: 0, workers: [], labels: [] });
    expect(table.objectOf.length).toBe(0);
    expect(table.workerOf.length).toBe(0);
    expect(table.labelOf.length).toBe(0);
  });

  it.each([1024, 1025, 5000])('grows its typed arrays past 1024 answers (%i answers, none lost)', (answers) => {
    const builder = new AnswerTableBuilder();
    const perObject = 7;
    const expected: Array<[number, string, string]> = [];
    for (let start = 0, row = 0; start < answers; start += perObject, row += 1) {
      const batch: Array<[string, string]> = [];
      for (let i = start; i < Math.min(answers, start + perObject); i += 1) {
        batch.push([`w${i % 13}`, `l${i % 5}`]);
        expected.push([row, `w${i % 13}`, `l${i % 5}`]);
      }
      expect(builder.addObject(batch)).toBe(row);
    }
    const table = builder.build();
    expect(table.answerCount).toBe(answers);
    expect(table.objectCount).toBe(Math.ceil(answers / perObject));
    expect(table.objectOf.length).toBe(answers);
    expect(table.workerOf.length).toBe(answers);
    expect(table.labelOf.length).toBe(answers);
    expect(table.workers).toHaveLength(13);
    expect(table.labels).toEqual(['l0', 'l1', 'l2', 'l3', 'l4']);
    expect(triples(table)).toEqual(expected);
  });

  it('grows correctly when a single object carries more than 1024 answers', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['first', 'a']]);
    const big = Array.from({ length: 2100 }, (_, i): [string, string] => [`w${i}`, i % 2 ? 'b' : 'a']);
    expect(builder.addObject(big)).toBe(1);
    builder.addObject([['last', 'c']]);
    const table = builder.build();
    expect(table.answerCount).toBe(2102);
    expect(table.workers).toHaveLength(2102);
    const all = triples(table);
    expect(all[0]).toEqual([0, 'first', 'a']);
    expect(all[1]).toEqual([1, 'w0', 'a']);
    expect(all[2100]).toEqual([1, 'w2099', 'b']);
    expect(all[2101]).toEqual([2, 'last', 'c']);
  });

  it('builds one table: it hands over its arrays, so adding or building again afterwards throws', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', 'y'], ['w2', 'x']]);
    const table = builder.build();
    expect(() => builder.addObject([['w3', 'x']])).toThrow(/built its table/);
    expect(() => builder.build()).toThrow(/built its table/);
    expect(triples(table)).toEqual([[0, 'w1', 'y'], [0, 'w2', 'x']]);
  });
});

describe('compareLabels', () => {
  it('compares numerically when every label is a finite number', () => {
    const labels = ['10', '9', '1e2', '-3', '0.5'];
    expect([...labels].sort(compareLabels(labels))).toEqual(['-3', '0.5', '9', '10', '1e2']);
  });

  it('compares by code unit otherwise (blank, NaN and Infinity are not numbers)', () => {
    for (const odd of ['', ' ', 'NaN', 'Infinity', 'abc']) {
      const labels = ['10', '9', odd];
      expect([...labels].sort(compareLabels(labels))).toEqual([...labels].sort());
    }
  });
});

describe('voteShares', () => {
  it('gives each object its majority-vote shares, row-major objects × labels, rows summing to 1', () => {
    const builder = new AnswerTableBuilder();
    builder.addObject([['w1', 'no'], ['w2', 'yes'], ['w3', 'yes']]);
    builder.addObject([['w1', 'maybe'], ['w2', 'no'], ['w3', 'yes'], ['w4', 'yes']]);
    builder.addObject([['w1', 'yes']]);
    const table = builder.build();
    expect(table.labels).toEqual(['maybe', 'no', 'yes']);
    const shares = voteShares(table);
    expect(shares).toBeInstanceOf(Float64Array);
    expect(shares.length).toBe(3 * 3);
    const expected = [[0, 1 / 3, 2 / 3], [1 / 4, 1 / 4, 1 / 2], [0, 0, 1]];
    expected.forEach((row, t) => row.forEach((share, c) => expect(shares[t * 3 + c]).toBeCloseTo(share, 15)));
    for (let t = 0; t < 3; t += 1) {
      expect(shares[t * 3]! + shares[t * 3 + 1]! + shares[t * 3 + 2]!).toBeCloseTo(1, 15);
    }
  });

  it('sums every row to 1 on a larger table', () => {
    const builder = new AnswerTableBuilder();
    for (let t = 0; t < 500; t += 1) {
      builder.addObject(Array.from({ length: 1 + (t % 6) }, (_, j): [string, string] => [`w${(t + j) % 17}`, String((t * j) % 4)]));
    }
    const table = builder.build();
    const k = table.labels.length;
    const shares = voteShares(table);
    for (let t = 0; t < table.objectCount; t += 1) {
      let sum = 0;
      for (let c = 0; c < k; c += 1) sum += shares[t * k + c]!;
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});
