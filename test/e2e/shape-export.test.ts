/**
 * The shape exports end to end on a small job with a `crowd-bounding-box` field (`annotatedResult`) and a
 * `crowd-entity-annotation` field (`crowdEntity`), three workers each, consolidated by the default `boxes` and
 * `spans` strategies. Each dataset is checked against its format's rules, and the expected values are worked out from
 * the answers below.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportDataset, type ExportOptions } from '../../src/export/export.js';
import type { ShapeExportStats } from '../../src/export/shape-export.js';
import { writeJobTree, type JobAnswer, type JobObject } from '../../sample-output/job-tree.js';
import { bin, cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
type Box = [label: string, left: number, top: number, width: number, height: number];
type Span = [label: string, start: number, end: number];
const image = { width: 200, height: 100 };

/** One worker's answer: boxes on the image (with its size unless `sized` is false) and entities in the text. */
const answer = (n: number, boxes: Box[], spans: Span[], sized = true): JobAnswer => ({
  workerId: worker(n),
  answerContent: {
    annotatedResult: {
      boundingBoxes: boxes.map(([label, left, top, width, height]) => ({ label, left, top, width, height })),
      ...(sized && { inputImageProperties: image }),
    },
    crowdEntity: { entities: spans.map(([label, startOffset, endOffset]) => ({ label, startOffset, endOffset })) },
  },
});

// "👋 " is two code points but three UTF-16 units: Roberto is code points 7–14, Madrid 23–29.
const greeting = '👋 Hola Roberto vive en Madrid';
const cat: Box = ['cat', 10, 20, 50, 40];
const dog: Box = ['dog', 120, 30, 60, 50];
const objects: JobObject[] = [
  {
    // cat by all three (one jittered), dog by two, a bird by one (below quorum: dropped, but still class 0).
    data: { 'source-ref': 's3://bucket/images/photo.jpg', source: greeting },
    answers: [
      answer(1, [cat, dog, ['bird', 0, 0, 5, 5]], [['PER', 7, 14], ['LOC', 23, 29]]),
      answer(2, [cat, dog], [['PER', 7, 14], ['LOC', 23, 29]]),
      answer(3, [['cat', 13, 20, 50, 40]], [['PER', 7, 14]]),
    ],
  },
  {
    // The same file name under another prefix: YOLO's stem becomes photo-2.
    data: { 'source-ref': 's3://bucket/more/photo.jpg', source: 'Ana in Paris' },
    answers: [1, 2, 3].map((n) => answer(n, [dog], [['PER', 0, 3], ['LOC', 7, 12]])),
  },
  {
    // A hostile ref: must not write outside the YOLO folder.
    data: { 'source-ref': 's3://bucket/../../../escaped/passwd.png', source: 'Nothing here.' },
    answers: [1, 2, 3].map((n) => answer(n, [], [])),
  },
  {
    // No image size reported: left out of YOLO and COCO, counted.
    data: { 'source-ref': 's3://bucket/images/unsized.jpg', source: 'Bo' },
    answers: [1, 2].map((n) => answer(n, [cat], [['PER', 0, 2]], false)),
  },
];

let dir: string;
let manifest: string;
beforeAll(async () => {
  dir = await tempDir();
  manifest = await writeJobTree({ root: path.join(dir, 'jobs'), jobName: 'job', bucket: 'bucket', prefix: 'p' }, objects);
});

const exportAs = (format: ExportOptions['format'], out: string, options: Partial<ExportOptions> = {}) =>
  exportDataset({ manifest, format, out: path.join(dir, out), ...options }) as Promise<ShapeExportStats>;
const jsonLines = async (file: string) => (await readFile(path.join(dir, file), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line));

describe('COCO', () => {
  let coco: any;
  let stats: ShapeExportStats;
  beforeAll(async () => {
    stats = await exportAs('coco', 'coco/annotations.json', { field: 'annotatedResult' });
    coco = JSON.parse(await readFile(path.join(dir, 'coco/annotations.json'), 'utf8'));
  });

  it('lists every class with ids from 1 (class_id + 1)', () => {
    expect(coco.categories).toEqual([{ id: 1, name: 'bird' }, { id: 2, name: 'cat' }, { id: 3, name: 'dog' }]);
    expect(stats.classes).toEqual(['bird', 'cat', 'dog']);
  });

  it('has an image per sized object, and annotations that point at existing images and categories, inside the image', () => {
    expect(coco.images).toEqual([
      { id: 1, file_name: 's3://bucket/images/photo.jpg', ...image },
      { id: 2, file_name: 's3://bucket/more/photo.jpg', ...image },
      { id: 3, file_name: 's3://bucket/../../../escaped/passwd.png', ...image },
    ]);
    const images = new Map(coco.images.map((entry: any) => [entry.id, entry]));
    const categories = new Set(coco.categories.map(({ id }: any) => id));
    for (const annotation of coco.annotations) {
      const { width, height } = images.get(annotation.image_id) as typeof image;
      const [x, y, w, h] = annotation.bbox;
      expect(categories.has(annotation.category_id)).toBe(true);
      expect(x >= 0 && y >= 0 && x + w <= width && y + h <= height).toBe(true);
      expect(annotation).toMatchObject({ area: w * h, iscrowd: 0 });
      expect(annotation.score).toBeGreaterThan(0);
    }
    expect(coco.annotations.map(({ image_id, category_id, bbox }: any) => [image_id, category_id, bbox])).toEqual([
      [1, 2, [11, 20, 50, 40]], // the mean of 10, 10 and 13
      [1, 3, [120, 30, 60, 50]],
      [2, 3, [120, 30, 60, 50]],
    ]);
  });

  it('counts the object without an image size', () => {
    expect(stats).toMatchObject({ field: 'annotatedResult', kind: 'boxes', objectsWritten: 3, shapesWritten: 3, skipped: { 'no-image-size': 1 } });
  });
});

