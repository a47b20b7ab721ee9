/**
 * The one shape field a training export reads from each decided object: chosen by `--field` (or the job's only field
 * of the kinds the format takes), checked against what the job has, and read into format-neutral shapes. Class ids are
 * positions in the field's labels sorted as the strategies sort them (`FieldContext.labels`: every label answered in
 * the field), so the export learns them from the answers it sees and names every class id it writes.
 */
import { UsageError } from '../errors.js';
import { isRecord } from '../json.js';
import { commonImageSize } from '../../strategies/shapes/image-size.js';
import type { DecidedObject, FieldDecision } from '../pipeline/decide.js';
import { didYouMean, didYouMeanHint } from '../text/did-you-mean.js';
import { compareLabels } from '../../strategies/answer-table.js';
import { isShapeAnswer, isShapeKind, shapeLabels, type AnswerKind, type ImageSize, type LabeledSpan, type Point, type ShapeKind } from '../../strategies/types.js';

/** Why an object is left out of an export: counted in its stats, never dropped silently. */
export type SkipReason = 'absent' | 'unresolved' | 'no-source' | 'no-image-size' | 'no-text' | 'span-outside-text' | 'repeated-keypoint';

/** The decided field of one object, resolved. */
export interface ExportedField {
  object: DecidedObject;
  name: string;
  kind: ShapeKind;
  decision: FieldDecision & { value: Record<string, unknown> };
}

export interface Box { left: number; top: number; width: number; height: number }

/** One shape on an image: its box (a polygon's bounding box), and its outline for a polygon. */
export interface ImageShape {
  label: string;
  /** Ground Truth's `class_id`, for boxes. */
  classId?: number;
  box: Box;
  polygon?: Point[];
  confidence?: number;
}

export class ShapeFieldReader {
  /** Every field seen, with the kind of its answers: for the messages that name them. */
  readonly found = new Map<string, AnswerKind>();
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  private readonly labels = new Set<string>();
  /** `class_id` → name as the objects' class maps gave them: checked against the final class order. */
  private readonly classMap = new Map<number, string>();
  private picked: string | undefined;
  /** The exported field's kind, once an object had it. */
  kind: ShapeKind | undefined;

  /** `requested`: `--field`; without it, the job's only field of `kinds`. */
  constructor(private readonly format: string, private readonly kinds: readonly ShapeKind[], private readonly requested?: string) {}

  get field(): string | undefined {
    return this.requested ?? this.picked;
  }

  /** The exported field of `object`, or `undefined` (counted) when it has none resolved. */
  read(object: DecidedObject): ExportedField | undefined {
    for (const [name, { answers }] of object.fields) {
      if (answers.length > 0 && !this.found.has(name)) this.found.set(name, answers[0]!.value.kind);
    }
    const name = this.choose(object);
    const answers = name === undefined ? [] : object.fields.get(name)?.answers ?? [];
    if (name === undefined || answers.length === 0) return this.skip('absent');
    const kind = this.found.get(name)!;
    if (!isShapeKind(kind) || !this.kinds.includes(kind)) {
      throw new UsageError(`--field ${name}: a ${kind} field, and ${this.format} exports ${this.kinds.join(' or ')}; ${this.fitting()}`);
    }
    this.kind = kind;
    for (const { value } of answers) if (isShapeAnswer(value)) for (const label of shapeLabels(value)) this.labels.add(label);
    const decision = object.decisions.get(name);
    if (!decision) throw new UsageError(`--field ${name}: no strategy consolidates its ${kind} answers yet; there is nothing to export`);
    if (!isRecord(decision.value)) return this.skip('unresolved');
    const classMap = decision.details?.['class-map'];
    if (isRecord(classMap)) for (const [id, label] of Object.entries(classMap)) this.classMap.set(Number(id), String(label));
    return { object, name, kind, decision: decision as ExportedField['decision'] };
  }

  skip(reason: SkipReason): undefined {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
    return undefined;
  }

