/**
 * One shape from a cluster, for the shapes that are not boxes: keypoints take the median, polygons and lines the
 * medoid (CVAT's consensus merge keeps a member as drawn and never averages vertices, which could fold a polygon).
 */
import { median } from 'simple-statistics';
import type { LabeledPoint } from '../types.js';

/** The coordinate-wise median of the members (a careless click among several moves it little). */
export function medianPoint(members: readonly LabeledPoint[], label: string): LabeledPoint {
  return { label, x: median(members.map(({ x }) => x)), y: median(members.map(({ y }) => y)) };
}

/**
 * A reducer keeping the medoid: the member with the highest summed similarity to the others, the first on a tie (so
 * of two members, the earlier worker's), as drawn but with the cluster's label.
 */
export function medoidBy<S extends { label: string }>(similarity: (a: S, b: S) => number) {
  return (members: readonly S[], label: string): S => {
    const summed = members.map((shape) => members.reduce((sum, other) => (other === shape ? sum : sum + similarity(shape, other)), 0));
    const best = summed.indexOf(Math.max(...summed));
    return { ...members[best]!, label };
  };
}
