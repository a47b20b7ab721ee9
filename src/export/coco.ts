/**
 * COCO object detection (cocodataset.org/#format-data): one `annotations.json` with `images`, `annotations` and
 * `categories`. COCO ids start at 1: an image's id is its ordinal in the export + 1, a category's id is Ground Truth's
 * `class_id` + 1 (its name from the field's labels, every class listed). Boxes are `bbox: [x, y, width, height]` in
 * pixels from the top left, clipped to the image; polygons add `segmentation: [[x1, y1, x2, y2, …]]` with the bbox and
 * area of the polygon. `file_name` is the object's `source-ref` as given (a URI: map it to where the images are
 * downloaded). `score` is the consolidated shape's confidence. The document is built in memory and written at the end.
 * Keypoints are not exported: a COCO keypoint category needs a fixed, ordered list of named points per instance, which
 * free-form `crowd-keypoint` answers do not give.
 */
import type { OutputWriter } from '../io/storage.js';
import { clipToImage, polygonArea } from './image-geometry.js';
import { imageShapesOf, imageSizeOf, type ExportedField, type SkipReason } from './shape-field.js';
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
  score?: number;
}

export class CocoWriter implements ShapeDatasetWriter {
  private readonly images: { id: number; file_name: string; width: number; height: number }[] = [];
  private readonly annotations: CocoAnnotation[] = [];

  constructor(private readonly file: OutputWriter) {}

  async write(field: ExportedField): Promise<number | SkipReason> {
    const sourceRef = field.object.json['source-ref'];
    const image = imageSizeOf(field);
    if (typeof sourceRef !== 'string') return 'no-source';
    if (!image) return 'no-image-size';
    const imageId = this.images.length + 1;
    this.images.push({ id: imageId, file_name: sourceRef, ...image });
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
    const categoryIds = new Map(classes.map((name, classId) => [name, classId + 1]));
    const annotations = this.annotations.map(({ label, ...annotation }) => ({ ...annotation, category_id: categoryIds.get(label)! }));
    const categories = classes.map((name, classId) => ({ id: classId + 1, name }));
    await this.file.write(JSON.stringify({ images: this.images, annotations, categories }) + '\n');
  }
}
