/**
 * COCO object detection (cocodataset.org/#format-data): one `annotations.json` with `images`, `annotations` and
 * `categories`. COCO ids start at 1: an image's id is its ordinal in the export + 1, a category's id is Ground Truth's
 * `class_id` + 1 (its name from the field's labels, every class listed). Boxes are `bbox: [x, y, width, height]` in
 * pixels from the top left, clipped to the image; polygons add `segmentation: [[x1, y1, x2, y2, …]]` with the bbox and
 * area of the polygon. `file_name` is the object's `source-ref` as given (a URI: map it to where the images are
 * downloaded). `score` is the consolidated shape's confidence. The document is built in memory and written at the end.
 *
 * Keypoints: a COCO keypoint category names a fixed, ordered list of points, and each instance gives every one of them
 * as `x, y, v` (v = 2 labelled and visible, 0 not labelled, at 0, 0). `crowd-keypoint` has no instances, only labelled
 * clicks, so the export has one category, named after the field, whose `keypoints` are the field's labels (every label
 * answered, in the strategies' order), and one instance per image holding its consolidated points, with the box around
 * them (`area` that box's). An image on which a label was kept twice (two noses: two subjects, which Ground Truth does
 * not tell apart) cannot be one instance and is left out (`repeated-keypoint`).
 */
import type { OutputWriter } from '../io/storage.js';
import { clipToImage, polygonArea } from './image-geometry.js';
import { boundsOf, imageShapesOf, imageSizeOf, type ExportedField, type SkipReason } from './shape-field.js';
import type { LabeledPoint } from '../../strategies/types.js';
import type { ShapeDatasetWriter } from './shape-sink.js';

interface CocoAnnotation {
  id: number;
  image_id: number;
  /** Resolved to a category id once every class is known. */
  label: string;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: 0;
  segmentation?: number[][];
  /** A keypoints instance's points by label: laid out in the category's order once every label is known. */
  points?: ReadonlyMap<string, LabeledPoint>;
  score?: number;
}

export class CocoWriter implements ShapeDatasetWriter {
  private readonly images: { id: number; file_name: string; width: number; height: number }[] = [];
  private readonly annotations: CocoAnnotation[] = [];
  /** The keypoints field's name: its category's, once an object had it. */
  private keypointsField: string | undefined;

  constructor(private readonly file: OutputWriter) {}

  async write(field: ExportedField): Promise<number | SkipReason> {
    const sourceRef = field.object.json['source-ref'];
    const image = imageSizeOf(field);
    if (typeof sourceRef !== 'string') return 'no-source';
    if (!image) return 'no-image-size';
    if (field.kind === 'keypoints') return this.writeKeypoints(field, sourceRef, image);
    const imageId = this.addImage(sourceRef, image);
    const shapes = imageShapesOf(field);
    for (const { label, box, polygon, confidence } of shapes) {
      const { left, top, width, height } = polygon ? box : clipToImage(box, image);
      this.annotations.push({
        id: this.annotations.length + 1,
        image_id: imageId,
        label,
        bbox: [left, top, width, height],
        area: polygon ? polygonArea(polygon) : width * height,
        iscrowd: 0,
        ...(polygon && { segmentation: [polygon.flatMap(({ x, y }) => [x, y])] }),
        ...(confidence !== undefined && { score: confidence }),
      });
    }
    return shapes.length;
  }

  async finish(classes: readonly string[]): Promise<void> {
    if (this.keypointsField !== undefined) return this.finishKeypoints(classes, this.keypointsField);
    const categoryIds = new Map(classes.map((name, classId) => [name, classId + 1]));
    const annotations = this.annotations.map(({ label, ...annotation }) => ({ ...annotation, category_id: categoryIds.get(label)! }));
    const categories = classes.map((name, classId) => ({ id: classId + 1, name }));
    await this.file.write(JSON.stringify({ images: this.images, annotations, categories }) + '\n');
  }

  private addImage(fileName: string, size: { width: number; height: number }): number {
    const id = this.images.length + 1;
    this.images.push({ id, file_name: fileName, ...size });
    return id;
  }

  /** One instance holding the image's points (none: the image alone); a label kept twice leaves the image out. */
  private writeKeypoints(field: ExportedField, sourceRef: string, image: { width: number; height: number }): number | SkipReason {
    const points = field.decision.value.keypoints as LabeledPoint[];
    const byLabel = new Map(points.map((point) => [point.label, point]));
    if (byLabel.size < points.length) return 'repeated-keypoint';
    this.keypointsField = field.name;
    const imageId = this.addImage(sourceRef, image);
    if (points.length === 0) return 0;
    const { left, top, width, height } = boundsOf(points);
    this.annotations.push({
      id: this.annotations.length + 1, image_id: imageId, label: field.name, bbox: [left, top, width, height], area: width * height, iscrowd: 0,
      points: byLabel, score: field.decision.confidence,
    });
    return points.length;
  }

  private async finishKeypoints(labels: readonly string[], field: string): Promise<void> {
    const annotations = this.annotations.map(({ label: _, points, ...annotation }) => ({
      ...annotation,
      category_id: 1,
      keypoints: labels.flatMap((label) => {
        const point = points!.get(label);
        return point ? [point.x, point.y, 2] : [0, 0, 0];
      }),
      num_keypoints: points!.size,
    }));
    const categories = [{ id: 1, name: field, keypoints: labels, skeleton: [] }];
    await this.file.write(JSON.stringify({ images: this.images, annotations, categories }) + '\n');
  }
}
