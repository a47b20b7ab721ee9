/**
 * One box from a cluster of boxes: the reducers of the `boxes` strategy. Coordinates are reduced as edges (left, top,
 * right, bottom), so a mean box is the box of the mean edges.
 */
import { median as medianOf } from 'simple-statistics';
import type { LabeledBox } from '../types.js';
import { boxIou } from './similarity.js';

const edges = ({ left, top, width, height }: LabeledBox) => [left, top, left + width, top + height] as const;
const fromEdges = (label: string, [left, top, right, bottom]: readonly number[]): LabeledBox =>
  ({ label, left: left!, top: top!, width: right! - left!, height: bottom! - top! });

/**
 * The weighted mean of the edges (WBF's fused box, Solovyev et al. 2019, arXiv:1910.13302: weights = score × model
 * weight there; 1 per worker here, or a worker's weight). AWS says its built-in job "averages them".
 */
export function meanBox(members: readonly LabeledBox[], label: string, weights?: readonly number[]): LabeledBox {
  const sums = [0, 0, 0, 0];
  let total = 0;
  members.forEach((box, at) => {
    const weight = weights?.[at] ?? 1;
    edges(box).forEach((edge, i) => (sums[i]! += edge * weight));
    total += weight;
  });
  return fromEdges(label, sums.map((sum) => sum / total));
}

/** The median of each edge (robust to one careless box among several). */
export function medianBox(members: readonly LabeledBox[], label: string): LabeledBox {
  return fromEdges(label, [0, 1, 2, 3].map((i) => medianOf(members.map((box) => edges(box)[i]!))));
}

/** The member nearest (highest IoU) to the mean box, as drawn: CVAT's consensus merge (a medoid, never averaged). */
export function medoidBox(members: readonly LabeledBox[], label: string): LabeledBox {
  const mean = meanBox(members, label);
  let best = members[0]!;
  for (const box of members) if (boxIou(box, mean) > boxIou(best, mean)) best = box;
  return { ...best, label };
}
