import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { emptySummary, formatSummary } from '../../src/report/summary.js';
import { formatWorkerReport, WorkerStats } from '../../src/report/worker-report.js';
import { forSpreadsheet, forTerminal } from '../../src/text/escape.js';

describe('forTerminal', () => {
  it('makes ANSI escape sequences, C0 and C1 controls and bidi overrides visible and inert', () => {
    expect(forTerminal('\x1b[31mred\x1b[0m')).toBe('\\x1b[31mred\\x1b[0m');
    expect(forTerminal('a\nb\rc\td\x00e\x7f')).toBe('a\\nb\\rc\\td\\x00e\\x7f');
    expect(forTerminal('\x9b2J osc:\x1b]0;title\x07')).toBe('\\x9b2J osc:\\x1b]0;title\\x07');
    expect(forTerminal('abc\u202Efdp.exe')).toBe('abc\\u202efdp.exe');
  });

  it('leaves printable text, accents and emoji alone', () => {
    expect(forTerminal('sentiment: négatif 😀 "quoted" \\ back')).toBe('sentiment: négatif 😀 "quoted" \\ back');
  });
});

describe('forSpreadsheet (OWASP CSV injection)', () => {
  it.each(['=HYPERLINK("http://x","y")', '+1', '-1+2', '@SUM(A1)', '\tx', '\rx'])('prefixes %j with a quote', (cell) => {
    expect(forSpreadsheet(cell)).toBe(`'${cell}`);
  });

  it('leaves other cells alone', () => {
    expect(forSpreadsheet('private.us-east-1.abc')).toBe('private.us-east-1.abc');
    expect(forSpreadsheet('')).toBe('');
  });
});

describe('summary: field names that are Object.prototype members', () => {
  it('keeps counts for fields called constructor, toString, valueOf or __proto__ apart from the prototype', () => {
    const summary = emptySummary('in', 'out', 'rejects');
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      expect(summary.fields[name]).toBeUndefined();
      expect(summary.unknownShapes[name]).toBeUndefined();
    }
    expect(summary.rejectedBy.constructor).toBeUndefined();
  });

  it('prints field names and paths escaped, one line each', () => {
    const summary = emptySummary('in', 'out', 'rejects\x1b[2J.jsonl');
    summary.fields['evil\x1b]0;pwned\x07\nfake line'] = { strategy: 'majority-vote', objects: 1, answers: 1, ties: 0, unresolved: 0, meanConfidence: 1 };
    summary.rejectedBy['invalid-json'] = 1;
    summary.unknownShapes['\x9bshape'] = 2;
    const text = formatSummary(summary);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toContain('evil\\x1b]0;pwned\\x07\\nfake line: majority-vote');
  });
});

describe('workers.csv: cells from workers are not formulas', () => {
  it('prefixes workerIds, subs and field names starting with = + - @ with a quote', () => {
    const stats = new WorkerStats(false);
    stats.observe([{ workerId: '=HYPERLINK("http://evil","x")', sub: '@SUM(1)' }, { workerId: 'private.a' }]);
    const skill = { accuracy: 0.5 } as never;
    const models = new Map([['-cmd|calc', { labels: ['a'], skills: new Map([['private.a', skill]]) }]]);
    const rows = parse(formatWorkerReport('workers.csv', stats.rows(models))) as string[][];
    expect(rows[0]).toContain('accuracy:-cmd|calc'); // safe: the cell starts with "accuracy"
    expect(rows[1]!.slice(0, 2)).toEqual(['\'=HYPERLINK("http://evil","x")', "'@SUM(1)"]);
    expect(rows[2]![0]).toBe('private.a');
  });
});
