import { describe, expect, it } from 'vitest';
import { normaliseValue } from '../../src/responses/normalise.js';
import { preferenceFields, type PreferenceMapping } from '../../src/responses/preferences.js';
import type { AnswerValue } from '../../strategies/types.js';

/** `typed` as the pipeline builds it: each key of the answer normalised on its own. */
const typedFrom = (content: Record<string, unknown>) => (field: string): AnswerValue | undefined => {
  const normalised = normaliseValue(content[field]);
  return normalised.type === 'answer' ? normalised.value : undefined;
};

const read = (content: Record<string, unknown>, mapping: PreferenceMapping = {}) => {
  const { fields, consumed } = preferenceFields(content, mapping, typedFrom(content));
  return { fields: Object.fromEntries(fields), consumed: [...consumed].sort() };
};

const ranking = (...scores: (number | null)[]) => ({ kind: 'preference', source: 'ranking', scores });
const choice = (...scores: (number | null)[]) => ({ kind: 'preference', source: 'choice', scores });
const rating = (...scores: (number | null)[]) => ({ kind: 'preference', source: 'rating', scores });

describe('preferenceFields: crowd-text-ranking ordinalRankingDimensions', () => {
  it('reads named dimensions at the top level: score = −rank, ties kept', () => {
    const { fields, consumed } = read({
      ordinalRankingDimensions: [
        { name: 'Clarity', responseRankings: [2, 1, 3] },
        { name: 'Inclusivity', responseRankings: [1, 1, 2] },
      ],
    });
    expect(fields).toEqual({ Clarity: ranking(-2, -1, -3), Inclusivity: ranking(-1, -1, -2) });
    expect(consumed).toEqual(['ordinalRankingDimensions']);
  });

  it.each(['textRanking', 'crowd-form-submit'])('reads the dimensions under the element name %s', (element) => {
    const { fields, consumed } = read({
      [element]: { ordinalRankingDimensions: [{ name: 'Clarity', responseRankings: [3, 1, 2] }] },
      comment: 'The first response is far too long.',
    });
    expect(fields).toEqual({ Clarity: ranking(-3, -1, -2) });
    expect(consumed).toEqual([element]);
  });

  it('names an unnamed dimension after mapping.dimensionNames by position, else dimension-<n> (1-based)', () => {
    const content = {
      ordinalRankingDimensions: [
        { responseRankings: [1, 2] },
        { name: 'Own name', responseRankings: [2, 1] },
        { responseRankings: [1, 1] },
      ],
    };
    expect(read(content).fields).toEqual({
      'dimension-1': ranking(-1, -2),
      'Own name': ranking(-2, -1),
      'dimension-3': ranking(-1, -1),
    });
    // A configured name for position 2 does not override the dimension's own name; a missing third name falls back.
    expect(read(content, { dimensionNames: ['Clarity', 'Ignored'] }).fields).toEqual({
      Clarity: ranking(-1, -2),
      'Own name': ranking(-2, -1),
      'dimension-3': ranking(-1, -1),
    });
    expect(read(content, { dimensionNames: ['Clarity', 'Ignored', 'Inclusivity'] }).fields).toEqual({
      Clarity: ranking(-1, -2),
      'Own name': ranking(-2, -1),
      Inclusivity: ranking(-1, -1),
    });
  });

  it('keeps the template position of a dimension after a malformed one', () => {
    const { fields } = read(
      { ordinalRankingDimensions: [{ name: 'A', responseRankings: [1, 2] }, { responseRankings: 'nope' }, 7, { responseRankings: [2, 1] }] },
      { dimensionNames: ['A', 'B', 'C', 'D'] },
    );
    expect(fields).toEqual({ A: ranking(-1, -2), D: ranking(-2, -1) });
  });

  it('turns a rank that is not a finite number into null (not judged)', () => {
    const { fields } = read({ ordinalRankingDimensions: [{ name: 'Clarity', responseRankings: [1, '2', null, 3, Number.NaN] }] });
    expect(fields).toEqual({ Clarity: ranking(-1, null, null, -3, null) });
  });

  it('consumes nothing when there is no preference in the answer', () => {
    expect(read({ sentiment: { label: 'positive' }, score: 4 })).toEqual({ fields: {}, consumed: [] });
  });
});

