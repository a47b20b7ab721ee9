/**
 * mask-vote on `crowd-instance-segmentation` answers: instances matched across workers by raster IoU, kept by quorum,
 * written back as instances. A small job with known true instances and jittered, missed, extra and mislabelled ones.
 */
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { maskVote } from '../../../strategies/mask-vote.js';
import type { AnswerValue, Decision } from '../../../strategies/types.js';
import { byWorkers, fixedRandom, noRandom } from './fixtures.js';

const [width, height] = [40, 30];
interface Rect { label: string; x0: number; y0: number; x1: number; y1: number }
const shift = (rect: Rect, dx: number, dy: number, label = rect.label): Rect =>
  ({ label, x0: rect.x0 + dx, y0: rect.y0 + dy, x1: rect.x1 + dx, y1: rect.y1 + dy });
const pixelsOf = ({ x0, y0, x1, y1 }: Rect) => {
  const pixels = new Set<number>();
  for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) pixels.add(y * width + x);
  return pixels;
};
const iou = (a: Set<number>, b: Set<number>) => {
  const shared = [...a].filter((pixel) => b.has(pixel)).length;
  return shared / (a.size + b.size - shared);
};

/** A worker's answer: each rectangle an instance in its own colour (`colors[i]`), transparent elsewhere. */
function instanceAnswer(rects: readonly Rect[], colors: readonly string[]): AnswerValue {
  const data = new Uint8Array(width * height * 4);
  rects.forEach((rect, i) => {
    const key = Number.parseInt(colors[i]!.slice(1), 16);
    for (const pixel of pixelsOf(rect)) data.set([key >> 16, (key >> 8) & 0xff, key & 0xff, 255], pixel * 4);
  });
  const png = Buffer.from(encode({ width, height, data, channels: 4, depth: 8 })).toString('base64');
  return { kind: 'mask', png, labelMappings: {}, instances: rects.map(({ label }, i) => ({ color: colors[i]!, label })), image: { width, height } };
}

const truth = {
  carA: { label: 'car', x0: 2, y0: 3, x1: 12, y1: 13 },
  carB: { label: 'car', x0: 20, y0: 5, x1: 32, y1: 15 },
  person: { label: 'person', x0: 5, y0: 18, x1: 15, y1: 28 },
};
const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const workers = [
  instanceAnswer([shift(truth.carA, 1, 0), shift(truth.carB, 0, 1), shift(truth.person, -1, 0)], palette),
  // Another order, and colours the first worker used for other instances.
  instanceAnswer([shift(truth.person, 0, 1), shift(truth.carA, -1, 1), shift(truth.carB, 1, -1)], palette),
  // Misses car B; an extra car no one else drew.
  instanceAnswer([shift(truth.carA, 0, -1), shift(truth.person, 1, 0), { label: 'car', x0: 34, y0: 22, x1: 39, y1: 28 }], palette),
  // Car B drawn as a person (per-label matching keeps it apart, alone).
  instanceAnswer([shift(truth.carA, 0, 1), shift(truth.carB, 0, 0, 'person'), shift(truth.person, 0, -1)], palette),
];

type Submitted = { labeledImage: { pngImageData: string }; instances: { color: string; label: string }[]; inputImageProperties: unknown };

/** Each output instance's pixels, read from the PNG by its colour. */
function outputInstances(decision: Decision) {
  const value = decision.value as Submitted;
  const png = decode(Buffer.from(value.labeledImage.pngImageData, 'base64'));
  return value.instances.map(({ color, label }) => {
    const key = Number.parseInt(color.slice(1), 16);
    const pixels = new Set<number>();
    for (let pixel = 0; pixel < width * height; pixel += 1) {
      const [r, g, b, a] = png.data.subarray(pixel * 4, pixel * 4 + 4);
      if (a === 255 && ((r! << 16) | (g! << 8) | b!) === key) pixels.add(pixel);
    }
    return { label, pixels };
  });
}

