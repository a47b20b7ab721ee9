import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { modeOrLowerMedian, spans } from '../../../strategies/spans.js';
import type { AnswerValue, LabeledSpan } from '../../../strategies/types.js';
import { byWorkers, noRandom } from './fixtures.js';

const labels = ['LOC', 'ORG', 'PER'];
const create = (options: Record<string, unknown> = {}) => spans.create(spans.options.parse(options), { labels });
const marked = (entities: LabeledSpan[]): AnswerValue => ({ kind: 'spans', spans: entities });
const span = (label: string, startOffset: number, endOffset: number): LabeledSpan => ({ label, startOffset, endOffset });

describe('spans strategy', () => {
  it('takes the mode of starts and ends, the lower median on a tie', () => {
    expect(modeOrLowerMedian([4, 4, 5])).toBe(4);
    expect(modeOrLowerMedian([4, 5, 6, 7])).toBe(5);
    expect(modeOrLowerMedian([7, 3])).toBe(3);
  });

  it('writes the built-in NER format, one confidence per entity', () => {
    const decision = create().decide(byWorkers([
      marked([span('PER', 0, 5), span('LOC', 20, 26)]),
      marked([span('PER', 0, 5), span('LOC', 19, 26)]),
      marked([span('PER', 0, 6)]),
    ]), noRandom);
    expect(decision.value).toEqual({
      annotations: {
        entities: [span('PER', 0, 5), span('LOC', 19, 26)],
        labels: [{ label: 'LOC' }, { label: 'ORG' }, { label: 'PER' }],
      },
    });
    const { entities } = decision.details as { entities: { confidence: number; votes: number }[] };
    expect(entities.map(({ votes }) => votes)).toEqual([3, 2]);
    // PER: 3/3 workers × mean IoU (1, 1, 5/6).
    expect(entities[0]!.confidence).toBeCloseTo((1 + 1 + 5 / 6) / 3, 12);
  });

  it('gives confidence 0 with one worker, as AWS does', () => {
    const decision = create().decide(byWorkers([marked([span('PER', 0, 5)])]), noRandom);
    expect(decision.confidence).toBe(0);
    expect((decision.details as { entities: { confidence: number }[] }).entities).toEqual([{ confidence: 0, votes: 1 }]);
  });

  it('recovers the true entities of a job with jittered, missed, extra and mislabelled spans (span F1)', () => {
    const random = seededRandom(11);
    let truePositives = 0;
    let found = 0;
    let truths = 0;
    for (let object = 0; object < 200; object += 1) {
      const truth = [span(labels[object % 3]!, 0, 6 + (object % 5)), span(labels[(object + 1) % 3]!, 30, 38)];
      const answers = Array.from({ length: 5 }, () => {
        const entities = truth.filter(() => random() > 0.1).map((s) => (random() < 0.1 ? { ...s, endOffset: s.endOffset + 1 } : s));
        if (random() < 0.05) entities.push(span('ORG', 50, 55)); // an extra entity
        if (random() < 0.1 && entities[0]) entities[0] = { ...entities[0], label: labels[(labels.indexOf(entities[0].label) + 1) % 3]! }; // a wrong label
        return marked(entities);
      });
      const result = (create().decide(byWorkers(answers), noRandom).value as { annotations: { entities: LabeledSpan[] } }).annotations.entities;
      found += result.length;
      truths += truth.length;
      truePositives += result.filter((r) => truth.some((t) => t.label === r.label && t.startOffset === r.startOffset && t.endOffset === r.endOffset)).length;
    }
    const precision = truePositives / found;
    const recall = truePositives / truths;
    expect((2 * precision * recall) / (precision + recall)).toBeGreaterThan(0.95);
    expect(precision).toBeLessThan(1); // the noise is real: some objects are outvoted by it
  });
});
