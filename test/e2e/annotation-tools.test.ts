/**
 * A job with a bounding-box field, an NER field and a classification question, as the Crowd HTML Elements submit them,
 * run through `consolidate()` with gold shapes and a worker report: the built-in output formats, worker quality for
 * drawings, and gold scored by AWS's mean-IoU rule.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidate } from '../../src/index.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
const image = { width: 640, height: 480 };
const car = (left: number) => ({ label: 'car', left, top: 100, width: 100, height: 60 });

/** Three workers: 1 and 2 draw the car (2 a little off) and mark "Ada"; 3 draws a phantom person and misses the name. */
const objects: JobObject[] = [0, 1].map((index) => ({
  data: { 'source-ref': `s3://photos/street-${index}.jpg`, source: 'Ada Lovelace met Babbage in London.' },
  answers: [1, 2, 3].map((n) => ({
    workerId: worker(n),
    answerContent: {
      boundingBox: { boundingBoxes: n === 3 ? [{ label: 'person', left: 400, top: 10, width: 20, height: 40 }, car(10)] : [car(n === 1 ? 10 : 14)], inputImageProperties: image },
      entities: { entities: n === 3 ? [] : [{ label: 'PER', startOffset: 0, endOffset: 12 }] },
      weather: { label: n === 3 ? 'rain' : 'sun' },
    },
  })),
}));

describe('annotation tools, end to end', () => {
  it('writes boxes and entities in the built-in formats, with worker quality and gold mean IoU', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'street', bucket: 'bucket', prefix: 'gt' }, objects);
    const gold = path.join(dir, 'gold.jsonl');
    await writeFile(gold, [
      { key: 's3://photos/street-0.jpg', label: { boundingBoxes: [car(10)] } },
      { key: 's3://photos/street-1.jpg', label: { boundingBoxes: [car(10), { label: 'car', left: 300, top: 100, width: 100, height: 60 }] } },
    ].map((row) => JSON.stringify(row)).join('\n'));
    const out = path.join(dir, 'out.manifest');
    const report = path.join(dir, 'workers.jsonl');
    const summary = await consolidate({ manifest, out, gold, goldField: 'boundingBox', workersReport: report });

    const line = JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!) as Record<string, any>;
    expect(line.street.boundingBox).toEqual({
      annotations: [{ class_id: 0, left: 11, top: 100, width: 100, height: 60 }],
      image_size: [{ width: 640, height: 480, depth: 3 }],
    });
    expect(line.street.entities).toEqual({ annotations: { entities: [{ label: 'PER', startOffset: 0, endOffset: 12 }], labels: [{ label: 'PER' }] } });
    const boxes = line['street-metadata'].consolidation.boundingBox;
    expect(boxes).toMatchObject({ strategy: 'boxes', answers: 3, 'class-map': { 0: 'car' }, dropped: 1 });
    expect(boxes.objects[0].votes).toBe(3);

    // Gold: object 0 matches its one car (IoU of the mean box with it), object 1 misses the second car (a 0 term).
    const iou0 = (100 - 1) * 60 / ((100 * 60) * 2 - (100 - 1) * 60);
    expect(summary.goldShapes?.boundingBox?.objects).toBe(2);
    expect(summary.goldShapes?.boundingBox?.meanIou).toBeCloseTo((iou0 + iou0 / 2) / 2, 12);
    expect(summary.gold).toBeUndefined();

    const rows = (await readFile(report, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const byWorker = Object.fromEntries(rows.map((row) => [row.workerId, row]));
    // Per object: worker 3 drew the car (kept) and a phantom person (extra), and marked no name (a miss on entities).
    expect(byWorker[worker(3)]!.shapes).toMatchObject({ matched: 2, extra: 2, missed: 2 });
    expect(byWorker[worker(1)]!.shapes).toMatchObject({ matched: 4, extra: 0, missed: 0 });
    expect(byWorker[worker(1)]!.shapes.meanSimilarity).toBeGreaterThan(byWorker[worker(2)]!.shapes.meanSimilarity);
    expect(byWorker[worker(1)]!.goldMeanIou).toBeCloseTo((1 + 0.5) / 2, 12);
  });
});
