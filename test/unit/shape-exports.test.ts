/**
 * The shape exports' parts on small decided objects: choosing and checking the field, each format's writer, and file
 * names from hostile `source-ref`s.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { AugmentedManifestWriter } from '../../src/export/augmented-manifest.js';
import { CocoWriter } from '../../src/export/coco.js';
import { polygonArea } from '../../src/export/image-geometry.js';
import { ShapeFieldReader, type ExportedField } from '../../src/export/shape-field.js';
import { ShapeSink } from '../../src/export/shape-sink.js';
import { SpanJsonlWriter } from '../../src/export/span-jsonl.js';
import { StagedFolder, YoloWriter } from '../../src/export/yolo.js';
import type { OutputWriter } from '../../src/io/storage.js';
import type { DecidedObject, FieldDecision } from '../../src/pipeline/decide.js';
import { boxes } from '../../strategies/boxes.js';
import { keypoints } from '../../strategies/keypoints.js';
import { spans } from '../../strategies/spans.js';
import type { AnswerValue, Decision, LabeledBox } from '../../strategies/types.js';
import { tempDir } from '../helpers/temp-dir.js';

const image = { width: 100, height: 50 };
const drawn = (...shapes: [string, number, number, number, number][]): AnswerValue => ({
  kind: 'boxes', boxes: shapes.map(([label, left, top, width, height]): LabeledBox => ({ label, left, top, width, height })), image,
});
const marked = (...entities: [string, number, number][]): AnswerValue =>
  ({ kind: 'spans', spans: entities.map(([label, startOffset, endOffset]) => ({ label, startOffset, endOffset })) });

interface FieldSpec {
  answers: AnswerValue[];
  /** The decision; by default the field's strategy decides the answers (boxes or spans). */
  decision?: Decision | null;
  labels?: string[];
}

/** A decided object as the decide stage hands it to a sink. */
function decided(json: Record<string, unknown>, fields: Record<string, FieldSpec>, line = 1): DecidedObject {
  const object: DecidedObject = {
    type: 'object', line, json, labelAttribute: 'job', workers: [], fields: new Map(), duplicates: 0, sideKeys: [], consolidated: {}, decisions: new Map(), files: [],
  };
  for (const [name, { answers: values, decision, labels }] of Object.entries(fields)) {
    const answers = values.map((value, n) => ({ workerId: `w${n}`, value }));
    object.fields.set(name, { answers, unknown: [] });
    if (decision === null) continue;
    const strategy = values[0]?.kind === 'spans' ? spans : boxes;
    const made = decision ?? strategy.create(strategy.options.parse({}) as never, { labels: labels ?? [] }).decide(answers, { random: Math.random, object: 0 });
    object.decisions.set(name, { ...made, strategy: strategy.name, answers } as FieldDecision);
  }
  return object;
}

function memoryFile(): OutputWriter & { text: string } {
  return { text: '', async write(chunk) { this.text += chunk; }, async finish() {}, async commit() {}, async abort() {} };
}

const readAll = (reader: ShapeFieldReader, objects: DecidedObject[]) => objects.map((object) => reader.read(object));

