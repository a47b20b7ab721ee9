import { describe, expect, it } from 'vitest';
import { planFromSetting } from '../../../src/config/field-setting.js';
import { UsageError } from '../../../src/errors.js';
import { seededRandom } from '../../../src/random.js';
import { boxes } from '../../../strategies/boxes.js';
import { meanBox, medianBox, medoidBox } from '../../../strategies/shapes/box-reducers.js';
import { boxIou } from '../../../strategies/shapes/similarity.js';
import type { AnswerValue, LabeledBox } from '../../../strategies/types.js';
import { byWorkers, fixedRandom, noRandom } from './fixtures.js';

const labels = ['car', 'person', 'truck'];
const create = (options: Record<string, unknown> = {}) => boxes.create(boxes.options.parse(options), { labels });
const drawing = (drawn: LabeledBox[]): AnswerValue => ({ kind: 'boxes', boxes: drawn, image: { width: 640, height: 480 } });
const xyxy = (label: string, [x1, y1, x2, y2]: number[]): LabeledBox => ({ label, left: x1!, top: y1!, width: x2! - x1!, height: y2! - y1! });

describe('box reducers', () => {
  // WBF's tests/test_bbox.py::test_box_and_model_avg (ZFTurbo/Weighted-Boxes-Fusion, wave2-anchors.md A1): each fused
  // box is the mean of its members weighted by score × model weight (weights [2, 1]). The clusters are WBF's (it lets
  // one model put two boxes in one cluster, which the matcher here does not); the reducer is checked on them.
  it('meanBox with weights gives WBF\'s fused boxes', () => {
    const cluster1 = meanBox([xyxy('1', [0.6, 0.6, 0.8, 0.8]), xyxy('1', [0.59, 0.59, 0.79, 0.79]), xyxy('1', [0.61, 0.61, 0.81, 0.81])], '1',
      [0.7 * 2, 0.85 * 1, 0.75 * 1]);
    const low = (0.6 * 0.7 * 2 + 0.59 * 0.85 + 0.61 * 0.75) / (0.7 * 2 + 0.85 + 0.75);
    const high = (0.8 * 0.7 * 2 + 0.79 * 0.85 + 0.81 * 0.75) / (0.7 * 2 + 0.85 + 0.75);
    expect(cluster1.left).toBeCloseTo(low, 12);
    expect(cluster1.top).toBeCloseTo(low, 12);
    expect(cluster1.left + cluster1.width).toBeCloseTo(high, 12);
    expect(low).toBeCloseTo(0.599667, 6);
    expect(high).toBeCloseTo(0.799667, 6);
    const cluster2 = meanBox([xyxy('1', [0.1, 0.1, 0.5, 0.5]), xyxy('1', [0.11, 0.11, 0.51, 0.51])], '1', [0.9 * 2, 0.8 * 2]);
    expect(cluster2.left).toBeCloseTo(0.104706, 6);
    expect(cluster2.left + cluster2.width).toBeCloseTo(0.504706, 6);
    const cluster3 = meanBox([xyxy('0', [0.8, 0.8, 0.9, 0.9])], '0', [0.65]);
    expect([cluster3.left, cluster3.top, cluster3.left + cluster3.width, cluster3.top + cluster3.height].map((x) => x.toFixed(12)))
      .toEqual(['0.800000000000', '0.800000000000', '0.900000000000', '0.900000000000']);
  });

  it('medianBox takes each edge\'s median; medoidBox the member nearest the mean, as drawn', () => {
    const members = [xyxy('car', [0, 0, 10, 10]), xyxy('car', [1, 0, 11, 10]), xyxy('car', [30, 0, 40, 10])];
    expect(medianBox(members, 'car')).toEqual(xyxy('car', [1, 0, 11, 10]));
    expect(medoidBox(members, 'car')).toEqual(members[1]);
  });
});

