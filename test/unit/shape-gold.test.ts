import { describe, expect, it } from 'vitest';
import { meanIouAgainstGold } from '../../src/report/shape-gold.js';
import { boxIou } from '../../strategies/shapes/similarity.js';
import type { LabeledBox } from '../../strategies/types.js';

const box = (left: number, width = 10): LabeledBox => ({ label: 'car', left, top: 0, width, height: 10 });

describe('meanIouAgainstGold (AWS compute_iou_bb rule)', () => {
  it('matches by confidence, best IoU first, and scores the unmatched 0 on both sides', () => {
    const gold = [box(0), box(100)];
    // The confident box takes gold 0 (IoU 1); the other overlaps gold 0 only, already taken: unmatched.
    const predicted = [{ shape: box(0), confidence: 0.9 }, { shape: box(5), confidence: 0.5 }];
    // Terms: 1 (match), 0 (prediction unmatched), 0 (gold 1 unmatched).
    expect(meanIouAgainstGold(predicted, gold, boxIou)).toBeCloseTo(1 / 3, 12);
    // The other order: the confident box at 5 takes gold 0 (IoU 5/15), the exact one is left over.
    const reversed = [{ shape: box(0), confidence: 0.5 }, { shape: box(5), confidence: 0.9 }];
    expect(meanIouAgainstGold(reversed, gold, boxIou)).toBeCloseTo((5 / 15) / 3, 12);
  });

  it('is 1 for nothing against nothing, and 0 for anything against nothing', () => {
    expect(meanIouAgainstGold([], [], boxIou)).toBe(1);
    expect(meanIouAgainstGold([{ shape: box(0), confidence: 1 }], [], boxIou)).toBe(0);
    expect(meanIouAgainstGold([], [box(0)], boxIou)).toBe(0);
  });
});
