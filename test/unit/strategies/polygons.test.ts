import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/random.js';
import { polygons } from '../../../strategies/polygons.js';
import { medoidBy } from '../../../strategies/shapes/representatives.js';
import { polygonIou } from '../../../strategies/shapes/similarity.js';
import type { AnswerValue, LabeledPath } from '../../../strategies/types.js';
import { byWorkers, noRandom, withoutOutcome } from './fixtures.js';

const create = (options: Record<string, unknown> = {}) => polygons.create(polygons.options.parse(options));
const image = { width: 640, height: 480 };
const drawing = (drawn: LabeledPath[]): AnswerValue => ({ kind: 'polygons', polygons: drawn, image });
/** A polygon from flat coordinates `x0, y0, x1, y1, …` (datumaro's layout). */
const polygon = (label: string, ...xy: number[]): LabeledPath =>
  ({ label, vertices: Array.from({ length: xy.length / 2 }, (_, i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! })) });
const square = (label: string, left: number, top: number, side = 10) => polygon(label, left, top, left + side, top, left + side, top + side, left, top + side);
interface Output { polygons: LabeledPath[]; inputImageProperties?: typeof image }
type Details = { polygons: { confidence: number; votes: number }[]; dropped?: number };

describe('polygonIou', () => {
  it('is the IoU of the filled pixels', () => {
    expect(polygonIou(square('a', 0, 0), square('a', 0, 0))).toBe(1);
    // 10 × 10 squares 5 px apart: 50 / 150.
    expect(polygonIou(square('a', 0, 0), square('a', 5, 0))).toBeCloseTo(1 / 3, 12);
    expect(polygonIou(square('a', 0, 0), square('a', 10, 0))).toBe(0);
    // The triangle fills the pixels whose centres (i + ½, j + ½) have i + j ≤ 98: 99 · 100 / 2 = 4950 of 10 000.
    expect(polygonIou(polygon('a', 0, 0, 100, 0, 0, 100), square('a', 0, 0, 100))).toBe(0.495);
  });

  it('fills by the even-odd rule, whatever the vertex order or starting vertex', () => {
    const reversed = polygon('a', 0, 10, 10, 10, 10, 0, 0, 0);
    expect(polygonIou(square('a', 0, 0), reversed)).toBe(1);
    // A bow tie (self-crossing): two triangles meeting at (5, 5), 2 · 20 pixels of the 100 of its box.
    const bowTie = polygon('a', 0, 0, 10, 10, 10, 0, 0, 10);
    expect(polygonIou(bowTie, square('a', 0, 0))).toBeCloseTo(0.5, 1);
    // A square traced twice winds twice: non-zero would fill it, even-odd crosses every row four times and fills nothing.
    const twice = polygon('a', 0, 0, 10, 0, 10, 10, 0, 10, 0, 0, 10, 0, 10, 10, 0, 10);
    expect(polygonIou(twice, square('a', 0, 0))).toBe(0);
  });

  it('works on fractional vertices and treats slivers that cover no pixel centre as equal only when identical', () => {
    expect(polygonIou(square('a', 0.25, 0.25, 10), square('a', 0, 0))).toBe(1);
    const sliver = polygon('a', 0, 0, 10, 0, 10, 0.2);
    expect(polygonIou(sliver, sliver)).toBe(1);
    expect(polygonIou(sliver, polygon('a', 0, 0, 10, 0, 10, 0.3))).toBe(0);
    expect(polygonIou(polygon('a'), polygon('a'))).toBe(1);
  });

  it('reduces a cluster to its medoid (highest summed IoU), as drawn, with the cluster\'s label', () => {
    // IoU(0, 1) = 90/110, IoU(0, 6) = 40/160, IoU(1, 6) = 50/150: the square at 1 sums highest.
    const members = [square('a', 0, 0), square('b', 1, 0), square('a', 6, 0)];
    expect(medoidBy(polygonIou)(members, 'a')).toEqual(square('a', 1, 0));
    expect(medoidBy(polygonIou)([square('a', 0, 0), square('a', 1, 0)], 'a')).toEqual(square('a', 0, 0));
  });
});

