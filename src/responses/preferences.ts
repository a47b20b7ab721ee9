/**
 * Preference judgments inside `answerContent`, as one field per dimension (see the `preference` answer kind):
 *
 * - crowd-text-ranking: `ordinalRankingDimensions: [{name?, responseRankings: [2, 1, 3]}]`, at the top level (what AWS's
 *   samples read) or under the element's `name` (`textRanking`, or `crowd-form-submit` in older template copies).
 *   `responseRankings[i]` is the rank of response i, 1 = best, equal ranks are ties. A dimension without a `name` is
 *   called after the template's `ordinal-ranking-dimensions` order when configured (`dimensionNames`), else `dimension-<n>`.
 * - human evaluation (SageMaker Clarify / Bedrock): `evaluationResults.{comparisonChoice, comparisonRank,
 *   individualLikertScale, thumbsUpDown, comparisonLikertScale}`, one field per `metricName`, responses indexed by
 *   `modelResponseId`. `thumbsUpDown` becomes a 1/0 rating. `comparisonLikertScale` (range and direction UNVERIFIED in
 *   AWS's docs) is read as a 5-point scale, 1 = left much better, 3 = equal, 5 = right much better: scores
 *   left 0, right `result − 3`.
 * - configured pairwise choices (a radio group or classifier whose options name responses) and per-response ratings
 *   (one slider or select per response): `PreferenceMapping`.
 */
import type { AnswerValue } from '../../strategies/types.js';
import { isRecord } from '../json.js';

export interface PreferenceMapping {
  /** Names for unnamed ranking dimensions, in the template's `ordinal-ranking-dimensions` order. */
  dimensionNames?: readonly string[];
  /** dimension → the answer fields holding the choice, and option value → response index (0-based). */
  choices?: Readonly<Record<string, { fields: readonly string[]; options: Readonly<Record<string, number>> }>>;
  /** dimension → one answer field per response, in response order, each holding a number. */
  ratings?: Readonly<Record<string, readonly string[]>>;
}

type Preference = Extract<AnswerValue, { kind: 'preference' }>;

/** The ranking dimensions of one answer, if it has any, wherever they sit. */
function rankingDimensions(content: Record<string, unknown>): { key: string; dimensions: unknown[] } | undefined {
  if (Array.isArray(content.ordinalRankingDimensions)) return { key: 'ordinalRankingDimensions', dimensions: content.ordinalRankingDimensions };
  for (const [key, value] of Object.entries(content)) {
    if (isRecord(value) && Array.isArray(value.ordinalRankingDimensions)) return { key, dimensions: value.ordinalRankingDimensions };
  }
  return undefined;
}

const ranking = (ranks: readonly unknown[]): Preference => ({
  kind: 'preference',
  source: 'ranking',
  scores: ranks.map((rank) => (typeof rank === 'number' && Number.isFinite(rank) ? -rank : null)),
});

/** Places `score` at response `index` of the dimension's judgment, growing it as needed. */
function place(into: Map<string, Preference>, dimension: string, source: Preference['source'], index: number, score: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 1000) return;
  let preference = into.get(dimension);
  if (!preference) into.set(dimension, (preference = { kind: 'preference', source, scores: [] }));
  while (preference.scores.length <= index) preference.scores.push(null);
  preference.scores[index] = score;
}

