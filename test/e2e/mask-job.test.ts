import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { consolidate } from '../../src/index.js';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
/** A 4×1 `crowd-semantic-segmentation` answer: the first `cars` pixels car, the rest transparent. */
function segmentation(cars: number) {
  const data = new Uint8Array(16);
  for (let pixel = 0; pixel < cars; pixel += 1) data.set([0x1f, 0x77, 0xb4, 255], pixel * 4);
  const pngImageData = Buffer.from(encode({ width: 4, height: 1, data, channels: 4, depth: 8 })).toString('base64');
  return { inputImageProperties: { width: 4, height: 1 }, labelMappings: { car: { color: '#1f77b4' } }, labeledImage: { pngImageData } };
}

describe('consolidate: a semantic segmentation field', () => {
  it('is decided by mask-vote by default, the indexed PNG and internal-color-map in the output', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, [{
      data: { 'source-ref': 's3://b/street.jpg' },
      answers: [1, 2, 3].map((n) => ({ workerId: worker(n), answerContent: { 'crowd-semantic-segmentation': segmentation(n) } })),
    }]);
    await consolidate({ manifest, out: path.join(dir, 'result/output.manifest') });
    const line = JSON.parse(await readFile(path.join(dir, 'result/output.manifest'), 'utf8'));
    const field = line.job['crowd-semantic-segmentation'];
    expect([...decode(Buffer.from(field.png, 'base64')).data]).toEqual([1, 1, 0, 0]);
    expect(field['internal-color-map']).toEqual({
      0: { 'class-name': 'BACKGROUND', 'hex-color': '#ffffff', confidence: 2 / 3 },
      1: { 'class-name': 'car', 'hex-color': '#1f77b4', confidence: (1 + 2 / 3) / 2 },
    });
    expect(line['job-metadata'].consolidation['crowd-semantic-segmentation']).toMatchObject({ strategy: 'mask-vote', answers: 3 });
  });
});
