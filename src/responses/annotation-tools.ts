/**
 * The answers of Ground Truth's annotation tools, recognised by their keys (ground-truth-formats.md §4.1), as typed
 * shapes (`AnswerValue` kinds `boxes`, `spans`, `keypoints`, `polygons`, `lines`, `mask`):
 *
 * | element                        | submitted                                                                  |
 * |--------------------------------|----------------------------------------------------------------------------|
 * | crowd-bounding-box             | `{boundingBoxes: [{label, left, top, width, height}] or null, inputImageProperties}` |
 * | crowd-entity-annotation        | `{entities: [{label, startOffset, endOffset}]}`                            |
 * | crowd-keypoint                 | `{keypoints: [{label, x, y}], inputImageProperties}`                       |
 * | crowd-polygon                  | `{polygons: [{label, vertices: [{x, y}]}], inputImageProperties}`          |
 * | crowd-line / crowd-polyline    | `{lines: […]}` / `{polylines: […]}`, as polygons                           |
 * | crowd-semantic-segmentation    | `{labeledImage: {pngImageData}, labelMappings: {label: {color}}, inputImageProperties}` |
 * | crowd-instance-segmentation    | `{labeledImage: {pngImageData}, instances: [{color, label}], inputImageProperties}` |
 *
 * A value with those keys whose contents do not fit (a label that is not a string, a coordinate that is not a finite
 * number, an entity ending before it starts) is not a shape: it stays an unknown shape, kept verbatim.
 */
import type { AnswerValue, ImageSize, LabeledBox, LabeledPath, LabeledPoint, LabeledSpan, Point } from '../../strategies/types.js';
import { isRecord } from '../json.js';

/** The tool answer `object` holds, `undefined` when it is none (or a malformed one). */
export function annotationToolAnswer(object: Record<string, unknown>): AnswerValue | undefined {
  const keys = Object.keys(object);
  const image = imageSize(object.inputImageProperties);
  if (image === null) return undefined;
  const only = (...allowed: string[]) => keys.every((key) => allowed.includes(key));
  const withImage = image ? { image } : {};
  if ('boundingBoxes' in object && only('boundingBoxes', 'inputImageProperties')) {
    const boxes = object.boundingBoxes === null ? [] : listOf(object.boundingBoxes, box);
    return boxes && { kind: 'boxes', boxes, ...withImage };
  }
  if ('entities' in object && only('entities')) {
    const spans = listOf(object.entities, span);
    return spans && { kind: 'spans', spans };
  }
  if ('keypoints' in object && only('keypoints', 'inputImageProperties')) {
    const points = listOf(object.keypoints, labeledPoint);
    return points && { kind: 'keypoints', points, ...withImage };
  }
  if ('polygons' in object && only('polygons', 'inputImageProperties')) {
    const polygons = listOf(object.polygons, path);
    return polygons && { kind: 'polygons', polygons, ...withImage };
  }
  for (const shape of ['lines', 'polylines'] as const) {
    if (shape in object && only(shape, 'inputImageProperties')) {
      const lines = listOf(object[shape], path);
      return lines && { kind: 'lines', lines, shape, ...withImage };
    }
  }
  if ('labeledImage' in object && only('labeledImage', 'labelMappings', 'instances', 'inputImageProperties', 'initialValueModified')) {
    return mask(object, image);
  }
  return undefined;
}

/** `inputImageProperties`: `undefined` when absent, `null` when present but malformed. */
function imageSize(value: unknown): ImageSize | undefined | null {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !isCount(value.width) || !isCount(value.height)) return null;
  return { width: value.width, height: value.height };
}

/** Every item parsed, or `undefined` if the value is not a list or any item does not parse. */
function listOf<T>(value: unknown, parse: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed === undefined) return undefined;
    items.push(parsed);
  }
  return items;
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const labelOf = (item: Record<string, unknown>) => (typeof item.label === 'string' ? item.label : undefined);

function box(item: unknown): LabeledBox | undefined {
  if (!isRecord(item)) return undefined;
  const { left, top, width, height } = item;
  const label = labelOf(item);
  if (label === undefined || ![left, top, width, height].every(isFiniteNumber) || (width as number) < 0 || (height as number) < 0) return undefined;
  return { label, left: left as number, top: top as number, width: width as number, height: height as number };
}

function span(item: unknown): LabeledSpan | undefined {
  if (!isRecord(item)) return undefined;
  const { startOffset, endOffset } = item;
  const label = labelOf(item);
  if (label === undefined || !isCount(startOffset) || !isCount(endOffset) || endOffset < startOffset) return undefined;
  return { label, startOffset, endOffset };
}

function point(item: unknown): Point | undefined {
  return isRecord(item) && isFiniteNumber(item.x) && isFiniteNumber(item.y) ? { x: item.x, y: item.y } : undefined;
}

function labeledPoint(item: unknown): LabeledPoint | undefined {
  const at = point(item);
  const label = isRecord(item) ? labelOf(item) : undefined;
  return at && label !== undefined ? { label, ...at } : undefined;
}

function path(item: unknown): LabeledPath | undefined {
  if (!isRecord(item)) return undefined;
  const label = labelOf(item);
  const vertices = listOf(item.vertices, point);
  return label !== undefined && vertices ? { label, vertices } : undefined;
}

const hexColor = /^#[0-9a-fA-F]{6}$/;
/** Base64 as a browser's `toDataURL` writes it (no data-URL prefix). */
const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

function mask(object: Record<string, unknown>, image: ImageSize | undefined): AnswerValue | undefined {
  const png = isRecord(object.labeledImage) ? object.labeledImage.pngImageData : undefined;
  if (typeof png !== 'string' || !base64.test(png)) return undefined;
  const mappings = object.labelMappings ?? {};
  if (!isRecord(mappings)) return undefined;
  const labelMappings: Record<string, { color: string }> = Object.create(null);
  for (const [label, mapping] of Object.entries(mappings)) {
    if (!isRecord(mapping) || typeof mapping.color !== 'string' || !hexColor.test(mapping.color)) return undefined;
    labelMappings[label] = { color: mapping.color };
  }
  const instances = object.instances === undefined ? undefined : listOf(object.instances, (item) =>
    isRecord(item) && typeof item.color === 'string' && hexColor.test(item.color) && typeof item.label === 'string'
      ? { color: item.color, label: item.label } : undefined);
  if (object.instances !== undefined && !instances) return undefined;
  return { kind: 'mask', png, labelMappings, ...(instances && { instances }), ...(image && { image }) };
}