function evaluationResults(results: Record<string, unknown>): Map<string, Preference> {
  const found = new Map<string, Preference>();
  const entries = (key: string) => (Array.isArray(results[key]) ? results[key].filter(isRecord) : []);
  const id = (value: unknown) => Number(value);
  for (const entry of entries('comparisonChoice')) {
    const chosen = isRecord(entry.result) ? id(entry.result.modelResponseId) : Number.NaN;
    if (typeof entry.metricName !== 'string' || !Number.isInteger(chosen)) continue;
    // A choice between the two responses of a comparison job: chosen 1, the other 0.
    for (let index = 0; index < Math.max(2, chosen + 1); index += 1) place(found, entry.metricName, 'choice', index, index === chosen ? 1 : 0);
  }
  for (const entry of entries('comparisonRank')) {
    if (typeof entry.metricName !== 'string' || !Array.isArray(entry.result)) continue;
    for (const item of entry.result.filter(isRecord)) {
      if (typeof item.rank === 'number') place(found, entry.metricName, 'ranking', id(item.modelResponseId), -item.rank);
    }
  }
  for (const entry of entries('individualLikertScale')) {
    if (typeof entry.metricName === 'string' && typeof entry.result === 'number') {
      place(found, entry.metricName, 'rating', id(entry.modelResponseId), entry.result);
    }
  }
  for (const entry of entries('thumbsUpDown')) {
    if (typeof entry.metricName === 'string' && typeof entry.result === 'boolean') {
      place(found, entry.metricName, 'rating', id(entry.modelResponseId), entry.result ? 1 : 0);
    }
  }
  for (const entry of entries('comparisonLikertScale')) {
    if (typeof entry.metricName !== 'string' || typeof entry.result !== 'number') continue;
    place(found, entry.metricName, 'rating', id(entry.leftModelResponseId), 0);
    place(found, entry.metricName, 'rating', id(entry.rightModelResponseId), entry.result - 3);
  }
  return found;
}

/** The option a choice answer names: a label or number, a ticked radio button (`{"B": true}`), or the one `true` of a
 * same-name radio's map. */
function chosenOption(value: AnswerValue | undefined): string | undefined {
  if (value?.kind === 'categorical' || value?.kind === 'numeric') return String(value.value);
  if (value?.kind === 'boolean' && value.shape === 'flag') return value.value ? value.option : undefined;
  if (value?.kind === 'multi-label' && value.shape === 'checkbox' && value.labels.length === 1) return value.labels[0];
  return undefined;
}

/**
 * The preference fields of one worker's `answerContent`, and the keys they consumed (which are then not normalised as
 * ordinary fields). `choices` and `ratings` read ordinary fields that `normaliseValue` has typed already: `typed(field)`.
 */
export function preferenceFields(
  content: Record<string, unknown>,
  mapping: PreferenceMapping,
  typed: (field: string) => AnswerValue | undefined,
): { fields: Map<string, Preference>; consumed: Set<string> } {
  const fields = new Map<string, Preference>();
  const consumed = new Set<string>();
  const rankings = rankingDimensions(content);
  if (rankings) {
    consumed.add(rankings.key);
    rankings.dimensions.forEach((dimension, index) => {
      if (!isRecord(dimension) || !Array.isArray(dimension.responseRankings)) return;
      const name = typeof dimension.name === 'string' ? dimension.name : mapping.dimensionNames?.[index] ?? `dimension-${index + 1}`;
      fields.set(name, ranking(dimension.responseRankings));
    });
  }
  if (isRecord(content.evaluationResults)) {
    consumed.add('evaluationResults');
    for (const [name, preference] of evaluationResults(content.evaluationResults)) fields.set(name, preference);
  }
  for (const [dimension, { fields: sources, options }] of Object.entries(mapping.choices ?? {})) {
    for (const source of sources) {
      const option = chosenOption(typed(source));
      const chosen = option === undefined ? undefined : options[option];
      // An option the mapping does not name stays an ordinary field, so the answer is kept, not lost.
      if (chosen === undefined) continue;
      consumed.add(source);
      const count = Math.max(...Object.values(options)) + 1;
      for (let index = 0; index < count; index += 1) place(fields, dimension, 'choice', index, index === chosen ? 1 : 0);
    }
  }
  for (const [dimension, sources] of Object.entries(mapping.ratings ?? {})) {
    sources.forEach((source, index) => {
      const value = typed(source);
      if (!value) return;
      consumed.add(source);
      if (value.kind === 'numeric') place(fields, dimension, 'rating', index, value.value);
    });
  }
  return { fields, consumed };
}
