/**
 * Keypoints, polygons and polylines through `consolidate()`: a small job whose workers answer with the documented
 * shapes of crowd-keypoint, crowd-polygon and crowd-polyline (ground-truth-formats.md §4.1), one field each, picked
 * by default for their answer kinds and written back in the submitted form with a confidence per shape.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consolidate } from '../../src/index.js';
import { writeJobTree, type JobAnswer, type JobObject } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';

type Line = Record<string, any>;

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
const inputImageProperties = { height: 533, width: 800 };
const vertices = (...xy: number[]) => Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! }));

/** Worker `n`'s answer: a dog's nose, a polygon around it, the road under it, each shifted by `d` pixels. */
const answer = (n: number, d: number, extra: { cat?: boolean } = {}): JobAnswer => ({
  workerId: worker(n),
  answerContent: {
    crowdKeypoint: {
      inputImageProperties,
      keypoints: [{ label: 'dog', x: 155 + d, y: 275 }, ...(extra.cat ? [{ label: 'cat', x: 341, y: 447 }] : [])],
    },
    outline: { inputImageProperties, polygons: [{ label: 'dog', vertices: vertices(100 + d, 200, 220, 200 + d, 220, 330, 100, 330) }] },
    road: { inputImageProperties, polylines: [{ label: 'road', vertices: vertices(0, 500 + d, 400, 510, 800, 500 - d) }] },
  },
});

let root: string;
beforeAll(async () => {
  root = await tempDir();
});

describe('annotation tools: keypoints, polygons, polylines', () => {
  const objects: JobObject[] = [{ data: { 'source-ref': 's3://bucket/images/dog.jpg' }, answers: [answer(1, 0, { cat: true }), answer(2, 2), answer(3, -1)] }];

  it('consolidates each field with its own strategy, in the submitted form', async () => {
    const manifest = await writeJobTree({ root, jobName: 'tools', bucket: 'bucket', prefix: 'gt' }, objects);
    const out = path.join(root, 'out/output.manifest');
    const summary = await consolidate({ manifest, out });
    expect(summary.fields.crowdKeypoint).toMatchObject({ strategy: 'keypoints', pickedFor: 'keypoints', objects: 1, answers: 3 });
    expect(summary.fields.outline).toMatchObject({ strategy: 'polygons', pickedFor: 'polygons', objects: 1, answers: 3 });
    expect(summary.fields.road).toMatchObject({ strategy: 'lines', pickedFor: 'lines', objects: 1, answers: 3 });

    const [line] = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((text) => JSON.parse(text) as Line);
    expect(line!.tools).toEqual({
      // The median of 155, 157, 154; the cat only one worker in three clicked is dropped.
      crowdKeypoint: { keypoints: [{ label: 'dog', x: 155, y: 275 }], inputImageProperties },
      // The medoid: worker 1's outline lies between the others.
      outline: { polygons: [{ label: 'dog', vertices: vertices(100, 200, 220, 200, 220, 330, 100, 330) }], inputImageProperties },
      road: { polylines: [{ label: 'road', vertices: vertices(0, 500, 400, 510, 800, 500) }], inputImageProperties },
    });
    const consolidation = line!['tools-metadata'].consolidation;
    expect(consolidation.crowdKeypoint).toMatchObject({ strategy: 'keypoints', answers: 3, keypoints: [{ votes: 3 }], dropped: 1 });
    expect(consolidation.outline).toMatchObject({ strategy: 'polygons', answers: 3, polygons: [{ votes: 3 }] });
    expect(consolidation.road).toMatchObject({ strategy: 'lines', answers: 3, lines: [{ votes: 3 }] });
    // The field's confidence: the mean over clusters, the dropped cat's being 1 − 1/3.
    expect(consolidation.crowdKeypoint.confidence).toBeCloseTo((consolidation.crowdKeypoint.keypoints[0].confidence + 2 / 3) / 2, 12);
    expect(consolidation.crowdKeypoint.keypoints[0].confidence).toBeGreaterThan(0.99);
    expect(consolidation.outline.confidence).toBe(consolidation.outline.polygons[0].confidence);
    expect(consolidation.outline.confidence).toBeGreaterThan(0.95);
    expect(consolidation.outline.confidence).toBeLessThan(1);
    expect(consolidation.road.confidence).toBeGreaterThan(0.99);
  });
});