describe('choosing the exported field', () => {
  const boxField = { answers: [drawn(['cat', 0, 0, 10, 10])], labels: ['cat'] };
  const nerField = { answers: [marked(['PER', 0, 3])], labels: ['PER'] };

  it('takes the only field of the format\'s kinds, and stops when a second one appears', () => {
    const reader = new ShapeFieldReader('augmented-manifest', ['boxes', 'spans']);
    expect(reader.read(decided({}, { box: boxField }))?.name).toBe('box');
    expect(() => reader.read(decided({}, { box: boxField, ner: nerField }))).toThrow(/several boxes and spans fields \(box, ner\): pass --field/);
  });

  it('stops at once on a name one slip from a field, naming it; a name nowhere in the job stops after the run', () => {
    expect(() => new ShapeFieldReader('coco', ['boxes'], 'bx').read(decided({}, { box: boxField }))).toThrow(UsageError);
    expect(() => new ShapeFieldReader('coco', ['boxes'], 'Box').read(decided({}, { box: boxField })))
      .toThrow('--field Box: the job has no such field (did you mean "box"?); its boxes fields: box');
    const far = new ShapeFieldReader('coco', ['boxes'], 'elsewhere');
    expect(far.read(decided({}, { box: boxField }))).toBeUndefined();
    expect(() => far.checkFound()).toThrow('--field elsewhere: the job has no such field; its boxes fields: box');
  });

  it('refuses a field of another kind, and one no strategy consolidates', () => {
    expect(() => new ShapeFieldReader('yolo', ['boxes'], 'ner').read(decided({}, { ner: nerField })))
      .toThrow('--field ner: a spans field, and yolo exports boxes; it has no boxes field (fields: ner)');
    const sentiment = { answers: [{ kind: 'categorical', value: 'good', shape: 'string' } as AnswerValue], decision: null };
    expect(() => new ShapeFieldReader('coco', ['boxes'], 'sentiment').read(decided({}, { sentiment })))
      .toThrow('--field sentiment: a categorical field, and coco exports boxes; it has no boxes field (fields: sentiment)');
    const road = { answers: [{ kind: 'lines', lines: [{ label: 'lane', vertices: [{ x: 1, y: 1 }] }], shape: 'polylines' } as AnswerValue], decision: null };
    expect(() => new ShapeFieldReader('coco', ['boxes', 'polygons', 'keypoints'], 'road').read(decided({}, { road })))
      .toThrow(/--field road: a lines field, and coco exports boxes or polygons or keypoints/);
  });

  it('counts objects without the field and unresolved ones', () => {
    const reader = new ShapeFieldReader('coco', ['boxes'], 'box');
    readAll(reader, [decided({}, { box: boxField }), decided({}, {}), decided({}, { box: { ...boxField, decision: { value: undefined, confidence: 0 } } })]);
    expect(reader.skipped).toEqual({ absent: 1, unresolved: 1 });
  });

  it('names every class answered, in the strategies\' order (numbers as numbers)', () => {
    const reader = new ShapeFieldReader('yolo', ['boxes']);
    reader.read(decided({}, { box: { answers: [drawn(['10', 0, 0, 5, 5], ['9', 20, 20, 5, 5]), drawn(['100', 40, 40, 5, 5])], labels: ['9', '10', '100'] } }));
    expect(reader.classes()).toEqual(['9', '10', '100']);
  });
});

/** The one field of `object` as the reader gives it. */
const fieldOf = (object: DecidedObject, kinds: ('boxes' | 'spans' | 'polygons')[] = ['boxes']): ExportedField =>
  new ShapeFieldReader('test', kinds).read(object)!;

