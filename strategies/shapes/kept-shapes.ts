/**
 * The output of the shape strategies that keep the submitted shape (keypoints, polygons, lines): the kept shapes in
 * the form workers submitted them, with a confidence per shape beside them, as the built-in formats give one per box.
 */
import { submittedForm } from '../submitted-form.js';
import type { AnswerValue, Decision, FieldAnswer, ImageSize } from '../types.js';
import type { ShapeResult } from './consolidate-shapes.js';

/** `value` = the answer of the kept shapes; `details[key][i]` = `{confidence, votes}` of its i-th shape. */
export function keptShapesDecision(result: ShapeResult<unknown>, value: AnswerValue, key: string): Decision {
  return {
    value: submittedForm(value),
    confidence: result.confidence,
    details: {
      [key]: result.kept.map((shape) => ({ confidence: shape.confidence, votes: shape.votes, ...(shape.labelTie && { labelTie: true }) })),
      ...(result.dropped.length > 0 && { dropped: result.dropped.length }),
    },
  };
}

/** The image size most workers' browsers reported (they agree unless the image failed to load for some). */
export function commonImageSize(answers: readonly FieldAnswer[]): ImageSize | undefined {
  const counts = new Map<string, { size: ImageSize; count: number }>();
  for (const { value } of answers) {
    const image = 'image' in value ? value.image : undefined;
    if (!image) continue;
    const key = `${image.width}x${image.height}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { size: image, count: 1 });
  }
  let best: { size: ImageSize; count: number } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return best?.size;
}
