/**
 * Mirror mode (local files in Ground Truth's layout): the pipeline without and with a model to fit, against the floor
 * (the manifest streamed and every worker response read with `readFileSync` and parsed, one after the other: the
 * script a user writes instead) and the same with promise `readFile`, 64 at a time; and against
 * `python_mirror_baseline.py`, one Python thread that reads, votes every field and writes (skipped without python3).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { consolidate } from '../../src/index.js';
import { readAndParse, readAndParseSync } from '../baselines.js';
import { type Bench, paired, rateRow, ratio } from '../measure.js';

export async function mirrorPart(bench: Bench, local: string): Promise<void> {
  const { objects, rounds, dir, report, table, say } = bench;
  say('mirror mode …');
  // The manifest is <job>/manifests/output/output.manifest; responses are under <job>/annotations/.
  const jobDir = path.resolve(path.dirname(local), '../..');
  const response = (key: string) => path.join(jobDir, key.slice(key.indexOf('/annotations/') + 1));
  const out = path.join(dir, 'local.manifest');
  const python = hasPython() && {
    python: async () => JSON.parse(execFileSync('python3', [path.join(bench.repo, 'bench/python_mirror_baseline.py'), local, jobDir, out], { encoding: 'utf8' })) as { seconds: number },
  };
  if (!python) say('Python baseline skipped: no python3');
  const mirror = await paired(rounds, objects, {
    floor: () => readAndParseSync(createReadStream(local), response),
    'async read + parse': () => readAndParse(createReadStream(local), (key) => readFile(response(key), 'utf8'), 64),
    // No model to fit: the spill is written and read once, to decide.
    pipeline: () => consolidate({ manifest: local, out, concurrency: 64, fields: { sentiment: { strategy: 'majority-vote' } } }),
    // A model to fit (the default for categorical fields is one too): the spill is read twice, to fit and to decide.
    'two-pass': () => consolidate({ manifest: local, out, concurrency: 64, fields: { sentiment: { strategy: 'dawid-skene' } } }),
    ...python,
  });
  // Time, not rate: how much longer a run that fits a model takes than one that does not (issue 13: ≤ 1.15 at 1M).
  const twoPassOverhead = ratio(mirror.pipeline!.median, mirror['two-pass']!.median);
  report.mirror = { ...mirror, ratio: ratio(mirror.pipeline!.median, mirror.floor!.median), twoPassOverhead };
  table['mirror: sync read + parse (floor)'] = rateRow(mirror.floor!);
  table['mirror: async read + parse, 64 at a time'] = rateRow(mirror['async read + parse']!, mirror.floor!);
  table['mirror: gt-consolidate, no model (spill read once)'] = rateRow(mirror.pipeline!, mirror.floor!);
  table['mirror: gt-consolidate, dawid-skene (spill read twice)'] = { ...rateRow(mirror['two-pass']!, mirror.floor!), 'time ÷ no model': twoPassOverhead };
  if (mirror.python) {
    table['mirror: Python, one thread, votes every field'] = rateRow(mirror.python, mirror.floor!);
    table['mirror: gt-consolidate (no model) ÷ Python'] = { ratio: ratio(mirror.pipeline!.median, mirror.python.median) };
  }
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}
