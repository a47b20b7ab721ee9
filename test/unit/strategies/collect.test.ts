import { describe, expect, it } from 'vitest';
import { collect } from '../../../strategies/collect.js';
import type { FieldAnswer } from '../../../strategies/types.js';
import { byWorkers, noRandom, plainString, text } from './fixtures.js';

const decide = (answers: FieldAnswer[]) => collect.create(collect.options.parse({})).decide(answers, noRandom);

describe('collect', () => {
  it('keeps distinct trimmed texts, most frequent first, with counts', () => {
    const decision = decide(byWorkers([
      text('the image is blurry'),
      text('  a second opinion here  '),
      text('the image is blurry\n'),
      text('the image is blurry'),
      text('a second opinion here'),
      text('nothing to add at all'),
    ]));
    expect(decision.value).toEqual(['the image is blurry', 'a second opinion here', 'nothing to add at all']);
    expect(decision.details).toEqual({
      counts: [
        { text: 'the image is blurry', count: 3 },
        { text: 'a second opinion here', count: 2 },
        { text: 'nothing to add at all', count: 1 },
      ],
    });
    // Top share 3 / 6.
    expect(decision.confidence).toBeCloseTo(0.5, 12);
  });

  it('keeps answer order among equal counts', () => {
    const decision = decide(byWorkers([text('zebra stripes are nice'), text('apple pie is good'), text('mango juice too')]));
    expect(decision.value).toEqual(['zebra stripes are nice', 'apple pie is good', 'mango juice too']);
    expect(decision.confidence).toBeCloseTo(1 / 3, 12);
  });

  it('a later, more frequent text moves ahead; ties behind it stay in answer order', () => {
    const decision = decide(byWorkers([text('b one two three'), text('a one two three'), text('c one two three'), text('c one two three')]));
    expect(decision.value).toEqual(['c one two three', 'b one two three', 'a one two three']);
    expect(decision.details?.counts).toEqual([
      { text: 'c one two three', count: 2 },
      { text: 'b one two three', count: 1 },
      { text: 'a one two three', count: 1 },
    ]);
    expect(decision.confidence).toBe(0.5);
  });

  it('confidence is 1 when everyone wrote the same thing (after trimming)', () => {
    const decision = decide(byWorkers([text('all good here now'), text(' all good here now'), text('all good here now  ')]));
    expect(decision.value).toEqual(['all good here now']);
    expect(decision.details?.counts).toEqual([{ text: 'all good here now', count: 3 }]);
    expect(decision.confidence).toBe(1);
  });

  it('does not merge texts that differ in case or inner whitespace', () => {
    const decision = decide(byWorkers([text('Hello there my friend'), text('hello there my friend'), text('hello  there my friend')]));
    expect(decision.value).toHaveLength(3);
  });

  it('collects short categorical strings too', () => {
    const decision = decide(byWorkers([plainString('cat'), text('cat'), plainString('dog')]));
    expect(decision.value).toEqual(['cat', 'dog']);
    expect(decision.details?.counts).toEqual([{ text: 'cat', count: 2 }, { text: 'dog', count: 1 }]);
    expect(decision.confidence).toBeCloseTo(2 / 3, 12);
  });

  it('keeps answers rather than deciding, and takes no options', () => {
    expect(collect.keepsAnswers).toBe(true);
    expect(collect.name).toBe('collect');
    expect([...collect.kinds].sort()).toEqual(['categorical', 'text']);
    expect(collect.options.parse({})).toEqual({});
    expect(collect.options.safeParse({ trim: false }).success).toBe(false);
  });
});