describe('preferenceFields: human evaluation evaluationResults', () => {
  it('comparisonChoice: the chosen response 1, the other 0', () => {
    const { fields, consumed } = read({
      evaluationResults: {
        comparisonChoice: [
          { metricName: 'Fluency', result: { modelResponseId: '1' } },
          { metricName: 'Helpfulness', result: { modelResponseId: '0' } },
        ],
      },
    });
    expect(fields).toEqual({ Fluency: choice(0, 1), Helpfulness: choice(1, 0) });
    expect(consumed).toEqual(['evaluationResults']);
  });

  it('comparisonRank: score = −rank by modelResponseId, ties kept', () => {
    const { fields } = read({
      evaluationResults: {
        comparisonRank: [
          { metricName: 'Toxicity', result: [{ modelResponseId: '0', rank: 1 }, { modelResponseId: '1', rank: 1 }] },
          { metricName: 'Style', result: [{ modelResponseId: '1', rank: 1 }, { modelResponseId: '0', rank: 2 }] },
        ],
      },
    });
    expect(fields).toEqual({ Toxicity: ranking(-1, -1), Style: ranking(-2, -1) });
  });

  it('individualLikertScale: entries of one metric combine into one scores array by modelResponseId', () => {
    const { fields } = read({
      evaluationResults: {
        individualLikertScale: [
          { metricName: 'Correctness', modelResponseId: '1', result: 4 },
          { metricName: 'Correctness', modelResponseId: '0', result: 2 },
          { metricName: 'Completeness', modelResponseId: '1', result: 5 },
        ],
      },
    });
    expect(fields).toEqual({ Correctness: rating(2, 4), Completeness: rating(null, 5) });
  });

  it('thumbsUpDown: up 1, down 0', () => {
    const { fields } = read({
      evaluationResults: {
        thumbsUpDown: [
          { metricName: 'Accuracy', modelResponseId: '0', result: true },
          { metricName: 'Accuracy', modelResponseId: '1', result: false },
        ],
      },
    });
    expect(fields).toEqual({ Accuracy: rating(1, 0) });
  });

  it('comparisonLikertScale: left 0, right result − 3, resolved through the left/right ids', () => {
    const { fields } = read({
      evaluationResults: {
        comparisonLikertScale: [
          // 1 = left much better; left is response 1 here (positions randomised).
          { metricName: 'Coherence', leftModelResponseId: '1', rightModelResponseId: '0', result: 1 },
          { metricName: 'Relevance', leftModelResponseId: '0', rightModelResponseId: '1', result: 5 },
          { metricName: 'Tone', leftModelResponseId: '0', rightModelResponseId: '1', result: 3 },
        ],
      },
    });
    expect(fields).toEqual({ Coherence: rating(-2, 0), Relevance: rating(0, 2), Tone: rating(0, 0) });
  });

  it('reads every rating method of one answer side by side', () => {
    const { fields, consumed } = read({
      evaluationResults: {
        comparisonChoice: [{ metricName: 'Fluency', result: { modelResponseId: '0' } }],
        comparisonRank: [{ metricName: 'Toxicity', result: [{ modelResponseId: '0', rank: 2 }, { modelResponseId: '1', rank: 1 }] }],
        individualLikertScale: [{ metricName: 'Correctness', modelResponseId: '0', result: 3 }],
        thumbsUpDown: [{ metricName: 'Accuracy', modelResponseId: '1', result: true }],
      },
      comment: 'Both were fine, honestly.',
    });
    expect(fields).toEqual({
      Fluency: choice(1, 0),
      Toxicity: ranking(-2, -1),
      Correctness: rating(3),
      Accuracy: rating(null, 1),
    });
    expect(consumed).toEqual(['evaluationResults']);
  });
});

describe('preferenceFields: configured choices and ratings', () => {
  const mapping: PreferenceMapping = {
    choices: { Overall: { fields: ['preferred'], options: { A: 0, B: 1, C: 2 } } },
    ratings: { Helpfulness: ['rating0', 'rating1', 'rating2'] },
  };

  it('maps a radio value onto its response: chosen 1, every other option 0', () => {
    const { fields, consumed } = read({ preferred: { B: true } }, mapping);
    expect(fields).toEqual({ Overall: choice(0, 1, 0) });
    expect(consumed).toEqual(['preferred']);
  });

  it('maps a same-name radio map by its one true option, and not an unticked button', () => {
    expect(read({ preferred: { A: false, B: false, C: true } }, mapping).fields).toEqual({ Overall: choice(0, 0, 1) });
    expect(read({ preferred: { B: false } }, mapping).fields).toEqual({});
  });

  it('maps a classifier value and a two-option choice', () => {
    const two: PreferenceMapping = { choices: { Overall: { fields: ['better'], options: { left: 0, right: 1 } } } };
    expect(read({ better: { label: 'right' } }, two).fields).toEqual({ Overall: choice(0, 1) });
    expect(read({ better: { label: 'left' } }, two).fields).toEqual({ Overall: choice(1, 0) });
  });

  it('maps a numeric select value through its string form', () => {
    const numeric: PreferenceMapping = { choices: { Overall: { fields: ['pick'], options: { 1: 0, 2: 1 } } } };
    expect(read({ pick: '2' }, numeric).fields).toEqual({ Overall: choice(0, 1) });
  });

  it('ignores an option that names no response', () => {
    expect(read({ preferred: { 'Both equal': true } }, mapping).fields).toEqual({});
  });

  it('reads per-response ratings in response order; a missing one stays null', () => {
    const { fields, consumed } = read({ rating0: 4, rating1: '5', rating2: 2 }, mapping);
    expect(fields).toEqual({ Helpfulness: rating(4, 5, 2) });
    expect(consumed).toEqual(['rating0', 'rating1', 'rating2']);
    expect(read({ rating0: 4, rating2: 1 }, mapping).fields).toEqual({ Helpfulness: rating(4, null, 1) });
  });

  it('leaves fields the mapping does not name to ordinary normalisation', () => {
    const { fields, consumed } = read({ preferred: { A: true }, rating1: 3, note: 'Response A is clearly better here.' }, mapping);
    expect(fields).toEqual({ Overall: choice(1, 0, 0), Helpfulness: rating(null, 3) });
    expect(consumed).toEqual(['preferred', 'rating1']);
  });
});
