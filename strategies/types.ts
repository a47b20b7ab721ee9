/**
 * The shared vocabulary of strategies: typed worker answers, the shapes they were submitted in, and the one small
 * interface every strategy implements.
 */
import type { z } from 'zod';
import type { AnswerTable } from './answer-table.js';

export type AnswerKind = 'categorical' | 'multi-label' | 'numeric' | 'text' | 'boolean' | 'preference' | ShapeKind;

/** Annotation tools: shapes drawn on an image or marked in a text, each with its own label. */
export const shapeKinds = ['boxes', 'spans', 'keypoints', 'polygons', 'lines', 'mask'] as const;
export type ShapeKind = (typeof shapeKinds)[number];
export type ShapeAnswer = Extract<AnswerValue, { kind: ShapeKind }>;
export const isShapeKind = (kind: string): kind is ShapeKind => (shapeKinds as readonly string[]).includes(kind);
export const isShapeAnswer = (value: AnswerValue): value is ShapeAnswer => isShapeKind(value.kind);

/** The shapes of a drawing, one by one (none for a mask: it is one picture). */
export function drawnShapes(value: ShapeAnswer): readonly { label: string }[] {
  switch (value.kind) {
    case 'boxes':
      return value.boxes;
    case 'spans':
      return value.spans;
    case 'keypoints':
      return value.points;
    case 'polygons':
      return value.polygons;
    case 'lines':
      return value.lines;
    case 'mask':
      return [];
  }
}

/** The labels of every shape in a drawing (a mask's classes or instances' labels). */
export function shapeLabels(value: ShapeAnswer): string[] {
  if (value.kind === 'mask') return value.instances ? value.instances.map(({ label }) => label) : Object.keys(value.labelMappings);
  return drawnShapes(value).map(({ label }) => label);
}

/** Pixels, origin at the top left (Ground Truth's image coordinates). */
export interface Point { x: number; y: number }
/** `crowd-bounding-box`: `{left, top, width, height}` in pixels. */
export interface LabeledBox { label: string; left: number; top: number; width: number; height: number }
/** `crowd-entity-annotation`: character offsets, `startOffset` inclusive, `endOffset` exclusive (Unicode characters). */
export interface LabeledSpan { label: string; startOffset: number; endOffset: number }
/** `crowd-keypoint`. */
export interface LabeledPoint extends Point { label: string }
/** `crowd-polygon` (closed), `crowd-line` (two vertices) and `crowd-polyline` (open). */
export interface LabeledPath { label: string; vertices: Point[] }
/** `inputImageProperties`: the image's size as the worker's browser saw it. */
export interface ImageSize { width: number; height: number }

/**
 * One worker's answer to one field, normalised. `shape` records how it was submitted, so the consolidated value
 * is written back the way workers gave it (see `submittedForm`).
 */
export type AnswerValue =
  /**
   * `classifier` = `{label: "x"}`, `string` = `"x"`; `radio` = a boolean map the field schema found to be single
   * choice, written back over all its `options` (`{"w": false, "x": true}`), or as `{"x": true}` without them.
   */
  | { kind: 'categorical'; value: string; shape: 'classifier' | 'radio' | 'string'; options?: string[] }
  /** `labels` = `{labels: [..]}`, `checkbox` = `{a: true, b: false}` (all `options` shown), `list` = `[..]`. */
  | { kind: 'multi-label'; labels: string[]; options: string[]; shape: 'labels' | 'checkbox' | 'list' }
  /**
   * `number` = a slider's number; `numeric-string` = `"4"` from a select or input; `radio` = the chosen key of a
   * single-choice boolean map whose keys are all numbers (a Likert radio). All are written back as a number, since a
   * mean or median need not be one of the options.
   */
  | { kind: 'numeric'; value: number; shape: 'number' | 'numeric-string' | 'radio' }
  /** Free text from `crowd-input` / `crowd-text-area` / `<textarea>`. */
  | { kind: 'text'; value: string }
  /** `toggle` = `{on: true}`, `plain` = `true`. */
  | { kind: 'boolean'; value: boolean; shape: 'toggle' | 'plain' }
  /** `{"yes": false}`: a checkbox or toggle with a `value` (`option`), ticked or not; unticked is a "no" vote. */
  | { kind: 'boolean'; value: boolean; shape: 'flag'; option: string }
  /**
   * One annotator's judgment of an object's responses on one dimension: a score per response, higher is better,
   * `null` where the response was not judged. `ranking` = crowd-text-ranking `responseRankings` or `comparisonRank`
   * (score = −rank, equal ranks are ties); `choice` = the chosen response 1, the others 0; `rating` = a Likert score.
   */
  | { kind: 'preference'; scores: (number | null)[]; source: 'ranking' | 'choice' | 'rating' }
  /**
   * One worker's shapes for one object, from the annotation tools (`{boundingBoxes, inputImageProperties}`, …): every
   * shape the worker drew, none when they drew nothing (an answer that says "nothing here", a "no" vote for every
   * shape others drew). `image` is absent when the element did not report it.
   */
  | { kind: 'boxes'; boxes: LabeledBox[]; image?: ImageSize }
  | { kind: 'spans'; spans: LabeledSpan[] }
  | { kind: 'keypoints'; points: LabeledPoint[]; image?: ImageSize }
  | { kind: 'polygons'; polygons: LabeledPath[]; image?: ImageSize }
  /** `shape` = the element's key (`lines` of crowd-line, `polylines` of crowd-polyline), to write them back alike. */
  | { kind: 'lines'; lines: LabeledPath[]; shape: 'lines' | 'polylines'; image?: ImageSize }
  /**
   * `crowd-semantic-segmentation` (`labelMappings` = class → `{color: "#rrggbb"}`) and `crowd-instance-segmentation`
   * (`instances` = `[{color, label}]`, one colour per instance): the PNG as submitted, base64, decoded by the strategy.
   */
  | { kind: 'mask'; png: string; labelMappings: Record<string, { color: string }>; instances?: { color: string; label: string }[]; image?: ImageSize };

