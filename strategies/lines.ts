/**
 * Lines and polylines (`crowd-line`, `crowd-polyline`): the lines several workers drew along the same thing become one.
 *
 * Matching: `shapes/matcher.ts` with `lineSimilarity` ≥ `similarity` (0.5, the threshold CVAT's consensus applies
 * to every shape kind; datumaro's is 0.9, for its own area measure): both lines resampled to the same number of
 * equally spaced points (datumaro's `LineMatcher`), scored as the OKS of those points with σ = 0.1 and the scale
 * diag² / 2 of their joint bounding box, in the better direction (see `shapes/similarity.ts`). Per label unless
 * `crossLabel` (then the label is voted); kept by `quorum` (default ⌈workers / 2⌉: a worker who drew nothing there
 * votes "no").
 * A `crossLabel` label tie is broken by `labelTie`: `lowest` (default), `first` or `random` (`shapes/consolidate-shapes.ts`).
 *
 * The line: the medoid, the member with the highest summed similarity to the others, as drawn (CVAT keeps a member
 * and never averages vertices).
 *
 * Confidence (`consolidateShapes`): per line, votes / workers × mean similarity of the kept line to the members; for
 * the field, the mean over clusters of that or, for a dropped one, of 1 − votes / workers; 0 with one worker.
 *
 * Output: the submitted form, `{lines: [{label, vertices}], inputImageProperties}` (`polylines` for crowd-polyline,
 * as the first answer was submitted); `details.lines[i] = {confidence, votes}` and `details.dropped`.
 */
import { z } from 'zod';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { commonImageSize } from './shapes/image-size.js';
import { keptShapesDecision } from './shapes/kept-shapes.js';
import { medoidBy } from './shapes/representatives.js';
import { lineSimilarity } from './shapes/similarity.js';
import type { FieldAnswer, Strategy } from './types.js';

const options = z.strictObject({
  similarity: z.number().gt(0).max(1).default(0.5),
  ...matchingOptions,
});

const medoidLine = medoidBy(lineSimilarity);

export const lines: Strategy<z.infer<typeof options>> = {
  name: 'lines',
  summary: 'lines and polylines matched across workers (resampled OKS), kept by quorum, medoid of each cluster; submitted form',
  kinds: ['lines'],
  options,
  create: ({ similarity, ...matching }) => ({
    decide(answers, { random }) {
      const drawn = answers.map(({ value }) => (value.kind === 'lines' ? value.lines : []));
      const result = consolidateShapes(drawn, lineSimilarity, medoidLine, { threshold: similarity, ...matching, random });
      const image = commonImageSize(answers);
      const kept = result.kept.map(({ shape }) => shape);
      return keptShapesDecision(result, { kind: 'lines', lines: kept, shape: submittedKey(answers), ...(image && { image }) }, 'lines');
    },
  }),
};

/** `lines` or `polylines`, as the first answer has it: a field's answers all come from one element. */
function submittedKey(answers: readonly FieldAnswer[]): 'lines' | 'polylines' {
  for (const { value } of answers) if (value.kind === 'lines') return value.shape;
  return 'lines';
}
