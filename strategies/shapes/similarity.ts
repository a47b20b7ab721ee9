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
 * is filled by the even-odd rule, a pixel counting when its centre is inside. Rows are scanned as ranges of columns
 * over the rows each polygon spans (the intersection over the rows both span), so the cost grows with the polygons'
 * height and vertices, not the image or the distance between them. Two polygons that cover no pixel centre (slivers,
 * fewer than three vertices) are 1 when their vertices are equal, else 0.
 */
export function polygonIou(a: LabeledPath, b: LabeledPath): number {
  const areaA = filledPixels([a.vertices]);
  const areaB = filledPixels([b.vertices]);
  const intersection = areaA > 0 && areaB > 0 ? filledPixels([a.vertices, b.vertices]) : 0;
  const union = areaA + areaB - intersection;
  return union > 0 ? intersection / union : Number(sameVertices(a.vertices, b.vertices));
}

/** How many pixel centres are inside every one of the polygons (scanning only the rows all of them span). */
function filledPixels(polygons: readonly (readonly Point[])[]): number {
  if (polygons.some((vertices) => vertices.length < 3)) return 0;
  const top = Math.max(...polygons.map((vertices) => Math.floor(Math.min(...vertices.map(({ y }) => y)))));
  const bottom = Math.min(...polygons.map((vertices) => Math.ceil(Math.max(...vertices.map(({ y }) => y)))));
  let count = 0;
  for (let y = top + 0.5; y < bottom; y += 1) {
    const shared = polygons.map((vertices) => rowSpans(vertices, y)).reduce(intersectSpans);
    for (const [start, end] of shared) count += end - start;
  }
  return count;
}

/**
 * The columns of the row whose pixel centres lie on `y` that are inside the polygon, as sorted disjoint [start, end)
 * ranges (even-odd: inside between crossing pairs; a centre on a left edge is inside, on a right one outside).
 */
function rowSpans(vertices: readonly Point[], y: number): [number, number][] {
  const crossings: number[] = [];
  vertices.forEach((from, i) => {
    const to = vertices[(i + 1) % vertices.length]!;
    // Half-open in y, so a vertex on the scan line is crossed once, not twice; multiplying first keeps whole-pixel
    // vertices exact.
    if ((from.y <= y) !== (to.y <= y)) crossings.push(from.x + ((y - from.y) * (to.x - from.x)) / (to.y - from.y));
  });
  crossings.sort((p, q) => p - q);
  const spans: [number, number][] = [];
  for (let k = 0; k + 1 < crossings.length; k += 2) {
    const start = Math.ceil(crossings[k]! - 0.5);
    const end = Math.ceil(crossings[k + 1]! - 0.5);
    if (end > start) spans.push([start, end]);
  }
  return spans;
}

/** The columns in both sorted disjoint range lists. */
function intersectSpans(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const shared: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (end > start) shared.push([start, end]);
    if (a[i]![1] < b[j]![1]) i += 1;
    else j += 1;
  }
  return shared;
}

const sameVertices = (a: readonly Point[], b: readonly Point[]) =>
  a.length === b.length && a.every((p, i) => p.x === b[i]!.x && p.y === b[i]!.y);

/**
 * How alike two polylines are: datumaro's `LineMatcher` resampling with OKS as the measure. Both lines are resampled
 * to n = max(vertices of either, 5) points equally spaced along their length (datumaro's `approximate_line`
 * count), corresponding points are scored by `pointOks` and averaged (OKS of n keypoints); the better of the two
 * directions counts, since a line drawn from its other end is the same line. The scale is diag² / 2, diag the diagonal
 * of the lines' joint bounding box (the area of a square of that diagonal: a straight horizontal line's own box has
 * none), floor 1. Identical lines are 1; two parallel lines a tenth of their length apart ≈ 0.78; the two diagonals
 * of a square ≈ 0.22. A line without vertices is like nothing but another such line.
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
