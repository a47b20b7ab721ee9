/** How alike two shapes are, in [0, 1]: the `similarity` the matcher (`matcher.ts`) and the confidences use. */
import type { LabeledBox, LabeledSpan } from '../types.js';

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