describe('COCO keypoints', () => {
  it('exports a crowd-keypoint field: its labels the category\'s keypoints, one instance an image, a doubled label left out', async () => {
    const click = (n: number, ...points: [string, number, number][]): JobAnswer =>
      ({ workerId: worker(n), answerContent: { crowdKeypoint: { keypoints: points.map(([label, x, y]) => ({ label, x, y })), inputImageProperties: image } } });
    const jobs = await writeJobTree({ root: path.join(dir, 'keypoint-jobs'), jobName: 'pose', bucket: 'bucket', prefix: 'p' }, [
      { data: { 'source-ref': 's3://bucket/dog.jpg' }, answers: [click(1, ['nose', 40, 30], ['tail', 150, 60]), click(2, ['nose', 42, 30], ['tail', 150, 64]), click(3, ['nose', 41, 31])] },
      // Two dogs: two noses kept, which one COCO instance cannot hold.
      { data: { 'source-ref': 's3://bucket/dogs.jpg' }, answers: [1, 2].map((n) => click(n, ['nose', 20, 20], ['nose', 180, 20])) },
    ]);
    const stats = await exportDataset({ manifest: jobs, format: 'coco', out: path.join(dir, 'coco-keypoints.json') }) as ShapeExportStats;
    expect(stats).toMatchObject({ field: 'crowdKeypoint', kind: 'keypoints', objectsWritten: 1, shapesWritten: 2, skipped: { 'repeated-keypoint': 1 } });
    const coco = JSON.parse(await readFile(path.join(dir, 'coco-keypoints.json'), 'utf8'));
    expect(coco.categories).toEqual([{ id: 1, name: 'crowdKeypoint', keypoints: ['nose', 'tail'], skeleton: [] }]);
    expect(coco.images).toEqual([{ id: 1, file_name: 's3://bucket/dog.jpg', ...image }]);
    // Medians: the nose of three clicks (41, 30), the tail of two (150, 62).
    expect(coco.annotations).toMatchObject([{ id: 1, image_id: 1, category_id: 1, keypoints: [41, 30, 2, 150, 62, 2], num_keypoints: 2, bbox: [41, 30, 109, 32], area: 109 * 32 }]);
  });
});

