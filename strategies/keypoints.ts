/**
 * Keypoints (`crowd-keypoint`): the points several workers clicked on the same spot become one.
 *
 * Matching: `shapes/matcher.ts` with object keypoint similarity OKS = exp(−d² / (2 · scale · (2σ)²)) ≥ `oks` (0.5,
 * the `iou_threshold` CVAT's consensus applies to every shape kind; datumaro's `pairwise_dist` default is 0.9),
 * σ = `sigma` (0.1, CVAT's and datumaro's). Each keypoint is a lone labelled point, so the scale is CVAT's for lone
 * points: the image's area (`inputImageProperties`, the size most workers reported); without it, the area of the
 * bounding box of every point drawn on the object by every worker (floor 1 px²), the nearest thing to the image the
 * answers show. On the image's scale the match is lenient (OKS 0.5 at d ≈ 0.24 · √area: 130 px on 640 × 480), so
 * same-label points closer than that want a smaller `sigma`. Per label unless `crossLabel` (then the label is voted);
 * kept by `quorum` (default ⌈workers / 2⌉: a worker who did not click it votes "no").
 * A `crossLabel` label tie is broken by `labelTie`: `lowest` (default), `first` or `random` (`shapes/consolidate-shapes.ts`).
 *
 * The point: the coordinate-wise median of the members (the recommendation of wave2-anchors.md A3; a careless click
 * among several moves it little). Not rounded: the median of an even count is the mean of the middle two.
 *
 * Confidence (`consolidateShapes`): per point, votes / workers × mean OKS of the point to its members; for the field,
 * the mean over clusters of that or, for a dropped one, of 1 − votes / workers; 0 with one worker.
 *
 * Output: the submitted form, `{keypoints: [{label, x, y}], inputImageProperties}`, one point per kept cluster;
 * `details.keypoints[i] = {confidence, votes}` and `details.dropped` (clusters below the quorum).
 */
import { z } from 'zod';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { commonImageSize } from './shapes/image-size.js';
import { keptShapesDecision } from './shapes/kept-shapes.js';
import { medianPoint } from './shapes/representatives.js';
import { pointOks } from './shapes/similarity.js';
import type { ImageSize, LabeledPoint, Strategy } from './types.js';

const options = z.strictObject({
  oks: z.number().gt(0).max(1).default(0.5),
  sigma: z.number().positive().default(0.1),
  ...matchingOptions,
});

export const keypoints: Strategy<z.infer<typeof options>> = {
  name: 'keypoints',
  summary: 'keypoints matched across workers (OKS), kept by quorum, median of each cluster; submitted form',
  kinds: ['keypoints'],
  options,
  create: ({ oks, sigma, ...matching }) => ({
    decide(answers, { random }) {
      const clicked = answers.map(({ value }) => (value.kind === 'keypoints' ? value.points : []));
      const image = commonImageSize(answers);
      const scale = objectScale(image, clicked.flat());
      const similarity = (a: LabeledPoint, b: LabeledPoint) => pointOks(a, b, scale, sigma);
      const result = consolidateShapes(clicked, similarity, medianPoint, { threshold: oks, ...matching, random });
      const points = result.kept.map(({ shape }) => shape);
      return keptShapesDecision(result, { kind: 'keypoints', points, ...(image && { image }) }, 'keypoints');
    },
  }),
};

/** The OKS scale (px²): the image's area, else the area of the box around every point drawn, at least 1. */
export function objectScale(image: ImageSize | undefined, points: readonly LabeledPoint[]): number {
  if (image) return Math.max(1, image.width * image.height);
  if (points.length === 0) return 1;
  const xs = points.map(({ x }) => x);
  const ys = points.map(({ y }) => y);
  return Math.max(1, (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)));
}