describe('COCO', () => {
  it('writes polygons as a segmentation with the polygon\'s bbox and area, categories from 1', async () => {
    const triangle = [{ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 10, y: 40 }];
    const polygons: AnswerValue = { kind: 'polygons', polygons: [{ label: 'roof', vertices: triangle }], image };
    const object = decided({ 'source-ref': 's3://b/house.jpg' }, {
      outline: { answers: [polygons], decision: { value: { polygons: [{ label: 'roof', vertices: triangle }] }, confidence: 1, details: { objects: [{ confidence: 0.5 }] } } },
    });
    const file = memoryFile();
    const coco = new CocoWriter(file);
    expect(await coco.write(fieldOf(object, ['polygons']))).toBe(1);
    await coco.finish(['roof', 'wall']);
    expect(JSON.parse(file.text)).toEqual({
      images: [{ id: 1, file_name: 's3://b/house.jpg', width: 100, height: 50 }],
      annotations: [{ id: 1, image_id: 1, bbox: [10, 10, 20, 30], area: 300, iscrowd: 0, segmentation: [[10, 10, 30, 10, 10, 40]], score: 0.5, category_id: 1 }],
      categories: [{ id: 1, name: 'roof' }, { id: 2, name: 'wall' }],
    });
  });

  it('clips boxes to the image, and leaves out objects without a source-ref or an image size', async () => {
    const coco = new CocoWriter(memoryFile());
    const wide = decided({ 'source-ref': 's3://b/a.jpg' }, { box: { answers: [drawn(['cat', 90, 40, 30, 30])], labels: ['cat'] } });
    expect(await coco.write(fieldOf(wide))).toBe(1);
    const unsized = decided({ 'source-ref': 's3://b/a.jpg' }, { box: { answers: [{ kind: 'boxes', boxes: [] }], labels: [] } });
    expect(await coco.write(fieldOf(unsized))).toBe('no-image-size');
    expect(await coco.write(fieldOf(decided({}, { box: { answers: [drawn()], labels: [] } })))).toBe('no-source');
  });

  it('writes keypoints as one instance an image, in one category named after the field whose keypoints are its labels', async () => {
    const clicks = (...points: [string, number, number][]): AnswerValue => ({ kind: 'keypoints', points: points.map(([label, x, y]) => ({ label, x, y })), image });
    const answers = [clicks(['nose', 50, 20], ['eye', 48, 10]), clicks(['nose', 52, 20], ['eye', 48, 12]), clicks(['nose', 51, 21], ['ear', 30, 5])];
    const decision = keypoints.create(keypoints.options.parse({})).decide(answers.map((value, n) => ({ workerId: `w${n}`, value })), { random: Math.random, object: 0 });
    const file = memoryFile();
    const sink = new ShapeSink(new ShapeFieldReader('coco', ['boxes', 'polygons', 'keypoints'], 'pose'), new CocoWriter(file));
    await sink.write(decided({ 'source-ref': 's3://b/dog.jpg' }, { pose: { answers, decision } }));
    // Kept: the nose (median of three clicks) and the eye (two of three); the ear one worker clicked is not, but is a keypoint name.
    expect(await sink.finish()).toMatchObject({ objectsWritten: 1, shapesWritten: 2, classes: ['ear', 'eye', 'nose'] });
    expect(JSON.parse(file.text)).toEqual({
      images: [{ id: 1, file_name: 's3://b/dog.jpg', width: 100, height: 50 }],
      annotations: [{
        id: 1, image_id: 1, category_id: 1, bbox: [48, 11, 3, 9], area: 27, iscrowd: 0, score: decision.confidence,
        keypoints: [0, 0, 0, 48, 11, 2, 51, 20, 2], num_keypoints: 2,
      }],
      categories: [{ id: 1, name: 'pose', keypoints: ['ear', 'eye', 'nose'], skeleton: [] }],
    });
  });

  it('leaves out an image on which a keypoint label was kept twice (two subjects it cannot tell apart)', async () => {
    const twoNoses = [{ label: 'nose', x: 10, y: 10 }, { label: 'nose', x: 80, y: 10 }];
    const answers: AnswerValue[] = [{ kind: 'keypoints', points: twoNoses, image }];
    const object = decided({ 'source-ref': 's3://b/dogs.jpg' }, { pose: { answers, decision: { value: { keypoints: twoNoses }, confidence: 1 } } });
    const coco = new CocoWriter(memoryFile());
    expect(await coco.write(new ShapeFieldReader('coco', ['keypoints']).read(object)!)).toBe('repeated-keypoint');
  });

  it('measures areas whichever way a polygon winds', () => {
    const square = [{ x: 0, y: 0 }, { x: 4, y: 0 }, { x: 4, y: 4 }, { x: 0, y: 4 }];
    expect(polygonArea(square)).toBe(16);
    expect(polygonArea([...square].reverse())).toBe(16);
  });
});

