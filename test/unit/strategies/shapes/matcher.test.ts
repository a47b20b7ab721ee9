import { describe, expect, it } from 'vitest';
import { matchShapes } from '../../../../strategies/shapes/matcher.js';
import { consolidateShapes } from '../../../../strategies/shapes/consolidate-shapes.js';
import { boxIou, spanIou } from '../../../../strategies/shapes/similarity.js';
import type { LabeledBox } from '../../../../strategies/types.js';
import { noRandom } from '../fixtures.js';

const box = (left: number, top: number, width = 10, height = 10): LabeledBox => ({ label: 'car', left, top, width, height });
/** Clusters as `worker:index` of each member, for readable assertions. */
const named = (byWorker: LabeledBox[][], threshold = 0.5) =>
  matchShapes(byWorker, boxIou, threshold).map((cluster) => cluster.map(({ worker, shape }) => `${worker}:${byWorker[worker]!.indexOf(shape)}`));

describe('matchShapes', () => {
  it('clusters the same object drawn by every worker, jittered, and leaves an extra shape alone', () => {
    const workers = [
      [box(0, 0), box(100, 100)],
      [box(101, 99), box(1, 0)],
      [box(0, 1), box(100, 101), box(300, 300)],
    ];
    expect(named(workers)).toEqual([['0:0', '1:1', '2:0'], ['0:1', '1:0', '2:1'], ['2:2']]);
  });

  it('never puts two shapes of one worker in a cluster, even when both overlap another worker\'s', () => {
    const workers = [[box(0, 0, 10, 10)], [box(0, 0, 10, 10), box(1, 0, 10, 10)]];
    expect(named(workers)).toEqual([['0:0', '1:0'], ['1:1']]);
  });

  it('admits a shape only when it is close enough to every member (no chaining)', () => {
    // a ~ b (IoU 0.67) and b ~ c (0.67), but a and c overlap by 0.43 < 0.5: c starts its own cluster.
    const workers = [[box(0, 0)], [box(2, 0)], [box(4, 0)]];
    expect(boxIou(box(0, 0), box(2, 0))).toBeCloseTo(8 / 12);
    expect(boxIou(box(0, 0), box(4, 0))).toBeCloseTo(6 / 14);
    expect(named(workers)).toEqual([['0:0', '1:0'], ['2:0']]);
    expect(named(workers, 0.4)).toEqual([['0:0', '1:0', '2:0']]);
  });

  it('matches one to one per pair: the best match wins and the loser stays free', () => {
    // Worker 1's box overlaps both of worker 0's; it goes to the first that takes it, the best available.
    const workers = [[box(0, 0), box(3, 0)], [box(1, 0)]];
    expect(named(workers)).toEqual([['0:0', '1:0'], ['0:1']]);
  });

  it('works on spans with interval IoU (endOffset exclusive)', () => {
    const span = (startOffset: number, endOffset: number) => ({ label: 'PER', startOffset, endOffset });
    expect(spanIou(span(0, 4), span(2, 6))).toBeCloseTo(2 / 6);
    expect(spanIou(span(0, 4), span(4, 8))).toBe(0);
    const clusters = matchShapes([[span(0, 5), span(10, 14)], [span(0, 5)], [span(11, 14)]], spanIou, 0.5);
    expect(clusters.map((c) => c.map(({ worker }) => worker))).toEqual([[0, 1], [0, 2]]);
  });

  it('handles workers who drew nothing', () => {
    expect(matchShapes<LabeledBox>([[], [], []], boxIou, 0.5)).toEqual([]);
    expect(named([[], [box(0, 0)]])).toEqual([['1:0']]);
  });
});

describe('consolidateShapes', () => {
  const mean = (members: readonly LabeledBox[], label: string): LabeledBox => {
    const avg = (key: 'left' | 'top' | 'width' | 'height') => members.reduce((sum, m) => sum + m[key], 0) / members.length;
    return { label, left: avg('left'), top: avg('top'), width: avg('width'), height: avg('height') };
  };
  const labeled = (label: string, left: number): LabeledBox => ({ label, left, top: 0, width: 10, height: 10 });
  const perLabel = { threshold: 0.5, crossLabel: false, labelTie: 'lowest', random: noRandom.random } as const;

  it('keeps clusters that reach ⌈workers/2⌉ votes; a worker who drew nothing votes no', () => {
    const result = consolidateShapes([[box(0, 0)], [box(0, 0), box(50, 50)], [], [box(2, 0)]], boxIou, mean, perLabel);
    expect(result.kept.map(({ shape, votes }) => [shape.left, votes])).toEqual([[2 / 3, 3]]);
    expect(result.dropped).toEqual([1]);
    // 3 of 4 workers, times the mean IoU of the mean box with its members.
    const iou = [box(0, 0), box(0, 0), box(2, 0)].map((b) => boxIou(result.kept[0]!.shape, b));
    expect(result.kept[0]!.confidence).toBeCloseTo((3 / 4) * ((iou[0]! + iou[1]! + iou[2]!) / 3), 12);
  });

  it('matches per label by default, and votes the label across labels with crossLabel (a tie to the lowest)', () => {
    const workers = [[labeled('car', 0)], [labeled('truck', 1)], [labeled('car', 0)], [labeled('truck', 0)]];
    expect(consolidateShapes(workers, boxIou, mean, perLabel).kept.map(({ shape, votes }) => [shape.label, votes]))
      .toEqual([['car', 2], ['truck', 2]]);
    const cross = consolidateShapes(workers, boxIou, mean, { ...perLabel, crossLabel: true });
    expect(cross.kept.map(({ shape, votes, labelTie }) => [shape.label, votes, labelTie])).toEqual([['car', 4, true]]);
  });

  it('breaks a crossLabel tie by labelTie: the lowest label, the first worker\'s, or at random', () => {
    // One cluster, 2-2: truck by workers 0 and 2, car by 1 and 3.
    const workers = [[labeled('truck', 0)], [labeled('car', 1)], [labeled('truck', 0)], [labeled('car', 0)]];
    const labelBy = (labelTie: 'lowest' | 'first' | 'random', random: () => number = noRandom.random) => {
      const { kept } = consolidateShapes(workers, boxIou, mean, { ...perLabel, crossLabel: true, labelTie, random });
      return kept.map(({ shape, votes, labelTie: tie }) => [shape.label, votes, tie]);
    };
    expect(labelBy('lowest')).toEqual([['car', 4, true]]);
    expect(labelBy('first')).toEqual([['truck', 4, true]]);
    // The tied labels in the workers' order [truck, car]: [0, 0.5) → truck, [0.5, 1) → car.
    expect(labelBy('random', () => 0.2)).toEqual([['truck', 4, true]]);
    expect(labelBy('random', () => 0.7)).toEqual([['car', 4, true]]);
    // No tie: the majority label whatever the policy, nothing drawn.
    const { kept } = consolidateShapes(workers.slice(0, 3), boxIou, mean, { ...perLabel, crossLabel: true, labelTie: 'random' });
    expect(kept.map(({ shape, labelTie }) => [shape.label, labelTie])).toEqual([['truck', undefined]]);
  });

  it('compares numeric labels as numbers in a crossLabel tie', () => {
    const workers = [[labeled('10', 0)], [labeled('9', 0)]];
    expect(consolidateShapes(workers, boxIou, mean, { ...perLabel, crossLabel: true }).kept.map(({ shape }) => shape.label)).toEqual(['9']);
  });
});
