/**
 * The writers' rows against the formats' required fields and types, from `shared/reference/rlhf-formats.md` §0–§2.3.
 * The validators (`test/helpers/rlhf-validators.ts`) return a list of problems (empty = valid).
 */
import { describe, expect, it } from 'vitest';
import { ktoRows, pairRow, type Message, type PairRecord } from '../../src/export/formats.js';
import { ktoProblems, novaProblems, openaiProblems, trlProblems } from '../helpers/rlhf-validators.js';

/* ---- the writers ---- */

const record = (overrides: Partial<PairRecord> = {}): PairRecord => ({
  id: '1',
  dimension: 'Clarity',
  prompt: 'The sky is',
  chosen: ' blue.',
  rejected: ' green.',
  margin: 1.5,
  scoreChosen: 2,
  scoreRejected: 0.5,
  tie: false,
  ...overrides,
});

const conversation: Message[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What colour is the sky?' },
  { role: 'assistant', content: 'Which sky?' },
  { role: 'user', content: 'Ours, at noon.' },
];

describe('the validators themselves', () => {
  it('reject rows that miss fields or have the wrong types', () => {
    expect(trlProblems({ prompt: 'p', chosen: 'c' }, { withScores: false })).toContain('missing rejected');
    expect(trlProblems({ prompt: 'p', chosen: 'c', rejected: 'r', margin: '1' }, { withScores: true }).length).toBeGreaterThan(0);
    expect(trlProblems({ prompt: 'p', chosen: 'c', rejected: 'r', margin: 1 }, { withScores: false }).length).toBeGreaterThan(0);
    expect(trlProblems({ prompt: [{ role: 'user', content: 'p' }], chosen: 'c', rejected: 'r' }, { withScores: false }).length).toBeGreaterThan(0);
    expect(trlProblems({
      prompt: [{ role: 'user', content: 'p' }],
      chosen: [{ role: 'assistant', content: 'c' }, { role: 'assistant', content: 'd' }],
      rejected: [{ role: 'assistant', content: 'r' }],
    }, { withScores: false }).length).toBeGreaterThan(0);
    expect(ktoProblems({ prompt: 'p', completion: 'c', label: 'true' })).toContain('label: not a boolean');
    expect(openaiProblems({ input: { messages: [] }, preferred_output: [], non_preferred_output: [] }).length).toBeGreaterThan(0);
    expect(openaiProblems({
      input: { messages: [{ role: 'user', content: 'p' }] },
      preferred_output: [{ role: 'user', content: 'c' }],
      non_preferred_output: [{ role: 'assistant', content: 'r' }],
    })).toEqual(['preferred_output[0].role: user, not assistant']);
    expect(novaProblems({ messages: [{ role: 'system', content: [{ text: 's' }] }, { role: 'assistant', candidates: [] }] }).length)
      .toBeGreaterThan(0);
  });

  it('accept the reference\'s own examples', () => {
    expect(trlProblems({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' }, { withScores: false })).toEqual([]);
    expect(trlProblems({
      prompt: [{ role: 'user', content: 'What color is the sky?' }],
      chosen: [{ role: 'assistant', content: 'It is blue.' }],
      rejected: [{ role: 'assistant', content: 'It is green.' }],
    }, { withScores: false })).toEqual([]);
    expect(ktoProblems({ prompt: 'The sky is', completion: ' blue.', label: true })).toEqual([]);
    expect(ktoProblems({
      prompt: [{ role: 'user', content: 'What color is the sky?' }],
      completion: [{ role: 'assistant', content: 'It is green.' }],
      label: false,
    })).toEqual([]);
    expect(openaiProblems({
      input: { messages: [{ role: 'user', content: 'Hello, can you tell me how cold San Francisco is today?' }], tools: [], parallel_tool_calls: true },
      preferred_output: [{ role: 'assistant', content: 'Today in San Francisco, it is not quite cold as expected.' }],
      non_preferred_output: [{ role: 'assistant', content: 'It is not particularly cold in San Francisco today.' }],
    })).toEqual([]);
    expect(novaProblems({
      system: [{ text: '…' }],
      messages: [
        { role: 'user', content: [{ text: '…' }] },
        { role: 'assistant', candidates: [
          { content: [{ text: '…' }], preferenceLabel: 'preferred' },
          { content: [{ text: '…' }], preferenceLabel: 'non-preferred' },
        ] },
      ],
    })).toEqual([]);
  });
});

describe('trl rows', () => {
  it('standard: strings, with margin and scores by default', () => {
    const row = pairRow('trl', record(), true);
    expect(row).toEqual({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.', margin: 1.5, score_chosen: 2, score_rejected: 0.5 });
    expect(trlProblems(row, { withScores: true })).toEqual([]);
  });

  it('standard without scores: exactly {prompt, chosen, rejected}', () => {
    const row = pairRow('trl', record(), false);
    expect(row).toEqual({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' });
    expect(trlProblems(row, { withScores: false })).toEqual([]);
  });

  it('conversational: the prompt as given (system kept), chosen and rejected a single assistant message', () => {
    const row = pairRow('trl', record({ prompt: conversation }), true);
    expect(row).toEqual({
      prompt: conversation,
      chosen: [{ role: 'assistant', content: ' blue.' }],
      rejected: [{ role: 'assistant', content: ' green.' }],
      margin: 1.5,
      score_chosen: 2,
      score_rejected: 0.5,
    });
    expect(trlProblems(row, { withScores: true })).toEqual([]);
    expect(trlProblems(pairRow('trl', record({ prompt: conversation }), false), { withScores: false })).toEqual([]);
  });

  it('flags a kept tie', () => {
    const row = pairRow('trl', record({ tie: true, margin: 0, scoreChosen: 1, scoreRejected: 1 }), true);
    expect(row.tie).toBe(true);
    expect(trlProblems(row, { withScores: true })).toEqual([]);
    expect(pairRow('trl', record(), true)).not.toHaveProperty('tie');
  });

  it('keeps negative margins and scores as numbers (e.g. ranks read as −rank)', () => {
    const row = pairRow('trl', record({ margin: 0.25, scoreChosen: -1.25, scoreRejected: -1.5 }), true);
    expect(row).toMatchObject({ margin: 0.25, score_chosen: -1.25, score_rejected: -1.5 });
  });
});

describe('openai rows', () => {
  it('a text prompt becomes one user message', () => {
    const row = pairRow('openai', record(), true);
    expect(row).toEqual({
      input: { messages: [{ role: 'user', content: 'The sky is' }] },
      preferred_output: [{ role: 'assistant', content: ' blue.' }],
      non_preferred_output: [{ role: 'assistant', content: ' green.' }],
    });
    expect(openaiProblems(row)).toEqual([]);
  });

  it('a conversation is the input as given; no scores or tie flags', () => {
    const row = pairRow('openai', record({ prompt: conversation, tie: true }), true);
    expect(row).toEqual({
      input: { messages: conversation },
      preferred_output: [{ role: 'assistant', content: ' blue.' }],
      non_preferred_output: [{ role: 'assistant', content: ' green.' }],
    });
    expect(openaiProblems(row)).toEqual([]);
  });
});

describe('nova rows', () => {
  it('a text prompt: one user turn then the candidates, no system', () => {
    const row = pairRow('nova', record(), true);
    expect(row).toEqual({
      messages: [
        { role: 'user', content: [{ text: 'The sky is' }] },
        {
          role: 'assistant',
          candidates: [
            { content: [{ text: ' blue.' }], preferenceLabel: 'preferred' },
            { content: [{ text: ' green.' }], preferenceLabel: 'non-preferred' },
          ],
        },
      ],
    });
    expect(novaProblems(row)).toEqual([]);
  });

  it('system messages move to `system`; earlier turns keep their order as {role, content: [{text}]}', () => {
    const row = pairRow('nova', record({ prompt: conversation }), true);
    expect(row).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'What colour is the sky?' }] },
        { role: 'assistant', content: [{ text: 'Which sky?' }] },
        { role: 'user', content: [{ text: 'Ours, at noon.' }] },
        {
          role: 'assistant',
          candidates: [
            { content: [{ text: ' blue.' }], preferenceLabel: 'preferred' },
            { content: [{ text: ' green.' }], preferenceLabel: 'non-preferred' },
          ],
        },
      ],
    });
    expect(novaProblems(row)).toEqual([]);
  });

  it('a conversation without a system message has no `system` key', () => {
    const row = pairRow('nova', record({ prompt: [{ role: 'user', content: 'Hi?' }] }), true);
    expect(row).not.toHaveProperty('system');
    expect(novaProblems(row)).toEqual([]);
  });
});

describe('trl-kto rows', () => {
  const a = 'Answer A.';
  const b = 'Answer B.';
  const c = 'Answer C.';

  it('labels each chosen response true and each rejected one false, once each', () => {
    // best-vs-others over A > B > C: (A, B), (A, C).
    const { rows, conflicts } = ktoRows([record({ chosen: a, rejected: b }), record({ chosen: a, rejected: c })]);
    expect(rows).toEqual([
      { prompt: 'The sky is', completion: a, label: true },
      { prompt: 'The sky is', completion: b, label: false },
      { prompt: 'The sky is', completion: c, label: false },
    ]);
    expect(conflicts).toBe(0);
    for (const row of rows) expect(ktoProblems(row)).toEqual([]);
  });

  it('leaves out and counts a response that is chosen in one pair and rejected in another', () => {
    // all-pairs over A > B > C: B is both.
    const { rows, conflicts } = ktoRows([
      record({ chosen: a, rejected: b }), record({ chosen: a, rejected: c }), record({ chosen: b, rejected: c }),
    ]);
    expect(rows).toEqual([
      { prompt: 'The sky is', completion: a, label: true },
      { prompt: 'The sky is', completion: c, label: false },
    ]);
    expect(conflicts).toBe(1);
  });

  it('conversational: the completion is a single assistant message', () => {
    const { rows } = ktoRows([record({ prompt: conversation, chosen: a, rejected: b })]);
    expect(rows).toEqual([
      { prompt: conversation, completion: [{ role: 'assistant', content: a }], label: true },
      { prompt: conversation, completion: [{ role: 'assistant', content: b }], label: false },
    ]);
    for (const row of rows) expect(ktoProblems(row)).toEqual([]);
  });

  it('no pairs, no rows', () => {
    expect(ktoRows([])).toEqual({ rows: [], conflicts: 0 });
  });
});
