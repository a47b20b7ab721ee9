/**
 * Mask consolidation (`mask-vote`) on realistic images: per object, 3 workers' 1280×720 RGBA PNGs with 3 classes,
 * each worker's region boundaries jittered; decide = base64 and PNG decode of each, the pixel vote, the indexed PNG
 * encode. `rounds` rounds of `masksPerRound` objects: masks (objects) per second on the main thread, median and range;
 * the process's CPU milliseconds per mask (what a loaded shared machine does not inflate); the median wall
 * milliseconds of each step; and masks per second through the worker threads (`decideOffThread`, all of a round's
 * objects started at once, the pool's default size), with the main thread's CPU milliseconds per mask left.
 */
import { encode } from 'fast-png';
import { seededRandom } from '../../src/random.js';
import { maskVote } from '../../strategies/mask-vote.js';
import { defaultMaskThreads } from '../../strategies/masks/mask-pool.js';
import { encodeIndexedPng, readPixelClasses } from '../../strategies/masks/png.js';
import { votePixels } from '../../strategies/masks/pixel-vote.js';
import type { FieldAnswer } from '../../strategies/types.js';
import { type Bench, median, peakRssMb, spread } from '../measure.js';

const [width, height] = [1280, 720];
const colors = { car: 0x1f77b4, road: 0xff7f0e, sky: 0x2ca02c };
const labels = Object.keys(colors).sort();
const masksPerRound = 10;

/** One worker's mask: sky above a jittered horizon, a road band, a car box; the rest transparent. */
function workerPng(shift: () => number): string {
  const horizon = 250 + shift();
  const [roadTop, roadBottom] = [480 + shift(), 650 + shift()];
  const [left, right, top, bottom] = [400 + shift(), 780 + shift(), 380 + shift(), 600 + shift()];
  const data = new Uint8Array(width * height * 4);
  const paint = (pixel: number, color: number) => data.set([color >> 16, (color >> 8) & 0xff, color & 0xff, 255], pixel * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const pixel = y * width + x;
      if (x >= left && x < right && y >= top && y < bottom) paint(pixel, colors.car);
      else if (y < horizon) paint(pixel, colors.sky);
      else if (y >= roadTop && y < roadBottom) paint(pixel, colors.road);
    }
  }
  return Buffer.from(encode({ width, height, data, channels: 4, depth: 8 })).toString('base64');
}

export async function masksPart({ rounds, report, table, say }: Bench): Promise<void> {
  say(`masks: ${masksPerRound} objects × 3 workers × ${width}×${height} PNGs, ${rounds} rounds …`);
  const random = seededRandom(3);
  const shift = () => Math.floor(random() * 21) - 10;
  const labelMappings = Object.fromEntries(Object.entries(colors).map(([label, color]) => [label, { color: `#${color.toString(16).padStart(6, '0')}` }]));
  const objects: FieldAnswer[][] = [0, 1].map(() => [0, 1, 2].map((worker) => ({
    workerId: `w${worker}`, value: { kind: 'mask', png: workerPng(shift), labelMappings },
  })));
  const consolidator = maskVote.create(maskVote.options.parse({}), { labels });
  const context = { random, object: 0 };
  const rates: number[] = [];
  const cpuMs: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < masksPerRound; index += 1) consolidator.decide(objects[index % objects.length]!, context);
    const { user, system } = process.cpuUsage(cpuStart);
    rates.push(masksPerRound / ((performance.now() - start) / 1000));
    cpuMs.push((user + system) / 1000 / masksPerRound);
  }
  // The steps of one object, timed apart: where the time goes.
  const steps = { decode: [] as number[], vote: [] as number[], encode: [] as number[] };
  const classOfColor = new Map(Object.values(colors).map((color, i) => [color, i + 1]));
  for (let round = 0; round < rounds; round += 1) {
    let at = performance.now();
    const lap = (step: keyof typeof steps) => {
      const now = performance.now();
      steps[step].push(now - at);
      at = now;
    };
    const maps = objects[0]!.map(({ value }) => readPixelClasses(Buffer.from((value as { png: string }).png, 'base64'), classOfColor, Infinity).classes);
    lap('decode');
    const { classes } = votePixels(maps, labels.length + 1, 2, 'background');
    lap('vote');
    encodeIndexedPng(classes, width, height, [0xffffff, ...Object.values(colors)]);
    lap('encode');
  }
  // Through the worker threads: the pool started (and warmed) before timing.
  const threaded = maskVote.create(maskVote.options.parse({}), { labels });
  await threaded.decideOffThread!(objects[0]!);
  const threadedRates: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    await Promise.all(Array.from({ length: masksPerRound }, (_, index) => threaded.decideOffThread!(objects[index % objects.length]!)));
    threadedRates.push(masksPerRound / ((performance.now() - start) / 1000));
  }
  const rate = spread(rates, 2);
  const stepMs = Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Number(median(ms).toFixed(1))]));
  const cpu = spread(cpuMs, 1);
  report.masks = { width, height, workers: 3, classes: labels.length, masksPerRound, rounds, ...rate, cpuMsPerMask: cpu, stepMs };
  table[`mask-vote: 3 workers × ${width}×${height}, 3 classes (masks/s)`] = {
    'objects/s': rate.median, min: rate.min, max: rate.max, 'cpu ms/mask': cpu.median,
  };
  table['mask-vote steps, one object (median ms): decode 3 PNGs, vote, encode'] = stepMs;
  const threadedRate = spread(threadedRates, 2);
  const peakRss = peakRssMb();
  report.masksThreaded = { threads: defaultMaskThreads, masksPerRound, rounds, ...threadedRate, peakRssMb: peakRss };
  table[`mask-vote on ${defaultMaskThreads} worker thread(s) (masks/s)`] = { 'objects/s': threadedRate.median, min: threadedRate.min, max: threadedRate.max };
  table['mask-vote: peak RSS of the process, threads included (MB)'] = { 'peak RSS MB': peakRss };
}