export interface FieldAnswer {
  workerId: string;
  value: AnswerValue;
}

/** What a strategy decides for one field of one object. */
export interface Decision {
  /** The consolidated value in the shape workers submitted; `undefined` leaves the field unresolved. */
  value: unknown;
  /** In [0, 1]; each strategy documents its own definition. */
  confidence: number;
  /** Strategy-specific evidence, written under `<label>-metadata.consolidation.<field>`. */
  details?: Record<string, unknown>;
  /** Shape strategies: what the drawings came to, for the worker report and gold (not written on the line). */
  shapes?: ShapeOutcome;
}

/** How one worker's drawing of an object compares with the consolidated shapes. */
export interface WorkerShapeScore {
  /** The worker's shapes that are among the kept ones, and their summed similarity to the consolidated shape. */
  matched: number;
  similarity: number;
  /** Kept shapes the worker did not draw. */
  missed: number;
  /** The worker's shapes that were not kept (drawn by too few others). */
  extra: number;
}

export interface ShapeOutcome<S extends { label: string } = { label: string }> {
  kept: readonly { shape: S; confidence: number }[];
  /** By answer, in the order given to `decide`. */
  workers: readonly WorkerShapeScore[];
  /** The similarity the shapes were matched by (IoU, OKS, …), for scoring against gold. */
  similarity(a: S, b: S): number;
}

export interface DecisionContext {
  /** Uniform in [0, 1), seeded by `--seed`: the only randomness a strategy may use. */
  random(): number;
  /**
   * The object's row in the `AnswerTable` given to `fit` (model-based strategies only); none for an object the fit did
   * not see (a frozen model's: `run --model`, the post-annotation Lambda).
   */
  object?: number;
}

/** What a model learned about one worker, for the worker report. */
export interface WorkerSkill {
  /** Estimated probability that the worker's answer is the true label. */
  accuracy: number;
  /** `confusion[true][given]`, over the table's labels in order (full-confusion models only). */
  confusion?: number[][];
}

/** How a fitted model's estimation went, for the run summary. */
export interface FitReport {
  /** Iterations run (EM: E-steps). */
  iterations: number;
  /** True when the fit stopped because it settled (within its tolerance), false when its iteration cap stopped it. */
  converged: boolean;
  /** Signs that the fit is not to be trusted (e.g. collapsed onto one label). */
  warnings?: string[];
}

/** A strategy configured for one field. */
export interface Consolidator {
  /**
   * Model-based strategies learn from every answer of the field, across the whole job, before any object is decided.
   * Its presence makes the pipeline read the job in two passes (fetching each worker response once).
   */
  fit?(table: AnswerTable): void;
  /** Decides one object from its answers (already filtered to the strategy's kinds; never empty). */
  decide(answers: readonly FieldAnswer[], context: DecisionContext): Decision;
  /** After `fit`: what the model learned about each worker, by worker id. */
  skills?(): ReadonlyMap<string, WorkerSkill>;
  /** After `fit`, for iterative models: iterations run, whether the fit converged, and any warnings. */
  fitReport?(): FitReport;
  /** After `fit`: what it learned, as plain JSON, for `restore` in another process (see `saved-model.ts`). */
  save?(): unknown;
  /** Instead of `fit`: a model `save` gave (checked first: it was read from a file). Every model strategy has both. */
  restore?(saved: unknown): void;
}

/** What the job says of the field a consolidator is made for (known once the whole job has been read). */
export interface FieldContext {
  /**
   * Every label answered in the field, sorted (labels compare as numbers when all are): a shape field's classes, whose
   * ids are their positions here.
   */
  labels: readonly string[];
}

/**
 * A consolidation strategy: a name, the answer kinds it accepts, an options schema, and a factory.
 * `create` returns one consolidator per field, so a strategy may keep per-field state (a fitted model); `field` is
 * absent where options are only being checked, before the job is read.
 */
export interface Strategy<Options = unknown> {
  readonly name: string;
  readonly summary: string;
  readonly kinds: readonly AnswerKind[];
  /** Validates and defaults the options from configuration; unknown keys must be rejected (use strict objects). */
  readonly options: z.ZodType<Options>;
  /** True when the strategy keeps answers rather than deciding between them (`collect`): its confidence describes
   * agreement but does not lower the object's overall confidence. */
  readonly keepsAnswers?: boolean;
  create(options: Options, field?: FieldContext): Consolidator;
}