describe('mask-vote: instance segmentation kept as instances', () => {
  const decision = maskVote.create(maskVote.options.parse({}), { labels: ['car', 'person'] }).decide(byWorkers(workers), noRandom);

  it('keeps the instances a quorum of workers drew, each close to its true instance, closer than the workers\' on average', () => {
    const found = outputInstances(decision);
    expect(found.map(({ label }) => label)).toEqual(['car', 'car', 'person']);
    const expected = [truth.carA, truth.carB, truth.person].map(pixelsOf);
    const consolidatedIou = found.map(({ pixels }, i) => iou(pixels, expected[i]!));
    for (const value of consolidatedIou) expect(value).toBeGreaterThan(0.75); // car B: two members, whose union (≥ ⌈2/2⌉) is kept
    // The same instances as the workers drew them (their matched ones), against the truth.
    const drawnIou = [
      [truth.carA, [[1, 0], [-1, 1], [0, -1], [0, 1]]], [truth.carB, [[0, 1], [1, -1]]], [truth.person, [[-1, 0], [0, 1], [1, 0], [0, -1]]],
    ].flatMap(([rect, shifts]) => (shifts as number[][]).map(([dx, dy]) => iou(pixelsOf(shift(rect as Rect, dx!, dy!)), pixelsOf(rect as Rect))));
    const mean = (values: number[]) => values.reduce((a, b) => a + b) / values.length;
    expect(mean(consolidatedIou)).toBeGreaterThan(mean(drawnIou));
  });

  it('writes the submitted form, one distinct colour per instance, and each instance\'s votes and confidence', () => {
    const value = decision.value as Submitted;
    expect(Object.keys(value)).toEqual(['labeledImage', 'instances', 'inputImageProperties']);
    expect(value.inputImageProperties).toEqual({ width, height });
    expect(new Set(value.instances.map(({ color }) => color)).size).toBe(3);
    const details = decision.details as { instances: { votes: number; confidence: number }[]; dropped: number };
    expect(details.instances.map(({ votes }) => votes)).toEqual([4, 2, 4]);
    expect(details.dropped).toBe(2); // the extra car and the mislabelled car B
    // votes / workers × mean IoU of the result with its members: below the vote share, and by less for jittered members.
    for (const { votes, confidence } of details.instances) {
      expect(confidence).toBeLessThan(votes / 4);
      expect(confidence).toBeGreaterThan((votes / 4) * 0.75);
    }
    expect(decision.file).toBeUndefined();
  });

  it('scores each worker\'s drawing: the miss and the extras', () => {
    expect(decision.shapes!.workers.map(({ matched, missed, extra }) => ({ matched, missed, extra }))).toEqual([
      { matched: 3, missed: 0, extra: 0 },
      { matched: 3, missed: 0, extra: 0 },
      { matched: 2, missed: 1, extra: 1 },
      { matched: 2, missed: 1, extra: 1 },
    ]);
  });

  it('gives an overlapped pixel to the more confident instance, and 0 confidence with one worker', () => {
    const overlapping = [
      instanceAnswer([truth.carA, { label: 'car', x0: 8, y0: 3, x1: 18, y1: 13 }], palette),
      instanceAnswer([truth.carA], palette),
    ];
    const both = maskVote.create(maskVote.options.parse({ quorum: 1 }), { labels: ['car'] }).decide(byWorkers(overlapping), noRandom);
    const [first, second] = outputInstances(both);
    expect(first!.pixels).toEqual(pixelsOf(truth.carA)); // drawn by both: the more confident
    expect(second!.pixels.size).toBe(pixelsOf({ label: 'car', x0: 12, y0: 3, x1: 18, y1: 13 }).size);
    const single = maskVote.create(maskVote.options.parse({}), { labels: ['car'] }).decide(byWorkers([overlapping[1]!]), noRandom);
    expect(single.confidence).toBe(0);
  });

  it('decides the same on a worker thread as on the main thread', async () => {
    const consolidator = maskVote.create(maskVote.options.parse({ threads: 1 }), { labels: ['car', 'person'] });
    const onThread = await consolidator.decideOffThread!(byWorkers(workers));
    expect(onThread).toEqual(decision);
    expect(onThread.shapes!.similarity).toBe(decision.shapes!.similarity);
  });
});

describe('mask-vote: an instance label tie under crossLabel', () => {
  // One instance, drawn as a person by the first worker and as a car by the second.
  const tied = byWorkers([instanceAnswer([shift(truth.carA, 0, 0, 'person')], palette), instanceAnswer([shift(truth.carA, 1, 0)], palette)]);
  const create = (options: Record<string, unknown>) =>
    maskVote.create(maskVote.options.parse({ crossLabel: true, ...options }), { labels: ['car', 'person'] });
  const labelsOf = (decision: Decision) => (decision.value as Submitted).instances.map(({ label }) => label);

  it('goes to the lowest label, the first worker\'s, or one drawn from the run\'s source', () => {
    expect(labelsOf(create({ threads: 0 }).decide(tied, noRandom))).toEqual(['car']);
    expect(labelsOf(create({ threads: 0, labelTie: 'first' }).decide(tied, noRandom))).toEqual(['person']);
    expect(labelsOf(create({ threads: 0, labelTie: 'random' }).decide(tied, fixedRandom(0.2)))).toEqual(['person']);
    expect(labelsOf(create({ threads: 0, labelTie: 'random' }).decide(tied, fixedRandom(0.7)))).toEqual(['car']);
    expect(create({ threads: 0 }).decide(tied, noRandom).details).toMatchObject({ instances: [{ votes: 2, labelTie: true }] });
  });

  it('decides on a thread unless the tie is broken at random (the run\'s source is on the main thread)', async () => {
    expect(create({ threads: 1, labelTie: 'random' }).decideOffThread).toBeUndefined();
    expect(labelsOf(await create({ threads: 1, labelTie: 'first' }).decideOffThread!(tied))).toEqual(['person']);
  });
});