describe('YOLO file names from hostile source-refs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
  });

  it('keeps every file inside labels/, with unique stems (case ignored)', async () => {
    const refs = [
      's3://b/../../x.jpg', '/etc/passwd', 'C:\\Windows\\evil.png', 's3://b/..', 's3://b/.hidden.jpg', 's3://b/a/Photo.JPG',
      's3://b/b/photo.jpg', 's3://b/photo-2.jpg', 's3://b/ünï cödé;rm -rf.jpg', 's3://b/dir/',
    ];
    const out = path.join(dir, 'hostile');
    const yolo = await YoloWriter.open(out);
    for (const ref of refs) {
      expect(await yolo.write(fieldOf(decided({ 'source-ref': ref }, { box: { answers: [drawn(['cat', 0, 0, 10, 10])], labels: ['cat'] } })))).toBe(1);
    }
    await yolo.finish(['cat']);
    await yolo.publish();
    expect((await readdir(path.join(out, 'labels'))).sort()).toEqual([
      'Photo.txt', 'evil.txt', 'hidden.txt', 'image-2.txt', 'image.txt', 'passwd.txt', 'photo-2-2.txt', 'photo-2.txt', 'x.txt',
      '_n__c_d__rm_-rf.txt',
    ].sort());
    expect(existsSync(path.join(dir, 'x.txt'))).toBe(false);
    expect(await readdir(dir)).toEqual(['hostile']);
    expect(await readFile(path.join(out, 'labels/x.txt'), 'utf8')).toBe('0 0.05 0.1 0.1 0.2\n');
  });

  it('refuses an S3 destination, and removes its staging folder when discarded', async () => {
    await expect(StagedFolder.open('s3://bucket/yolo/')).rejects.toThrow(/written locally/);
    const folder = await StagedFolder.open(path.join(dir, 'discarded'));
    await folder.write('labels/a.txt', '');
    await expect(folder.write('../../outside.txt', '')).rejects.toThrow(/outside the export folder/);
    await folder.discard();
    expect(await readdir(dir)).toEqual(['hostile']);
  });
});

describe('span JSONL', () => {
  const ner = (text: unknown, ...entities: [string, number, number][]) =>
    fieldOf(decided(text === undefined ? {} : { source: text, doc: text }, { ner: { answers: [marked(...entities)], labels: ['PER'] } }), ['spans']);

  it('takes the text from the configured field, and leaves out objects without text or with spans past its end', async () => {
    const file = memoryFile();
    const writer = new SpanJsonlWriter(file, 'doc');
    expect(await writer.write(ner('🙂 Ann', ['PER', 2, 5]))).toBe(1);
    expect(await writer.write(ner('🙂 Ann', ['PER', 2, 6]))).toBe('span-outside-text');
    expect(await writer.write(ner(undefined, ['PER', 0, 1]))).toBe('no-text');
    expect(JSON.parse(file.text)).toEqual({ text: '🙂 Ann', spans: [{ start: 2, end: 5, label: 'PER' }] });
  });
});

describe('augmented manifest', () => {
  it('names the job after the label attribute when the line has no job-name', async () => {
    const file = memoryFile();
    const writer = new AugmentedManifestWriter(file, 'source');
    const object = decided({ 'source-ref': 's3://b/a.jpg', 'job-metadata': { 'creation-date': '2025-01-01T00:00:00.000000' } },
      { box: { answers: [drawn(['cat', 0, 0, 10, 10])], labels: ['cat'] } });
    expect(await writer.write(fieldOf(object))).toBe(1);
    expect(JSON.parse(file.text)['box-metadata']).toEqual({
      objects: [{ confidence: 0 }], 'class-map': { 0: 'cat' }, type: 'groundtruth/object-detection', 'human-annotated': 'yes',
      'creation-date': '2025-01-01T00:00:00.000000', 'job-name': 'labeling-job/job',
    });
  });
});