  /**
   * Class id → name over every label answered in the field (a class no consolidated shape kept keeps its id), in the
   * strategies' order. A class map that disagrees would mislabel a class: a bug, so it stops the export.
   */
  classes(): string[] {
    const labels = [...this.labels];
    const names = labels.sort(compareLabels(labels));
    for (const [id, label] of this.classMap) {
      if (names[id] !== label) throw new Error(`class ${id} is "${label}" in a class map but "${names[id]}" among the field's labels`);
    }
    return names;
  }

  /** After the run: a `--field` no object had is a typo or the wrong job; a job without such a field has nothing to export. */
  checkFound(): void {
    const field = this.field;
    if (field !== undefined && this.found.has(field)) return;
    const what = field === undefined ? `${this.format} exports a ${this.kinds.join(' or ')} field` : `--field ${field}: the job has no such field`;
    throw new UsageError(`${what}${field === undefined ? '' : didYouMeanHint(field, this.found.keys())}; ${this.fitting()}`);
  }

  /**
   * The requested field, or the only one of the format's kinds seen so far (a second one later stops the export). A
   * requested name one slip from a field of this object is a typo: it stops at once rather than after the whole job.
   */
  private choose(object: DecidedObject): string | undefined {
    if (this.requested !== undefined) {
      if (!object.fields.has(this.requested) && didYouMean(this.requested, this.found.keys()) !== undefined) this.checkFound();
      return this.requested;
    }
    const fitting = this.fittingNames();
    if (fitting.length > 1) {
      throw new UsageError(`the job has several ${this.kinds.join(' and ')} fields (${fitting.join(', ')}): pass --field with the one to export`);
    }
    return (this.picked = fitting[0]);
  }

  private fittingNames(): string[] {
    return [...this.found].filter(([, kind]) => (this.kinds as readonly AnswerKind[]).includes(kind)).map(([name]) => name);
  }

  private fitting(): string {
    const names = this.fittingNames();
    const kinds = this.kinds.join(' or ');
    return names.length > 0 ? `its ${kinds} fields: ${names.join(', ')}` : `it has no ${kinds} field (fields: ${[...this.found.keys()].join(', ') || 'none'})`;
  }
}

/** The image's size: the value's `image_size` (boxes), else the size most of the workers' browsers reported. */
export function imageSizeOf({ decision }: ExportedField): ImageSize | undefined {
  const [declared] = Array.isArray(decision.value.image_size) ? decision.value.image_size as ImageSize[] : [];
  if (declared) return { width: declared.width, height: declared.height };
  return commonImageSize(decision.answers);
}

/**
 * The shapes of a boxes field (`annotations` of `{class_id, left, …}`, named through `class-map`) or a polygons field
 * (`polygons` of `{label, vertices}`), with `details.objects[i].confidence` as Ground Truth names it, when given.
 */
export function imageShapesOf({ kind, decision }: ExportedField): ImageShape[] {
  const confidences = Array.isArray(decision.details?.objects) ? decision.details.objects as { confidence?: number }[] : [];
  const confidence = (index: number) => {
    const value = confidences[index]?.confidence;
    return typeof value === 'number' ? { confidence: value } : {};
  };
  if (kind === 'boxes') {
    const classMap = (decision.details?.['class-map'] ?? {}) as Record<string, string>;
    const annotations = decision.value.annotations as ({ class_id: number } & Box)[];
    return annotations.map(({ class_id, left, top, width, height }, index) => ({
      label: classMap[String(class_id)]!, classId: class_id, box: { left, top, width, height }, ...confidence(index),
    }));
  }
  const polygons = decision.value.polygons as { label: string; vertices: Point[] }[];
  return polygons.map(({ label, vertices }, index) => ({ label, box: boundsOf(vertices), polygon: vertices, ...confidence(index) }));
}

export function boundsOf(points: readonly Point[]): Box {
  const xs = points.map(({ x }) => x);
  const ys = points.map(({ y }) => y);
  const [left, top] = [Math.min(...xs), Math.min(...ys)];
  return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}

/** The entities of a spans field (the built-in NER value), with `details.entities[i].confidence`. */
export function spansOf({ decision }: ExportedField): LabeledSpan[] {
  return (decision.value.annotations as { entities: LabeledSpan[] }).entities;
}
