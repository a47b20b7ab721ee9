import { deflateSync } from 'node:zlib';
import { decode, encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { consolidateMasks, maskVote } from '../../../strategies/mask-vote.js';
import { readPixelClasses } from '../../../strategies/masks/png.js';
import type { AnswerValue, Decision } from '../../../strategies/types.js';
import { byWorkers, noRandom } from './fixtures.js';

const colors: Record<string, string> = { car: '#1f77b4', road: '#ff7f0e', sky: '#2ca02c' };
const labels = Object.keys(colors).sort();
const create = (options: Record<string, unknown> = {}, field = labels) => maskVote.create(maskVote.options.parse(options), { labels: field });

/** A worker's RGBA PNG as the tool submits it: each pixel its label's colour, transparent where unlabelled. */
function maskAnswer(rows: readonly (readonly (string | null)[])[], mapping: Record<string, string> = colors): AnswerValue {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8Array(width * height * 4);
  rows.flat().forEach((label, pixel) => {
    if (label === null) return;
    const key = Number.parseInt(mapping[label]!.slice(1), 16);
    data.set([key >> 16, (key >> 8) & 0xff, key & 0xff, 255], pixel * 4);
  });
  const png = Buffer.from(encode({ width, height, data, channels: 4, depth: 8 })).toString('base64');
  const labelMappings = Object.fromEntries(Object.entries(mapping).map(([label, color]) => [label, { color }]));
  return { kind: 'mask', png, labelMappings, image: { width, height } };
}

/** A boolean mask (crowd-kit's fixtures) drawn with one class. */
const booleanMask = (rows: number[][], label = 'car') => maskAnswer(rows.map((row) => row.map((on) => (on ? label : null))));

type ColorMap = Record<string, { 'class-name': string; 'hex-color': string; confidence: number }>;
const colorMapOf = (decision: Decision) => decision.details!['internal-color-map'] as ColorMap;

/** The consolidated PNG's rows of class indexes, checking it is 8-bit indexed. */
function classRows(decision: Decision): number[][] {
  expect(decision.file).toEqual({ extension: 'png', mediaType: 'image/png' });
  const bytes = decision.value as Uint8Array;
  expect([bytes[24], bytes[25]]).toEqual([8, 3]); // IHDR bit depth 8, colour type 3 (indexed)
  const png = decode(bytes);
  return Array.from({ length: png.height }, (_, y) => [...png.data.subarray(y * png.width, (y + 1) * png.width)]);
}

describe('mask-vote: crowd-kit SegmentationMajorityVote fixtures (tests/aggregation/data_image.py)', () => {
  const task1 = [
    [[0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
    [[0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
    [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1, 0, 0]],
  ];
  const task2 = [
    [[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
    [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0]],
    [[0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0]],
  ];
  const carIndex = labels.indexOf('car') + 1;

  it('gives simple_image_mv_result for both tasks', () => {
    const expected = [
      [[0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]],
      [[0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1, 0]],
    ];
    [task1, task2].forEach((task, t) => {
      const decision = create().decide(byWorkers(task.map((rows) => booleanMask(rows))), noRandom);
      expect(classRows(decision)).toEqual(expected[t]!.map((row) => row.map((on) => on * carIndex)));
    });
  });

  it('writes the internal-color-map with BACKGROUND #ffffff and the confidence of each class', () => {
    const decision = create().decide(byWorkers(task2.map((rows) => booleanMask(rows))), noRandom);
    const colorMap = colorMapOf(decision);
    expect(Object.keys(colorMap)).toEqual(['0', '1', '2', '3']);
    expect(colorMap['0']).toMatchObject({ 'class-name': 'BACKGROUND', 'hex-color': '#ffffff' });
    expect(colorMap[String(carIndex)]).toMatchObject({ 'class-name': 'car', 'hex-color': '#1f77b4' });
    // Every pixel is labelled by someone. Car: 6 pixels 3/3 (row 2, cols 0–5), 7 pixels 2/3; background: 11 pixels,
    // each left unlabelled by 2 of 3.
    expect(colorMap[String(carIndex)]!.confidence).toBeCloseTo((6 + 7 * 2 / 3) / 13, 12);
    expect(colorMap['0']!.confidence).toBeCloseTo(2 / 3, 12);
    expect(decision.confidence).toBeCloseTo((6 + 18 * 2 / 3) / 24, 12);
    expect(colorMap['2']).toMatchObject({ 'class-name': 'road', confidence: 0 });
    expect(decision.details).toEqual({ 'internal-color-map': colorMap, width: 8, height: 3, labelledPixels: 24 });
  });

  it('one worker: the mask as drawn, confidence 0', () => {
    const decision = create().decide(byWorkers([booleanMask(task1[0]!)]), noRandom);
    expect(classRows(decision)).toEqual(task1[0]!.map((row) => row.map((on) => on * carIndex)));
    expect(decision.confidence).toBe(0);
    expect(Object.values(colorMapOf(decision)).map(({ confidence }) => confidence)).toEqual([0, 0, 0, 0]);
  });
});

describe('mask-vote: many classes', () => {
  const [width, height] = [160, 120];
  /** Each edge, centre and radius moved by its own `shift` (0 for the truth). */
  const paint = (shift: () => number) => {
    const [left, right, top, bottom] = [20 + shift(), 70 + shift(), 15 + shift(), 55 + shift()];
    const [cx, cy, r] = [115 + shift(), 45 + shift(), 28 + shift()];
    const [roadTop, roadBottom] = [85 + shift(), 105 + shift()];
    return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) =>
      x >= left && x < right && y >= top && y < bottom ? 'car'
        : (x - cx) ** 2 + (y - cy) ** 2 < r ** 2 ? 'sky'
          : y >= roadTop && y < roadBottom ? 'road' : null));
  };
  const indexes = (rows: (string | null)[][]) => rows.flat().map((label) => (label === null ? 0 : labels.indexOf(label) + 1));

  it('recovers jittered boundaries better than the workers on average, each worker read through its own colours', () => {
    const random = seededRandom(7);
    const truth = indexes(paint(() => 0));
    const drawn = [0, 1, 2].map(() => paint(() => Math.floor(random() * 5) - 2));
    const ownColors = { car: '#d62728', road: '#9467bd', sky: '#8c564b' };
    const answers = byWorkers([maskAnswer(drawn[0]!), maskAnswer(drawn[1]!), maskAnswer(drawn[2]!, ownColors)]);
    const accuracy = (classes: number[]) => classes.filter((c, p) => c === truth[p]).length / classes.length;
    const workers = drawn.map((rows) => accuracy(indexes(rows)));
    const consolidated = classRows(create().decide(answers, noRandom)).flat();
    // With three workers the plurality at quorum 2 is simply a label that two of them gave.
    const flats = drawn.map((rows) => rows.flat());
    const twoOfThree = flats[0]!.map((_, p) => flats.map((flat) => flat[p]!).find((label, i, given) => label !== null && given.indexOf(label) !== i) ?? null);
    expect(consolidated).toEqual(indexes([twoOfThree]));
    // Seed 7: 0.972 against the workers' 0.976, 0.967 and 0.957 (one well-placed worker can beat the vote).
    expect(accuracy(consolidated)).toBeGreaterThan(0.97);
    expect(accuracy(consolidated)).toBeGreaterThan(workers.reduce((a, b) => a + b) / workers.length);
  });
  it('recovers the true classes of a job with jittered, missed, extra and mislabelled regions (mean IoU to truth)', () => {
    const random = seededRandom(3);
    const truth = indexes(paint(() => 0));
    const jittered = () => paint(() => Math.floor(random() * 5) - 2);
    const relabel = (rows: (string | null)[][], change: (label: string | null, x: number, y: number) => string | null) =>
      rows.map((row, y) => row.map((label, x) => change(label, x, y)));
    const drawn = [
      relabel(jittered(), (label) => (label === 'sky' ? null : label)), // misses the sky
      relabel(jittered(), (label, x, y) => (x < 15 && y < 40 ? 'car' : label)), // an extra car in the corner
      relabel(jittered(), (label) => (label === 'road' ? 'sky' : label)), // the road labelled sky
      jittered(),
      jittered(),
    ];
    /** The mean over classes of IoU(pixels given the class, pixels truly of it). */
    const meanIou = (classes: readonly number[]) => {
      const ious = labels.map((_, i) => {
        const c = i + 1;
        const [shared, either] = classes.reduce(([s, e], given, p) => [s + Number(given === c && truth[p] === c), e + Number(given === c || truth[p] === c)], [0, 0]);
        return shared / either;
      });
      return ious.reduce((a, b) => a + b) / ious.length;
    };
    const workers = drawn.map((rows) => meanIou(indexes(rows)));
    const consolidated = classRows(create().decide(byWorkers(drawn.map((rows) => maskAnswer(rows))), noRandom)).flat();
    // Seed 3: 0.93 against the workers' 0.43 to 0.90 (the two only jittered: 0.89, 0.90); each fault is one worker's,
    // outvoted at quorum ⌈5/2⌉ = 3, and the vote also evens out the jittered boundaries.
    expect(meanIou(consolidated)).toBeGreaterThan(0.92);
    expect(meanIou(consolidated)).toBeGreaterThan(Math.max(...workers));
    expect(Math.min(...workers)).toBeLessThan(0.5);
  });
});

describe('mask-vote: tie policy and quorum', () => {
  const answers = () => byWorkers([maskAnswer([['car', 'car', null]]), maskAnswer([['sky', null, null]])]);
  const [car, sky] = [labels.indexOf('car') + 1, labels.indexOf('sky') + 1];

  it('background (default): a class tie is background; a class against background wins at quorum ⌈2/2⌉ = 1', () => {
    const decision = create().decide(answers(), noRandom);
    expect(classRows(decision)).toEqual([[0, car, 0]]);
    expect(decision.details).toMatchObject({ tiedPixels: 1 });
  });

  it('lowest: the lowest class index', () => {
    expect(classRows(create({ tie: 'lowest' }).decide(answers(), noRandom))).toEqual([[Math.min(car, sky), car, 0]]);
  });

  it('quorum 2 of 2: only pixels both workers gave one class', () => {
    const both = byWorkers([maskAnswer([['car', 'car', 'sky']]), maskAnswer([['car', null, 'road']])]);
    expect(classRows(create({ quorum: 2 }).decide(both, noRandom))).toEqual([[car, 0, 0]]);
  });
});

describe('mask-vote: input it cannot use', () => {
  const good = maskAnswer([['car', null]]);

  it('leaves the object unresolved when the PNGs differ in size', () => {
    const decision = create().decide(byWorkers([good, maskAnswer([['car'], [null]])]), noRandom);
    expect(decision).toEqual({ value: undefined, confidence: 0, details: { reason: 'the workers\' PNGs differ in size (2×1, 1×2)' } });
  });

  it('refuses a base64 that is not a PNG, naming the worker', () => {
    const notPng: AnswerValue = { ...good, png: Buffer.from('<html>not an image</html>').toString('base64') } as AnswerValue;
    expect(create().decide(byWorkers([good, notPng]), noRandom).details).toEqual({ reason: 'worker w2: not a PNG' });
  });

  it('refuses huge declared dimensions from IHDR alone, before decoding', () => {
    // Signature + an IHDR of 100000 × 100000 (10 GP) and nothing after it: decoding would fail, so the size check ran first.
    const header = Buffer.from(encode({ width: 1, height: 1, data: new Uint8Array(4), channels: 4, depth: 8 }).subarray(0, 33));
    header.writeUInt32BE(100_000, 16);
    header.writeUInt32BE(100_000, 20);
    const huge = { ...good, png: header.toString('base64') } as AnswerValue;
    expect(create().decide(byWorkers([huge]), noRandom).details)
      .toEqual({ reason: 'worker w1: the PNG declares 100000×100000 pixels, above maxPixels (50000000)' });
    expect(create({ maxPixels: 1 }).decide(byWorkers([good]), noRandom).details)
      .toEqual({ reason: 'worker w1: the PNG declares 2×1 pixels, above maxPixels (1)' });
  });

  it('refuses image data that inflates past the declared size (a deflate bomb), before fast-png inflates it', () => {
    const chunk = (type: string, data: Uint8Array) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(data.length, 0);
      head.write(type, 4, 'latin1');
      return Buffer.concat([head, data, Buffer.alloc(4)]); // CRC unchecked
    };
    const ihdr = Buffer.from(encode({ width: 1, height: 1, data: new Uint8Array(4), channels: 4, depth: 8 }).subarray(0, 33));
    const bomb = Buffer.concat([ihdr, chunk('IDAT', deflateSync(Buffer.alloc(50_000_000))), chunk('IEND', new Uint8Array(0))]);
    expect(bomb.length).toBeLessThan(100_000);
    const answer = { ...good, png: bomb.toString('base64') } as AnswerValue;
    expect(create().decide(byWorkers([answer]), noRandom).details)
      .toEqual({ reason: 'worker w1: the PNG\'s data inflates past its declared 1×1 pixels' });
  });

  it('reports a PNG whose data is corrupt', () => {
    const bytes = Buffer.from((good as { png: string }).png, 'base64');
    const corrupt = { ...good, png: Buffer.concat([bytes.subarray(0, 41), Buffer.alloc(8, 0xff)]).toString('base64') } as AnswerValue;
    expect(create().decide(byWorkers([good, corrupt]), noRandom).details)
      .toMatchObject({ reason: expect.stringMatching(/^worker w2: the PNG cannot be decoded/) });
  });
});

describe('mask PNG reading', () => {
  it('reads indexed, 16-bit and interlaced worker PNGs, grey as r = g = b, and unmapped colours as background', () => {
    const classOfColor = new Map([[0x1f77b4, 1], [0x808080, 2]]);
    const indexed = encode({ width: 3, height: 1, data: new Uint8Array([0, 1, 2]), depth: 8, channels: 1, palette: [[0x1f, 0x77, 0xb4], [0, 0, 0], [0x80, 0x80, 0x80]] });
    expect([...readPixelClasses(indexed, classOfColor, 10).classes]).toEqual([1, 0, 2]);
    const deep = encode({ width: 2, height: 1, data: new Uint16Array([0x1f00, 0x7700, 0xb400, 0xffff, 0, 0]), depth: 16, channels: 3 });
    expect([...readPixelClasses(deep, classOfColor, 10).classes]).toEqual([1, 0]);
    const grey = encode({ width: 2, height: 1, data: new Uint8Array([0x80, 255, 0x80, 0]), depth: 8, channels: 2 });
    expect([...readPixelClasses(grey, classOfColor, 10).classes]).toEqual([2, 0]);
    // Adam7 stores more filter bytes than a plain PNG: the inflate cap allows for them.
    const interlaced = encode({ width: 37, height: 23, data: new Uint8Array(37 * 23 * 3).fill(0x80), depth: 8, channels: 3 }, { interlace: 'Adam7' });
    expect(new Set(readPixelClasses(interlaced, classOfColor, 10_000).classes)).toEqual(new Set([2]));
  });

  it('consolidateMasks returns the PNG bytes to write beside the output', () => {
    const mask = consolidateMasks(byWorkers([maskAnswer([['car']]), maskAnswer([['car']])]), maskVote.options.parse({}), labels);
    expect(decode(mask.png)).toMatchObject({ width: 1, height: 1, depth: 8, palette: [[255, 255, 255], [0x1f, 0x77, 0xb4], [0xff, 0x7f, 0x0e], [0x2c, 0xa0, 0x2c]] });
  });
});
