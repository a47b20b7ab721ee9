/**
 * Spans (`crowd-entity-annotation`): the entities several workers marked in the same text become one.
 *
 * Matching: `shapes/matcher.ts` with interval IoU (the Jaccard index of the characters, `endOffset` exclusive) ≥ `iou`
 * (0.5), per label unless `crossLabel`; kept by `quorum` (default ⌈workers / 2⌉), as `boxes`. AWS's built-in job
 * "clusters text selections by Jaccard similarity".
 * A `crossLabel` label tie is broken by `labelTie`: `lowest` (default), `first` or `random` (`shapes/consolidate-shapes.ts`).
 *
 * Boundaries, as AWS documents them: the mode of the members' starts and the mode of their ends; where several
 * values tie for the mode, the lower median of the members' values (an offset stays a whole character). Should the
 * two cross, the member most like the others is taken whole.
 *
 * Confidence: per entity and for the field as in `consolidateShapes` (votes / workers × mean IoU; 0 with one worker,
 * as AWS writes it). Output: the built-in NER format (`annotations.entities` of `{label, startOffset, endOffset}` and
 * `annotations.labels` listing every label of the field), ready for Amazon Comprehend; `details.entities[i].confidence`
 * as in Ground Truth's metadata.
 */
import { z } from 'zod';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { spanIou } from './shapes/similarity.js';
import type { LabeledSpan, Strategy } from './types.js';

const options = z.strictObject({
  iou: z.number().gt(0).max(1).default(0.5),
  ...matchingOptions,
});

export const spans: Strategy<z.infer<typeof options>> = {
  name: 'spans',
  summary: 'entity spans matched across workers (Jaccard), kept by quorum, boundaries by mode; NER output',
  kinds: ['spans'],
  options,
  create: ({ iou, ...matching }, field) => ({
    decide(answers, { random }) {
      const marked = answers.map(({ value }) => (value.kind === 'spans' ? value.spans : []));
      const { kept, dropped, confidence, outcome } = consolidateShapes(marked, spanIou, modeSpan, { threshold: iou, ...matching, random });
      return {
        value: {
          annotations: {
            entities: kept.map(({ shape }) => shape),
            labels: (field?.labels ?? []).map((label) => ({ label })),
          },
        },
        confidence,
        shapes: outcome,
        details: {
          entities: kept.map((entity) => ({ confidence: entity.confidence, votes: entity.votes, ...(entity.labelTie && { labelTie: true }) })),
          ...(dropped.length > 0 && { dropped: dropped.length }),
        },
      };
    },
  }),
};

export function modeSpan(members: readonly LabeledSpan[], label: string): LabeledSpan {
  const startOffset = modeOrLowerMedian(members.map((span) => span.startOffset));
  const endOffset = modeOrLowerMedian(members.map((span) => span.endOffset));
  if (startOffset < endOffset) return { label, startOffset, endOffset };
  const medoid = members.reduce((best, span) => (totalIou(span, members) > totalIou(best, members) ? span : best));
  return { label, startOffset: medoid.startOffset, endOffset: medoid.endOffset };
}

const totalIou = (span: LabeledSpan, members: readonly LabeledSpan[]) => members.reduce((sum, other) => sum + spanIou(span, other), 0);

/** The most frequent value; when several are, the lower median of all the values. */
export function modeOrLowerMedian(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const modes = [...counts].filter(([, count]) => count === top);
  if (modes.length === 1) return modes[0]![0];
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
