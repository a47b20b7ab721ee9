/**
 * Box and span consolidation alone (the strategies' `decide`, no I/O): synthetic objects of 5 workers, each drawing
 * the object's true shapes jittered (8 boxes a photo, 6 entities a sentence) with a miss and an extra now and then;
 * objects per second, median and range over `--rounds`. The matcher compares every pair of workers' shapes, so the cost
 * grows with workers² × shapes².
 */
import { seededRandom } from '../../src/random.js';
import { boxes } from '../../strategies/boxes.js';
import { spans } from '../../strategies/spans.js';
import type { AnswerValue, Consolidator, FieldAnswer, LabeledBox, LabeledSpan } from '../../strategies/types.js';
import { type Bench, peakRssMb, spread } from '../measure.js';

const labels = ['bicycle', 'bus', 'car', 'person'];
const workers = 5;

function drawings(count: number, draw: (random: () => number, object: number) => AnswerValue): FieldAnswer[][] {
  const random = seededRandom(5);
  return Array.from({ length: count }, (_, object) =>
    Array.from({ length: workers }, (_, w) => ({ workerId: `w${w}`, value: draw(random, object) })));
}

function boxDrawing(random: () => number, object: number): AnswerValue {
  const drawn: LabeledBox[] = [];
  for (let i = 0; i < 8; i += 1) {
    if (random() < 0.1) continue;
    const jitter = () => (random() - 0.5) * 6;
    drawn.push({ label: labels[(object + i) % 4]!, left: i * 150 + jitter(), top: 100 + jitter(), width: 120 + jitter(), height: 90 + jitter() });
  }
  if (random() < 0.1) drawn.push({ label: 'person', left: random() * 1000, top: 500, width: 30, height: 80 });
  return { kind: 'boxes', boxes: drawn, image: { width: 1280, height: 720 } };
}

function spanDrawing(random: () => number, object: number): AnswerValue {
  const marked: LabeledSpan[] = [];
  for (let i = 0; i < 6; i += 1) {
    if (random() < 0.1) continue;
    marked.push({ label: labels[(object + i) % 4]!, startOffset: i * 20, endOffset: i * 20 + 8 + (random() < 0.2 ? 1 : 0) });
  }
  return { kind: 'spans', spans: marked };
}

function rate(rounds: number, consolidator: Consolidator, objects: readonly FieldAnswer[][]) {
  const perSecond: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    for (const answers of objects) consolidator.decide(answers, { random: Math.random, object: 0 });
    perSecond.push(objects.length / ((performance.now() - start) / 1000));
  }
  return spread(perSecond);
}

export function shapesPart({ rounds, report, table, say }: Bench): void {
  say(`boxes and spans: 20k objects × ${workers} workers, ${rounds} rounds …`);
  const count = 20_000;
  const context = { labels };
  const boxRate = rate(rounds, boxes.create(boxes.options.parse({}), context), drawings(count, boxDrawing));
  const spanRate = rate(rounds, spans.create(spans.options.parse({}), context), drawings(count, spanDrawing));
  const peakRss = peakRssMb();
  report.shapes = { objects: count, workers, boxes: boxRate, spans: spanRate, peakRssMb: peakRss };
  table[`boxes: decide, ${workers} workers × ~8 boxes (objects/s)`] = { 'objects/s': boxRate.median, min: boxRate.min, max: boxRate.max };
  table[`spans: decide, ${workers} workers × ~6 entities (objects/s)`] = { 'objects/s': spanRate.median, min: spanRate.min, max: spanRate.max };
  table['boxes and spans: peak RSS of the process, the 20k objects\' inputs included (MB)'] = { 'peak RSS MB': peakRss };
}