describe('polygons strategy', () => {
  it('writes the submitted form with one confidence per kept polygon', () => {
    const decision = create().decide(byWorkers([
      drawing([square('cat', 0, 0), square('dog', 100, 100, 40)]),
      drawing([square('dog', 102, 100, 40), square('cat', 1, 0)]),
      drawing([square('cat', 0, 1), polygon('bird', 300, 300, 320, 300, 310, 320)]),
    ]), noRandom);
    expect(decision.value).toEqual({ polygons: [square('cat', 0, 0), square('dog', 100, 100, 40)], inputImageProperties: image });
    const details = decision.details as Details;
    expect(details.polygons.map(({ votes }) => votes)).toEqual([3, 2]);
    expect(details.dropped).toBe(1);
    // cat: 3/3 × mean IoU of the kept square with (itself, shifted by 1 in x, shifted by 1 in y) = (1 + 2 · 90/110) / 3.
    expect(details.polygons[0]!.confidence).toBeCloseTo((1 + (2 * 90) / 110) / 3, 12);
    // dog: 2/3 × (1 + (38 · 40)/(42 · 40)) / 2.
    expect(details.polygons[1]!.confidence).toBeCloseTo((2 / 3) * (1 + 38 / 42) / 2, 12);
    expect(decision.confidence).toBeCloseTo((details.polygons[0]!.confidence + details.polygons[1]!.confidence + 2 / 3) / 3, 12);
  });

  it('is not confident with one worker, and agrees when every worker drew nothing', () => {
    expect(create().decide(byWorkers([drawing([square('cat', 0, 0)])]), noRandom)).toMatchObject({ confidence: 0, value: { polygons: [square('cat', 0, 0)] } });
    expect(withoutOutcome(create().decide(byWorkers([drawing([]), drawing([])]), noRandom)))
      .toEqual({ value: { polygons: [], inputImageProperties: image }, confidence: 1, details: { polygons: [] } });
  });

  it('votes the label across labels with crossLabel', () => {
    // Per label the dog is alone (dropped) and the two cats tie for the medoid; across labels the dog's square, between
    // the cats, is the medoid, labelled cat by 2 votes to 1.
    const answers = byWorkers([drawing([square('cat', 0, 0)]), drawing([square('dog', 1, 0)]), drawing([square('cat', 2, 0)])]);
    expect((create().decide(answers, noRandom).value as Output).polygons).toEqual([square('cat', 0, 0)]);
    expect((create({ crossLabel: true }).decide(answers, noRandom).value as Output).polygons).toEqual([square('cat', 1, 0)]);
  });

  it('recovers the true polygons of a jittered job with missed, extra and mislabelled polygons (mean IoU to truth)', () => {
    const random = seededRandom(3);
    const labels = ['cat', 'dog', 'bird'];
    const jitter = (shape: LabeledPath): LabeledPath => {
      const moved = shape.vertices.map(({ x, y }) => ({ x: x + (random() - 0.5) * 6, y: y + (random() - 0.5) * 6 }));
      const start = Math.floor(random() * moved.length); // workers start anywhere on the outline
      return { label: shape.label, vertices: [...moved.slice(start), ...moved.slice(0, start)] };
    };
    let iouSum = 0;
    let workerIouSum = 0;
    let workerShapes = 0;
    let truths = 0;
    let extrasKept = 0;
    for (let object = 0; object < 100; object += 1) {
      const size = 40 + (object % 30);
      const truth = labels.slice(0, 1 + (object % 3)).map((label, i) =>
        polygon(label, i * 150, 50, i * 150 + size, 40, i * 150 + size + 10, 50 + size, i * 150 + size / 2, 60 + size, i * 150 - 5, 50 + size / 2));
      const workers = Array.from({ length: 5 }, () => {
        const drawn = truth.filter(() => random() > 0.15).map(jitter);
        for (const shape of drawn) {
          workerIouSum += polygonIou(shape, truth.find(({ label }) => label === shape.label)!);
          workerShapes += 1;
        }
        if (random() < 0.1) drawn.push(square('cat', 500, 400, 20)); // an extra polygon
        if (random() < 0.1 && drawn[0]) drawn[0] = { ...drawn[0], label: 'bird' }; // a wrong label
        return drawing(drawn);
      });
      const found = (create().decide(byWorkers(workers), noRandom).value as Output).polygons;
      for (const shape of truth) {
        iouSum += Math.max(0, ...found.filter(({ label }) => label === shape.label).map((f) => polygonIou(f, shape)));
        truths += 1;
      }
      extrasKept += found.filter(({ vertices }) => vertices[0]!.x === 500).length;
    }
    expect(workerIouSum / workerShapes).toBeGreaterThan(0.85);
    // Quorum drops ~5% of true polygons (fewer than 3 of 5 workers drew them under their label): each counts 0.
    expect(iouSum / truths).toBeGreaterThan(0.88);
    expect(extrasKept).toBeLessThan(3);
  });

  // datumaro tests/test_ops.py::test_can_match_shapes (wave2-anchors.md A1), its polygons at quorum = 1,
  // pairwise_dist = 0.1: three triangles, one kept, [1, 0, 3, 2, 1, 2] (source 0). The triangles span 2 to 3 pixels, so
  // each fills one or two pixel centres and source 1's shares none with the others here (pycocotools rasterises
  // boundaries differently); at ten times the size the pixel IoUs approach the areas' (0.2, 0.40, 0.16), the three
  // cluster, and the medoid is datumaro's polygon (datumaro keeps the member nearest the mean box).
  it('ports datumaro\'s test_can_match_shapes polygons', () => {
    const triangles = (k: number) => [[1, 0, 3, 2, 1, 2], [0, 2, 2, 0, 2, 1], [3, 1, 2, 2, 0, 1]].map((xy) => polygon('a', ...xy.map((v) => v * k)));
    const decide = (k: number) => create({ iou: 0.1, quorum: 1 }).decide(byWorkers(triangles(k).map((t) => ({ kind: 'polygons', polygons: [t] }))), noRandom);
    const tenTimes = decide(10);
    expect(tenTimes.value).toEqual({ polygons: [triangles(10)[0]] });
    expect((tenTimes.details as Details).polygons[0]!.votes).toBe(3);
    expect(decide(1).value).toEqual({ polygons: [triangles(1)[0], triangles(1)[1]] });
  });

  it('refuses bad options', () => {
    expect(() => polygons.options.parse({ iou: 1.5 })).toThrow();
    expect(() => polygons.options.parse({ quorum: 0 })).toThrow();
    expect(() => polygons.options.parse({ oks: 0.5 })).toThrow();
  });
});
