/**
 * Polygons (`crowd-polygon`): the polygons several workers drew around the same object become one.
 *
 * Matching: `shapes/matcher.ts` with raster IoU ≥ `iou` (0.5, CVAT's consensus default; datumaro's is 0.9): each
 * polygon filled by the even-odd rule at pixel centres (CVAT rasterises to pycocotools masks alike); per label unless
 * `crossLabel` (then the label is voted); kept by `quorum` (default ⌈workers / 2⌉: a worker who drew nothing there
 * votes "no").
 * A `crossLabel` label tie is broken by `labelTie`: `lowest` (default), `first` or `random` (`shapes/consolidate-shapes.ts`).
 *
 * The polygon: the medoid, the member with the highest summed IoU to the others, as drawn (CVAT keeps a member and
 * never averages vertices; workers' polygons need not have as many vertices, nor start at the same one).
 *
 * Confidence (`consolidateShapes`): per polygon, votes / workers × mean IoU of the kept polygon with the members
 * (CVAT's consensus score); for the field, the mean over clusters of that or, for a dropped one, of
 * 1 − votes / workers; 0 with one worker.
 *
 * Output: the submitted form, `{polygons: [{label, vertices: [{x, y}]}], inputImageProperties}`;
 * `details.polygons[i] = {confidence, votes}` and `details.dropped` (clusters below the quorum).
 */
import { z } from 'zod';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { commonImageSize } from './shapes/image-size.js';
import { keptShapesDecision } from './shapes/kept-shapes.js';
import { medoidBy } from './shapes/representatives.js';
import { polygonIou } from './shapes/similarity.js';
import type { Strategy } from './types.js';

const options = z.strictObject({
  iou: z.number().gt(0).max(1).default(0.5),
  ...matchingOptions,
});

const medoidPolygon = medoidBy(polygonIou);

export const polygons: Strategy<z.infer<typeof options>> = {
  name: 'polygons',
  summary: 'polygons matched across workers (raster IoU), kept by quorum, medoid of each cluster; submitted form',
  kinds: ['polygons'],
  options,
  create: ({ iou, ...matching }) => ({
    decide(answers, { random }) {
      const drawn = answers.map(({ value }) => (value.kind === 'polygons' ? value.polygons : []));
      const result = consolidateShapes(drawn, polygonIou, medoidPolygon, { threshold: iou, ...matching, random });
      const image = commonImageSize(answers);
      return keptShapesDecision(result, { kind: 'polygons', polygons: result.kept.map(({ shape }) => shape), ...(image && { image }) }, 'polygons');
    },
  }),
};