describe('boxes strategy', () => {
  it('writes the built-in object-detection format with class ids over the field\'s labels', () => {
    const decision = create().decide(byWorkers([
      drawing([xyxy('person', [10, 10, 50, 90]), xyxy('car', [100, 100, 200, 160])]),
      drawing([xyxy('car', [102, 98, 202, 161]), xyxy('person', [12, 11, 51, 91])]),
      drawing([xyxy('person', [11, 9, 49, 92]), xyxy('truck', [300, 300, 320, 320])]),
    ]), noRandom);
    expect(decision.value).toEqual({
      annotations: [
        { class_id: 1, left: 11, top: 10, width: 39, height: 81 },
        { class_id: 0, left: 101, top: 99, width: 100, height: 62 },
      ],
      image_size: [{ width: 640, height: 480, depth: 3 }],
    });
    const details = decision.details as { objects: { confidence: number; votes: number }[]; 'class-map': Record<string, string>; dropped: number };
    expect(details['class-map']).toEqual({ 0: 'car', 1: 'person' });
    expect(details.objects.map(({ votes }) => votes)).toEqual([3, 2]);
    expect(details.dropped).toBe(1);
    for (const { confidence } of details.objects) expect(confidence).toBeGreaterThan(0);
    expect(details.objects[0]!.confidence).toBeLessThan(1);
    // Mean over clusters: two kept boxes and the truck only one worker in three drew (2/3 said it was not there).
    expect(decision.confidence).toBeCloseTo((details.objects[0]!.confidence + details.objects[1]!.confidence + 2 / 3) / 3, 12);
  });

  it('is not confident with one worker, and agrees when every worker drew nothing', () => {
    const one = create().decide(byWorkers([drawing([xyxy('car', [0, 0, 10, 10])])]), noRandom);
    expect(one.confidence).toBe(0);
    expect((one.value as { annotations: unknown[] }).annotations).toHaveLength(1);
    const empty = create().decide(byWorkers([drawing([]), drawing([])]), noRandom);
    expect(empty).toMatchObject({ value: { annotations: [] }, confidence: 1 });
  });

  it('recovers the true boxes of a jittered job with missed, extra and mislabelled boxes (mean IoU to truth)', () => {
    const random = seededRandom(7);
    const jitter = (box: LabeledBox): LabeledBox => ({
      ...box, left: box.left + (random() - 0.5) * 8, top: box.top + (random() - 0.5) * 8,
      width: box.width + (random() - 0.5) * 8, height: box.height + (random() - 0.5) * 8,
    });
    let iouSum = 0;
    let truths = 0;
    let extrasKept = 0;
    for (let object = 0; object < 200; object += 1) {
      const truth = Array.from({ length: 1 + (object % 3) }, (_, i) => xyxy(labels[(object + i) % 3]!, [i * 150, 40, i * 150 + 60 + object % 40, 140]));
      const workers = Array.from({ length: 5 }, () => {
        const drawn = truth.filter(() => random() > 0.15).map(jitter); // misses 15%
        if (random() < 0.1) drawn.push(xyxy('car', [500, 400, 520, 420])); // an extra box
        if (random() < 0.1 && drawn[0]) drawn[0] = { ...drawn[0], label: 'truck' }; // a wrong label
        return drawing(drawn);
      });
      const value = create().decide(byWorkers(workers), noRandom).value as { annotations: ({ class_id: number } & Omit<LabeledBox, 'label'>)[] };
      const found = value.annotations.map(({ class_id, ...box }) => ({ label: labels[class_id]!, ...box }));
      for (const box of truth) {
        iouSum += Math.max(0, ...found.filter((f) => f.label === box.label).map((f) => boxIou(f, box)));
        truths += 1;
      }
      extrasKept += found.filter((f) => f.left === 500).length;
    }
    expect(iouSum / truths).toBeGreaterThan(0.9);
    expect(extrasKept).toBe(0);
  });

  // datumaro tests/test_ops.py::test_can_match_shapes (wave2-anchors.md A1), its boxes at quorum = 1, pairwise_dist =
  // 0.1, Bbox(x, y, w, h): source 0 draws a unique box of label 1 and (4, 5, 2, 4) of label 2, sources 1 and 2 draw
  // (4, 4, 2, 5) and (3, 6, 2, 3) of label 2. The three label-2 boxes overlap pairwise by IoU 0.8, 0.27 and 0.23, so
  // they cluster; datumaro keeps the unique box and, of the cluster, the member nearest the mean box: source 0's, as the
  // medoid reducer does (IoU with the mean 0.71, against 0.59 and 0.40).
  it('ports datumaro\'s test_can_match_shapes boxes with the medoid reducer', () => {
    const bbox = (label: string, left: number, top: number, width: number, height: number): LabeledBox => ({ label, left, top, width, height });
    const decision = boxes.create(boxes.options.parse({ iou: 0.1, quorum: 1, reducer: 'medoid' }), { labels: ['1', '2'] }).decide(byWorkers([
      drawing([bbox('1', 1, 2, 3, 4), bbox('2', 4, 5, 2, 4)]), drawing([bbox('2', 4, 4, 2, 5)]), drawing([bbox('2', 3, 6, 2, 3)]),
    ]), noRandom);
    expect((decision.value as { annotations: unknown[] }).annotations).toEqual([
      { class_id: 0, left: 1, top: 2, width: 3, height: 4 },
      { class_id: 1, left: 4, top: 5, width: 2, height: 4 },
    ]);
    expect((decision.details as { objects: { votes: number }[] }).objects.map(({ votes }) => votes)).toEqual([1, 3]);
  });

  it('votes the label across labels with crossLabel', () => {
    const decision = create({ crossLabel: true }).decide(byWorkers([
      drawing([xyxy('car', [0, 0, 10, 10])]), drawing([xyxy('truck', [0, 0, 10, 10])]), drawing([xyxy('car', [1, 0, 11, 10])]),
    ]), noRandom);
    expect((decision.value as { annotations: { class_id: number }[] }).annotations).toEqual([{ class_id: 0, left: 0, top: 0, width: 10, height: 10 }]);
  });

  it('breaks a crossLabel tie by labelTie, and marks it', () => {
    // truck by the first and third workers, car by the second and fourth: one 2-2 cluster.
    const tied = byWorkers(['truck', 'car', 'truck', 'car'].map((label) => drawing([xyxy(label, [0, 0, 10, 10])])));
    const decide = (labelTie: string, random = noRandom) => {
      const decision = create({ crossLabel: true, labelTie }).decide(tied, random);
      const [{ class_id }] = (decision.value as { annotations: { class_id: number }[] }).annotations as [{ class_id: number }];
      expect((decision.details as { objects: unknown[] }).objects).toEqual([{ confidence: 1, votes: 4, labelTie: true }]);
      return labels[class_id];
    };
    expect(decide('lowest')).toBe('car');
    expect(decide('first')).toBe('truck');
    expect(decide('random', fixedRandom(0.2))).toBe('truck');
    expect(decide('random', fixedRandom(0.7))).toBe('car');
  });

  it('refuses bad options', () => {
    expect(() => boxes.options.parse({ iou: 0 })).toThrow();
    expect(() => boxes.options.parse({ reducer: 'max' })).toThrow();
    expect(() => boxes.options.parse({ threshold: 0.5 })).toThrow();
  });

  it('refuses a label tie left unresolved, at configuration, naming the policies it takes', () => {
    for (const strategy of ['boxes', 'spans', 'keypoints', 'polygons', 'lines', 'mask-vote']) {
      expect(() => planFromSetting('objects', { strategy, crossLabel: true, labelTie: 'none' }))
        .toThrow(new UsageError('fields.objects.labelTie: expected "lowest", "first" or "random" '
          + '(a kept shape needs a label, so a label tie cannot be left unresolved)'));
    }
  });
});