describe('YOLO', () => {
  let stats: ShapeExportStats;
  const folder = () => path.join(dir, 'yolo');
  beforeAll(async () => {
    stats = await exportAs('yolo', 'yolo', { field: 'annotatedResult' });
  });

  it('writes one label file per image, unique stems, nothing outside the folder', async () => {
    expect((await readdir(path.join(folder(), 'labels'))).sort()).toEqual(['passwd.txt', 'photo-2.txt', 'photo.txt']);
    expect((await readdir(folder())).sort()).toEqual(['data.yaml', 'labels', 'sources.jsonl']);
    expect(existsSync(path.join(dir, 'escaped'))).toBe(false);
    expect(await readFile(path.join(folder(), 'labels/passwd.txt'), 'utf8')).toBe('');
    expect((await jsonLines('yolo/sources.jsonl'))[1]).toEqual({ image: 'images/photo-2.jpg', labels: 'labels/photo-2.txt', 'source-ref': 's3://bucket/more/photo.jpg' });
  });

  it('writes class ids below nc and centres and sizes in [0, 1]', async () => {
    const yaml = await readFile(path.join(folder(), 'data.yaml'), 'utf8');
    expect(yaml).toContain('nc: 3\nnames:\n  0: "bird"\n  1: "cat"\n  2: "dog"\n');
    const lines = (await readFile(path.join(folder(), 'labels/photo.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(['1 0.18 0.4 0.25 0.4', '2 0.75 0.55 0.3 0.5']);
    for (const line of lines) {
      const [classId, ...values] = line.split(' ').map(Number);
      expect(classId).toBeLessThan(3);
      for (const value of values) expect(value >= 0 && value <= 1).toBe(true);
    }
    expect(stats.skipped).toEqual({ 'no-image-size': 1 });
  });

  it('refuses a folder that is not empty', async () => {
    await expect(exportAs('yolo', 'yolo', { field: 'annotatedResult' })).rejects.toThrow(/the folder is not empty/);
  });
});

describe('span JSONL', () => {
  it('writes Ground Truth\'s offsets, which count code points: Array.from slices them, an emoji shifts String.slice', async () => {
    const stats = await exportAs('spans-jsonl', 'spans.jsonl');
    expect(stats).toMatchObject({ field: 'crowdEntity', kind: 'spans', objectsWritten: 4, classes: ['LOC', 'PER'] });
    const rows = await jsonLines('spans.jsonl');
    expect(rows[0]).toEqual({ text: greeting, spans: [{ start: 7, end: 14, label: 'PER' }, { start: 23, end: 29, label: 'LOC' }] });
    const sliced = rows.flatMap(({ text, spans }) => spans.map(({ start, end }: any) => Array.from(text as string).slice(start, end).join('')));
    expect(sliced).toEqual(['Roberto', 'Madrid', 'Ana', 'Paris', 'Bo']);
    expect(greeting.slice(7, 14)).not.toBe('Roberto');
  });
});

describe('SageMaker augmented manifest', () => {
  it('boxes: the built-in object-detection line, with AttributeNames ["source-ref", field]', async () => {
    const stats = await exportAs('augmented-manifest', 'boxes.manifest', { field: 'annotatedResult' });
    expect(stats.attributeNames).toEqual(['source-ref', 'annotatedResult']);
    const [first] = await jsonLines('boxes.manifest');
    expect(Object.keys(first)).toEqual(['source-ref', 'annotatedResult', 'annotatedResult-metadata']);
    expect(first.annotatedResult).toEqual({
      annotations: [{ class_id: 1, left: 11, top: 20, width: 50, height: 40 }, { class_id: 2, left: 120, top: 30, width: 60, height: 50 }],
      image_size: [{ ...image, depth: 3 }],
    });
    const metadata = first['annotatedResult-metadata'];
    expect(metadata).toMatchObject({ 'class-map': { 1: 'cat', 2: 'dog' }, type: 'groundtruth/object-detection', 'human-annotated': 'yes', 'job-name': 'job' });
    expect(metadata.objects).toHaveLength(2);
    expect(metadata['creation-date']).toMatch(/^2025-03-08T/);
  });

  it('spans: the built-in NER line, with AttributeNames [field]', async () => {
    const stats = await exportAs('augmented-manifest', 'ner.manifest', { field: 'crowdEntity' });
    expect(stats.attributeNames).toEqual(['crowdEntity']);
    const [first] = await jsonLines('ner.manifest');
    expect(first).toMatchObject({
      source: greeting,
      crowdEntity: { annotations: { entities: [{ label: 'PER', startOffset: 7, endOffset: 14 }, { label: 'LOC', startOffset: 23, endOffset: 29 }] } },
      'crowdEntity-metadata': { type: 'groundtruth/text-span', 'human-annotated': 'yes' },
    });
    expect(first['crowdEntity-metadata'].entities).toHaveLength(2);
  });

  it('needs --field when the job has a field of each kind', async () => {
    await expect(exportAs('augmented-manifest', 'both.manifest')).rejects.toThrow(/several boxes and spans fields \(annotatedResult, crowdEntity\): pass --field/);
  });
});

describe('export of a shape field through the CLI: exit 2 with one line, nothing published', () => {
  beforeAll(() => {
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
  });

  it.each([
    ['a misspelt field', ['--format', 'coco', '--field', 'annotatedResul'], /--field annotatedResul: the job has no such field \(did you mean "annotatedResult"\?\); its boxes or polygons or keypoints fields: annotatedResult$/],
    ['a field of the wrong kind (a YOLO folder)', ['--format', 'yolo', '--field', 'crowdEntity'], /--field crowdEntity: a spans field, and yolo exports boxes; its boxes fields: annotatedResult$/],
  ])('%s', async (name, flags, message) => {
    const out = path.join(dir, `cli-${name.replace(/\W+/g, '-')}`);
    const run = await cli(['export', manifest, '--out', out, '--quiet', ...flags]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect((await readdir(dir)).filter((name) => name.startsWith(path.basename(out)))).toEqual([]);
  });

  it('prints the AttributeNames to pass', async () => {
    const run = await cli(['export', manifest, '--format', 'augmented-manifest', '--field', 'crowdEntity', '--out', path.join(dir, 'cli.manifest')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('augmented-manifest: field crowdEntity: 4 objects, 5 shapes, 2 classes');
    expect(run.stderr).toContain('AttributeNames: ["crowdEntity"]');
  });
});
