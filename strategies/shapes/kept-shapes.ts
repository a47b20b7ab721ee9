/**
 * The output of the shape strategies that keep the submitted shape (keypoints, polygons, lines): the kept shapes in
 * the form workers submitted them, with a confidence per shape beside them, as the built-in formats give one per box.
 */
import { submittedForm } from '../submitted-form.js';
import type { AnswerValue, Decision } from '../types.js';
import type { ShapeResult } from './consolidate-shapes.js';

/**
 * `value` = the answer of the kept shapes; `details[key][i]` = `{confidence, votes}` of its i-th shape; `shapes` = the
 * outcome the worker report and gold read.
 */
export function keptShapesDecision<S extends { label: string }>(result: ShapeResult<S>, value: AnswerValue, key: string): Decision {
  return {
    value: submittedForm(value),
    confidence: result.confidence,
    shapes: result.outcome,
    details: {
      [key]: result.kept.map((shape) => ({ confidence: shape.confidence, votes: shape.votes, ...(shape.labelTie && { labelTie: true }) })),
      ...(result.dropped.length > 0 && { dropped: result.dropped.length }),
    },
  };
}
