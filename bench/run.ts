/**
 * `npm run bench [-- --objects N --s3-objects M --latency-ms L --rounds R --fit-rounds F --parts a,b]` — see
 * BENCHMARKS.md. Each part is one file in `parts/`; every figure is compared with a baseline measured in the same run on
 * the same data (`measure.ts`), so the ratios hold on a shared, noisy machine. Throughput figures are the median and
 * range of `--rounds` paired rounds (default 3).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { s3rverEnv } from '../sample-output/s3-server.js';
import { writeJob } from './job-files.js';
import type { Bench } from './measure.js';
import { fitPart } from './parts/fit.js';
import { masksPart } from './parts/masks.js';
import { mirrorPart } from './parts/mirror.js';
import { rssPart } from './parts/rss.js';
import { scaleOutPart } from './parts/scale-out.js';
import { latencyPart, s3Part, s3rverPart } from './parts/s3.js';
import { shapesPart } from './parts/shapes.js';
import { spillPart } from './parts/spill.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// s3rver's fixed credentials (the in-repo server accepts any); never probe the instance-metadata address.
Object.assign(process.env, s3rverEnv);

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    's3-objects': { type: 'string', default: '10000' },
    'latency-ms': { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    'fit-rounds': { type: 'string', default: '7' },
    parts: { type: 'string' },
  },
});

/** Every part, in the order they run; those given a local job share one, written as files once. */
const allParts = {
  fit: fitPart,
  masks: masksPart,
  spill: spillPart,
  s3: s3Part,
  latency: latencyPart,
  s3rver: s3rverPart,
  mirror: mirrorPart,
  rss: rssPart,
  shapes: shapesPart,
  'scale-out': scaleOutPart,
} satisfies Record<string, (bench: Bench, localManifest: string) => unknown>;
type PartName = keyof typeof allParts;
const localParts: ReadonlySet<PartName> = new Set(['mirror', 'rss', 'scale-out']);

const chosen = (values.parts?.split(',') ?? Object.keys(allParts)) as PartName[];
for (const part of chosen) {
  if (!(part in allParts)) throw new Error(`--parts: unknown part "${part}" (known: ${Object.keys(allParts).join(', ')})`);
}
const objects = Number(values.objects);
const repo = path.resolve(import.meta.dirname, '..');
const bench: Bench = {
  objects,
  s3Objects: Math.min(objects, Number(values['s3-objects'])),
  latencyMs: Number(values['latency-ms']),
  rounds: Number(values.rounds),
  fitRounds: Number(values['fit-rounds']),
  repo,
  dir: await mkdtemp(path.join(os.tmpdir(), 'gt-bench-')),
  report: {},
  table: {},
  say: (message) => process.stderr.write(`${message}\n`),
};
const { report, table } = bench;
Object.assign(report, {
  node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, objects, s3Objects: bench.s3Objects,
  latencyMs: bench.latencyMs, rounds: bench.rounds, fitRounds: bench.fitRounds, parts: chosen,
});

try {
  let local: string | undefined;
  for (const part of Object.keys(allParts) as PartName[]) {
    if (!chosen.includes(part)) continue;
    if (localParts.has(part) && local === undefined) {
      bench.say(`writing ${objects} objects as files …`);
      local = await writeJob(path.join(bench.dir, 'local'), objects);
    }
    await allParts[part](bench, local ?? '');
  }
} finally {
  await rm(bench.dir, { recursive: true, force: true });
}
console.table(table);
console.log(JSON.stringify(report));
await mkdir(path.join(repo, 'bench/results'), { recursive: true });
await writeFile(path.join(repo, 'bench/results/latest.json'), JSON.stringify(report, null, 2) + '\n');
