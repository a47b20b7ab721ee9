import { describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { normaliseValue, sideKeysOf } from '../../src/responses/normalise.js';
import { submittedForm } from '../../strategies/submitted-form.js';
import type { AnswerValue } from '../../strategies/types.js';

const answer = (value: AnswerValue) => ({ type: 'answer', value });
const empty = { type: 'empty' };

describe('normaliseValue: the docstring table', () => {
  it('{label: "x"} (crowd-classifier) -> categorical, shape classifier', () => {
    expect(normaliseValue({ label: 'cat' })).toEqual(answer({ kind: 'categorical', value: 'cat', shape: 'classifier' }));
  });

  it('{label, workerComment} -> the comment is ignored', () => {
    expect(normaliseValue({ label: 'cat', workerComment: 'hard to tell' }))
      .toEqual(answer({ kind: 'categorical', value: 'cat', shape: 'classifier' }));
    expect(normaliseValue({ workerComment: '', label: 'dog' }))
      .toEqual(answer({ kind: 'categorical', value: 'dog', shape: 'classifier' }));
  });

  it('{labels: [..]} (multi-select) -> multi-label, shape labels', () => {
    expect(normaliseValue({ labels: ['a', 'b'] }))
      .toEqual(answer({ kind: 'multi-label', labels: ['a', 'b'], options: [], shape: 'labels' }));
    expect(normaliseValue({ labels: [] }))
      .toEqual(answer({ kind: 'multi-label', labels: [], options: [], shape: 'labels' }));
    expect(normaliseValue({ labels: ['a'], workerComment: 'ok' }))
      .toEqual(answer({ kind: 'multi-label', labels: ['a'], options: [], shape: 'labels' }));
  });

  it('{on: bool} (crowd-toggle-button) -> boolean, shape toggle', () => {
    expect(normaliseValue({ on: true })).toEqual(answer({ kind: 'boolean', value: true, shape: 'toggle' }));
    expect(normaliseValue({ on: false })).toEqual(answer({ kind: 'boolean', value: false, shape: 'toggle' }));
  });

  // Changed (issue 10): a one-key map was a radio choice when true and "no answer" when false, so an unticked checkbox
  // or toggle with a value never voted "no". It is a yes/no flag; the field schema regroups radio buttons.
  it('{"x": true} / {"x": false} one key (checkbox or toggle with a value) -> boolean, shape flag', () => {
    expect(normaliseValue({ positive: true })).toEqual(answer({ kind: 'boolean', value: true, shape: 'flag', option: 'positive' }));
    expect(normaliseValue({ yes: false })).toEqual(answer({ kind: 'boolean', value: false, shape: 'flag', option: 'yes' }));
  });

  it('{"a": true, "b": false} (checkbox group) -> multi-label, shape checkbox, all options kept', () => {
    expect(normaliseValue({ a: true, b: false, c: true }))
      .toEqual(answer({ kind: 'multi-label', labels: ['a', 'c'], options: ['a', 'b', 'c'], shape: 'checkbox' }));
    expect(normaliseValue({ a: false, b: false }))
      .toEqual(answer({ kind: 'multi-label', labels: [], options: ['a', 'b'], shape: 'checkbox' }));
  });

  it('["a", "b"] -> multi-label, shape list', () => {
    expect(normaliseValue(['a', 'b'])).toEqual(answer({ kind: 'multi-label', labels: ['a', 'b'], options: [], shape: 'list' }));
  });

  it('3 (crowd-slider) -> numeric, shape number', () => {
    expect(normaliseValue(3)).toEqual(answer({ kind: 'numeric', value: 3, shape: 'number' }));
    expect(normaliseValue(-2.5)).toEqual(answer({ kind: 'numeric', value: -2.5, shape: 'number' }));
    expect(normaliseValue(0)).toEqual(answer({ kind: 'numeric', value: 0, shape: 'number' }));
  });

  it('"3" (select, input) -> numeric, shape numeric-string', () => {
    expect(normaliseValue('3')).toEqual(answer({ kind: 'numeric', value: 3, shape: 'numeric-string' }));
    expect(normaliseValue(' 4 ')).toEqual(answer({ kind: 'numeric', value: 4, shape: 'numeric-string' }));
    expect(normaliseValue('-0.5')).toEqual(answer({ kind: 'numeric', value: -0.5, shape: 'numeric-string' }));
    expect(normaliseValue('+7')).toEqual(answer({ kind: 'numeric', value: 7, shape: 'numeric-string' }));
    expect(normaliseValue('.25')).toEqual(answer({ kind: 'numeric', value: 0.25, shape: 'numeric-string' }));
    expect(normaliseValue('1e3')).toEqual(answer({ kind: 'numeric', value: 1000, shape: 'numeric-string' }));
  });

  it('a numeric string that overflows to Infinity is not a numeric answer (BUG: numbers must be finite)', () => {
    // The number Infinity is an unknown shape (below); "1e400" parses to Infinity and must not slip through as one.
    for (const overflow of ['1e400', '-1e400']) {
      const result = normaliseValue(overflow);
      const nonFiniteNumber = result.type === 'answer' && result.value.kind === 'numeric' && !Number.isFinite(result.value.value);
      expect(nonFiniteNumber, overflow).toBe(false);
    }
  });

  it('true / false -> boolean, shape plain', () => {
    expect(normaliseValue(true)).toEqual(answer({ kind: 'boolean', value: true, shape: 'plain' }));
    expect(normaliseValue(false)).toEqual(answer({ kind: 'boolean', value: false, shape: 'plain' }));
  });

  it('several words or multi-line -> text', () => {
    expect(normaliseValue('text with several words')).toEqual(answer({ kind: 'text', value: 'text with several words' }));
    expect(normaliseValue('two\nlines')).toEqual(answer({ kind: 'text', value: 'two\nlines' }));
    const long = 'x'.repeat(41);
    expect(normaliseValue(long)).toEqual(answer({ kind: 'text', value: long }));
  });

  it('"short" -> categorical, shape string (trimmed)', () => {
    expect(normaliseValue('short')).toEqual(answer({ kind: 'categorical', value: 'short', shape: 'string' }));
    expect(normaliseValue('  short ')).toEqual(answer({ kind: 'categorical', value: 'short', shape: 'string' }));
    // Up to three words and 40 characters still read as a category.
    expect(normaliseValue('not sure yet')).toEqual(answer({ kind: 'categorical', value: 'not sure yet', shape: 'string' }));
    const forty = 'y'.repeat(40);
    expect(normaliseValue(forty)).toEqual(answer({ kind: 'categorical', value: forty, shape: 'string' }));
    // Not a number: "Infinity", "NaN", "1,5", "3 stars".
    expect(normaliseValue('Infinity')).toEqual(answer({ kind: 'categorical', value: 'Infinity', shape: 'string' }));
    expect(normaliseValue('NaN')).toEqual(answer({ kind: 'categorical', value: 'NaN', shape: 'string' }));
    expect(normaliseValue('1,5')).toEqual(answer({ kind: 'categorical', value: '1,5', shape: 'string' }));
    expect(normaliseValue('3 stars')).toEqual(answer({ kind: 'categorical', value: '3 stars', shape: 'string' }));
  });

  it('"" and null -> no answer', () => {
    expect(normaliseValue('')).toEqual(empty);
    expect(normaliseValue('   ')).toEqual(empty);
    expect(normaliseValue(' \n\t')).toEqual(empty);
    expect(normaliseValue(null)).toEqual(empty);
    expect(normaliseValue(undefined)).toEqual(empty);
  });
});

describe('sideKeysOf: what an element adds beside its answer', () => {
  it('returns workerComment, and nothing for values without side keys', () => {
    expect(sideKeysOf({ label: 'cat', workerComment: 'hard to tell' })).toEqual({ workerComment: 'hard to tell' });
    expect(sideKeysOf({ label: 'cat' })).toBeUndefined();
    expect(sideKeysOf('workerComment')).toBeUndefined();
  });
});

describe('normaliseValue: JSON strings (hidden inputs) are decoded first, recursively', () => {
  it('decodes a hidden input holding JSON.stringify({label: "cat"})', () => {
    expect(normaliseValue(JSON.stringify({ label: 'cat' })))
      .toEqual(answer({ kind: 'categorical', value: 'cat', shape: 'classifier' }));
  });

  it('decodes a doubly encoded one', () => {
    const twice = JSON.stringify(JSON.stringify({ label: 'cat' }));
    expect(twice.startsWith('"')).toBe(true);
    expect(normaliseValue(twice)).toEqual(answer({ kind: 'categorical', value: 'cat', shape: 'classifier' }));
  });

  it('decodes other shapes the same way', () => {
    expect(normaliseValue(JSON.stringify(['a', 'b'])))
      .toEqual(answer({ kind: 'multi-label', labels: ['a', 'b'], options: [], shape: 'list' }));
    expect(normaliseValue(JSON.stringify({ a: true, b: false })))
      .toEqual(answer({ kind: 'multi-label', labels: ['a'], options: ['a', 'b'], shape: 'checkbox' }));
    expect(normaliseValue(JSON.stringify({ on: true }))).toEqual(answer({ kind: 'boolean', value: true, shape: 'toggle' }));
    expect(normaliseValue(` ${JSON.stringify({ labels: ['x'] })}\n`))
      .toEqual(answer({ kind: 'multi-label', labels: ['x'], options: [], shape: 'labels' }));
  });

  it('leaves text that only looks like JSON alone', () => {
    expect(normaliseValue('[draft] first pass at this note'))
      .toEqual(answer({ kind: 'text', value: '[draft] first pass at this note' }));
    expect(normaliseValue('{maybe}')).toEqual(answer({ kind: 'categorical', value: '{maybe}', shape: 'string' }));
  });

  it('refuses a __proto__ key inside a JSON string with RejectError hostile-key', () => {
    const hostile = '{"__proto__": {"polluted": true}}';
    expect(() => normaliseValue(hostile)).toThrow(RejectError);
    try {
      normaliseValue(hostile);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RejectError);
      expect((error as RejectError).code).toBe('hostile-key');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a nested or doubly encoded __proto__ key', () => {
    const nested = JSON.stringify({ label: 'x', extra: [{ a: 1 }] }).replace('"a"', '"__proto__"');
    expect(() => normaliseValue(nested)).toThrow(expect.objectContaining({ code: 'hostile-key' }));
    const twice = JSON.stringify('{"__proto__": {"x": 1}}');
    expect(() => normaliseValue(twice)).toThrow(expect.objectContaining({ code: 'hostile-key' }));
  });

  it('refuses a __proto__ key spelt with JSON unicode escapes (BUG: safe-json.ts substring fast path)', () => {
    // JSON.parse turns "\u005f_proto__" into the key "__proto__", but the text never contains the literal
    // "__proto__", so parseUntrustedJson skips its check.
    const escaped = '{"\\u005f_proto__": {"x": 1}}';
    expect(Object.keys(JSON.parse(escaped) as object)).toEqual(['__proto__']);
    expect(() => normaliseValue(escaped)).toThrow(expect.objectContaining({ code: 'hostile-key' }));
    expect(() => normaliseValue('{"__pro\\u0074o__": true}')).toThrow(expect.objectContaining({ code: 'hostile-key' }));
  });

  it('accepts "__proto__" as a plain value', () => {
    expect(normaliseValue(JSON.stringify({ label: '__proto__' })))
      .toEqual(answer({ kind: 'categorical', value: '__proto__', shape: 'classifier' }));
  });
});

describe('normaliseValue: unknown shapes are kept verbatim', () => {
  const unknown = (raw: unknown) => {
    const result = normaliseValue(raw);
    expect(result).toEqual({ type: 'unknown', raw });
    expect((result as { raw: unknown }).raw).toBe(raw);
  };

  it('a bounding-box object', () => {
    unknown({
      annotatedResult: {
        boundingBoxes: [{ height: 10, label: 'car', left: 1, top: 2, width: 20 }],
        inputImageProperties: { height: 480, width: 640 },
      },
    });
  });

  it('an array of objects', () => {
    unknown([{ label: 'a' }, { label: 'b' }]);
    unknown(['a', 1]);
  });

  it('NaN and Infinity', () => {
    unknown(Number.NaN);
    unknown(Number.POSITIVE_INFINITY);
    unknown(Number.NEGATIVE_INFINITY);
  });

  it('objects that match no row', () => {
    unknown({});
    unknown({ label: 3 });
    unknown({ labels: [1, 2] });
    unknown({ a: true, b: 'yes' });
  });
});

describe('submittedForm round-trips each shape', () => {
  // submitted JSON -> normalised -> submittedForm gives the same JSON back.
  const rows: Array<[string, unknown]> = [
    ['classifier', { label: 'cat' }],
    ['multi-select labels', { labels: ['a', 'b'] }],
    ['toggle on', { on: true }],
    ['toggle off', { on: false }],
    ['flag ticked', { positive: true }],
    ['flag unticked', { occluded: false }],
    ['checkbox group', { a: true, b: false, c: true }],
    ['string list', ['x', 'y']],
    ['slider number', 3.5],
    ['plain boolean', false],
    ['free text', 'text with several words'],
    ['short string', 'short'],
  ];

  it.each(rows)('%s', (_name, submitted) => {
    const normalised = normaliseValue(submitted);
    expect(normalised.type).toBe('answer');
    if (normalised.type !== 'answer') return;
    expect(submittedForm(normalised.value)).toEqual(submitted);
  });

  it('a numeric string is written back as a number', () => {
    const normalised = normaliseValue('4');
    expect(normalised).toEqual(answer({ kind: 'numeric', value: 4, shape: 'numeric-string' }));
    if (normalised.type !== 'answer') return;
    expect(submittedForm(normalised.value)).toBe(4);
  });

  it('each AnswerValue shape survives submittedForm then normaliseValue', () => {
    const values: AnswerValue[] = [
      { kind: 'categorical', value: 'cat', shape: 'classifier' },
      { kind: 'categorical', value: 'cat', shape: 'string' },
      { kind: 'multi-label', labels: ['a', 'b'], options: [], shape: 'labels' },
      { kind: 'multi-label', labels: ['b'], options: ['a', 'b', 'c'], shape: 'checkbox' },
      { kind: 'multi-label', labels: ['a'], options: [], shape: 'list' },
      { kind: 'numeric', value: 7, shape: 'number' },
      { kind: 'text', value: 'a longer free text answer' },
      { kind: 'boolean', value: true, shape: 'toggle' },
      { kind: 'boolean', value: false, shape: 'plain' },
      { kind: 'boolean', value: false, shape: 'flag', option: 'yes' },
    ];
    for (const value of values) expect(normaliseValue(submittedForm(value)), JSON.stringify(value)).toEqual(answer(value));
  });

  it('writes a single choice over all its options, and a Likert choice as its number', () => {
    expect(submittedForm({ kind: 'categorical', value: 'b', shape: 'radio', options: ['a', 'b', 'c'] }))
      .toEqual({ a: false, b: true, c: false });
    expect(submittedForm({ kind: 'categorical', value: 'b', shape: 'radio' })).toEqual({ b: true });
    expect(submittedForm({ kind: 'numeric', value: 3, shape: 'radio' })).toBe(3);
  });

  it('writes a checkbox value over all options, in option order', () => {
    expect(submittedForm({ kind: 'multi-label', labels: ['c', 'a'], options: ['a', 'b', 'c'], shape: 'checkbox' }))
      .toEqual({ a: true, b: false, c: true });
  });
});
