/** How alike two shapes are, in [0, 1]: the `similarity` the matcher (`matcher.ts`) and the confidences use. */
import type { LabeledBox, LabeledPath, LabeledSpan, Point } from '../types.js';

/** Intersection over union of two boxes (pixels); 0 when they do not overlap, 1 for two equal empty boxes. */
export function boxIou(a: LabeledBox, b: LabeledBox): number {
  const width = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const height = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  const intersection = width > 0 && height > 0 ? width * height : 0;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : Number(sameBox(a, b));
}

const sameBox = (a: LabeledBox, b: LabeledBox) => a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height;

/** Intersection over union of two character ranges, `endOffset` exclusive (the Jaccard index of their characters). */
export function spanIou(a: LabeledSpan, b: LabeledSpan): number {
  const intersection = Math.max(0, Math.min(a.endOffset, b.endOffset) - Math.max(a.startOffset, b.startOffset));
  const union = (a.endOffset - a.startOffset) + (b.endOffset - b.startOffset) - intersection;
  return union > 0 ? intersection / union : Number(a.startOffset === b.startOffset && a.endOffset === b.endOffset);
}

/**
 * Object keypoint similarity of two single points (COCO's OKS, as datumaro's `OKS` and CVAT's `oks` compute it for
 * one point): exp(−d² / (2 · scale · (2σ)²)), d the distance in pixels, `scale` an area in pixels² (CVAT uses the
 * image's area for lone points), σ = 0.1 by default (CVAT's and datumaro's). 1 for one point, → 0 far apart.
 */
export function pointOks(a: Point, b: Point, scale: number, sigma = 0.1): number {
  const squaredDistance = (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
  return Math.exp(-squaredDistance / (2 * scale * (2 * sigma) ** 2));
}

/**
 * Raster intersection over union of two polygons, as CVAT's consensus compares them (pycocotools masks): each polygon
 * is filled by the even-odd rule, a pixel counting when its centre is inside, on the grid of whole pixels covering
 * both polygons' bounding boxes (so the cost grows with the polygons, not the image). Two polygons that cover no pixel
 * centre (slivers, fewer than three vertices) are 1 when their vertices are equal, else 0.
 */
export function polygonIou(a: LabeledPath, b: LabeledPath): number {
  const all = [...a.vertices, ...b.vertices];
  if (all.length === 0) return 1;
  const left = Math.floor(Math.min(...all.map(({ x }) => x)));
  const top = Math.floor(Math.min(...all.map(({ y }) => y)));
  const width = Math.ceil(Math.max(...all.map(({ x }) => x))) - left;
  const height = Math.ceil(Math.max(...all.map(({ y }) => y))) - top;
  let intersection = 0;
  let union = 0;
  for (let row = 0; row < height; row += 1) {
    const y = top + row + 0.5;
    const inA = rowCoverage(a.vertices, y, left, width);
    const inB = rowCoverage(b.vertices, y, left, width);
    for (let column = 0; column < width; column += 1) {
      intersection += inA[column]! & inB[column]!;
      union += inA[column]! | inB[column]!;
    }
  }
  return union > 0 ? intersection / union : Number(sameVertices(a.vertices, b.vertices));
}

/** Which pixels of the row whose centres lie on `y` are inside the polygon (even-odd: inside between crossing pairs). */
function rowCoverage(vertices: readonly Point[], y: number, left: number, width: number): Uint8Array {
  const covered = new Uint8Array(width);
  const crossings: number[] = [];
  vertices.forEach((from, i) => {
    const to = vertices[(i + 1) % vertices.length]!;
    // Half-open in y, so a vertex on the scan line is crossed once, not twice.
    if ((from.y <= y) !== (to.y <= y)) crossings.push(from.x + ((y - from.y) / (to.y - from.y)) * (to.x - from.x));
  });
  crossings.sort((p, q) => p - q);
  for (let k = 0; k + 1 < crossings.length; k += 2) {
    // Pixel centres left + column + 0.5 in [crossings[k], crossings[k + 1]).
    const first = Math.max(0, Math.ceil(crossings[k]! - left - 0.5));
    const last = Math.min(width, Math.ceil(crossings[k + 1]! - left - 0.5));
    covered.fill(1, first, last);
  }
  return covered;
}

const sameVertices = (a: readonly Point[], b: readonly Point[]) =>
  a.length === b.length && a.every((p, i) => p.x === b[i]!.x && p.y === b[i]!.y);

/**
 * How alike two polylines are: datumaro's `LineMatcher` resampling with OKS as the measure. Both lines are resampled
 * to n = max(vertices of either, 5) points equally spaced along their length (datumaro's `approximate_line`
 * count), corresponding points are scored by `pointOks` and averaged (OKS of n keypoints); the better of the two
 * directions counts, since a line drawn from its other end is the same line. The scale is diag² / 2, diag the diagonal
 * of the lines' joint bounding box (the area of a square of that diagonal: a straight horizontal line's own box has
 * none), floor 1. Identical lines are 1; two parallel lines a tenth of their length apart ≈ 0.78; an X ≈ 0.04.
 * A line without vertices is like nothing but another such line.
 */
export function lineSimilarity(a: LabeledPath, b: LabeledPath): number {
  if (a.vertices.length === 0 || b.vertices.length === 0) return Number(a.vertices.length === b.vertices.length);
  const all = [...a.vertices, ...b.vertices];
  const diagonal = Math.hypot(
    Math.max(...all.map(({ x }) => x)) - Math.min(...all.map(({ x }) => x)),
    Math.max(...all.map(({ y }) => y)) - Math.min(...all.map(({ y }) => y)),
  );
  const scale = Math.max(1, diagonal ** 2 / 2);
  const count = Math.max(a.vertices.length, b.vertices.length, 5);
  const along = resampleLine(a.vertices, count);
  const other = resampleLine(b.vertices, count);
  const meanOks = (points: readonly Point[]) => points.reduce((sum, p, i) => sum + pointOks(along[i]!, p, scale), 0) / count;
  return Math.max(meanOks(other), meanOks([...other].reverse()));
}

/** `count` (≥ 2) points equally spaced along the polyline, from its first vertex to its last. */
export function resampleLine(vertices: readonly Point[], count: number): Point[] {
  const steps = vertices.slice(1).map((to, i) => Math.hypot(to.x - vertices[i]!.x, to.y - vertices[i]!.y));
  const length = steps.reduce((sum, step) => sum + step, 0);
  const points: Point[] = [];
  let segment = 0;
  let before = 0; // length up to the start of `segment`
  for (let k = 0; k < count; k += 1) {
    const target = (length * k) / (count - 1);
    while (segment < steps.length - 1 && before + steps[segment]! < target) before += steps[segment++]!;
    const from = vertices[segment]!;
    const to = vertices[Math.min(segment + 1, vertices.length - 1)]!;
    const t = steps[segment] ? Math.min(1, (target - before) / steps[segment]!) : 0;
    points.push({ x: from.x + t * (to.x - from.x), y: from.y + t * (to.y - from.y) });
  }
  return points;
}
