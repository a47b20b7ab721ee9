/**
 * Boxes (`crowd-bounding-box`): the boxes several workers drew around the same object become one box.
 *
 * Matching: `shapes/matcher.ts` with box IoU ≥ `iou` (0.5, CVAT's default): each pair of workers greedily one to one,
 * then clusters with at most one box per worker, every member within `iou` of every other; per label unless
 * `crossLabel` (then the label is voted). A cluster is kept when at least `quorum` workers drew it (default
 * ⌈workers / 2⌉ of those who answered: a worker who drew nothing there votes "no").
 * A `crossLabel` label tie is broken by `labelTie`: `lowest` (default), `first` or `random` (`shapes/consolidate-shapes.ts`).
 *
 * The box: `reducer` `mean` (default: the mean of each edge, WBF's fused box with equal weights, AWS's "averages
 * them"), `median` (each edge's median) or `medoid` (the member nearest the mean, CVAT), in whole pixels.
 *
 * Confidence (`consolidateShapes`): per box, votes / workers × mean IoU of the box with its members (CVAT's consensus
 * score); for the field, the mean over clusters of that or, for a dropped one, of 1 − votes / workers; 0 with one
 * worker.
 *
 * Output: the built-in object-detection format (`annotations` of `{class_id, left, top, width, height}`,
 * `image_size`), ready for SageMaker object detection; `details.objects[i].confidence` and `details["class-map"]`
 * (class id → name over every label of the field in the job, sorted) as in Ground Truth's metadata.
 */
import { z } from 'zod';
import { meanBox, medianBox, medoidBox } from './shapes/box-reducers.js';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { commonImageSize } from './shapes/image-size.js';
import { boxIou } from './shapes/similarity.js';
import type { LabeledBox, Strategy } from './types.js';

const reducers = { mean: meanBox, median: medianBox, medoid: medoidBox } as const;

const options = z.strictObject({
  iou: z.number().gt(0).max(1).default(0.5),
  ...matchingOptions,
  reducer: z.enum(['mean', 'median', 'medoid']).default('mean'),
});

export const boxes: Strategy<z.infer<typeof options>> = {
  name: 'boxes',
  summary: 'boxes matched across workers (IoU), kept by quorum, averaged; object-detection output',
  kinds: ['boxes'],
  options,
  create: ({ iou, reducer, ...matching }, field) => {
    const classIds = new Map((field?.labels ?? []).map((label, id) => [label, id]));
    return {
      decide(answers, { random }) {
        const drawn = answers.map(({ value }) => (value.kind === 'boxes' ? value.boxes : []));
        const reduce = (members: readonly LabeledBox[], label: string) => wholePixels(reducers[reducer](members, label));
        const { kept, dropped, confidence, outcome } = consolidateShapes(drawn, boxIou, reduce, { threshold: iou, ...matching, random });
        const image = commonImageSize(answers);
        return {
          value: {
            annotations: kept.map(({ shape: { label, ...box } }) => ({ class_id: classIdOf(classIds, label), ...box })),
            ...(image && { image_size: [{ ...image, depth: 3 }] }),
          },
          confidence,
          shapes: outcome,
          details: {
            objects: kept.map((box) => ({ confidence: box.confidence, votes: box.votes, ...(box.labelTie && { labelTie: true }) })),
            'class-map': Object.fromEntries([...new Set(kept.map(({ shape }) => shape.label))]
              .map((label) => [String(classIdOf(classIds, label)), label])),
            ...(dropped.length > 0 && { dropped: dropped.length }),
          },
        };
      },
    };
  },
};

function classIdOf(classIds: ReadonlyMap<string, number>, label: string): number {
  const id = classIds.get(label);
  if (id === undefined) throw new Error(`label "${label}" is not among the field's labels`);
  return id;
}

/**
 * Whole pixels, as Ground Truth writes them (and as confidences and gold scores see them): the edges rounded, so a
 * box does not grow or shrink by rounding twice.
 */
function wholePixels({ label, left, top, width, height }: LabeledBox): LabeledBox {
  const [l, t, r, b] = [left, top, left + width, top + height].map(Math.round) as [number, number, number, number];
  return { label, left: l, top: t, width: r - l, height: b - t };
}
