/**
 * Issue 10, "loud failures for every misconfiguration", through the built CLI (`npm run build` first): each mistake
 * exits 2 with one line that names the fix and publishes nothing; the fix it names works; `inspect --write-config`
 * writes a configuration `run` accepts unchanged, and `run --dry-run` checks everything and writes nothing.
 */
import { existsSync } from 'node:fs';
import { cp, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const answer = (n: number, label: string, score: number) =>
  ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label }, score } });
const objects: JobObject[] = [
  { data: { id: 0 }, answers: [answer(1, 'positive', 3), answer(2, 'positive', 4), answer(3, 'negative', 5)] },
  { data: { id: 1 }, answers: [answer(1, 'negative', 1), answer(2, 'negative', 2), answer(3, 'neutral', 2)] },
];

let dir: string;
let manifest: string;
let runs = 0;

beforeAll(async () => {
  expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
  dir = await tempDir();
  manifest = await writeJobTree({ root: path.join(dir, 'synced'), jobName: 'review-job', bucket: 'acme', prefix: 'gt/output' }, objects);
});

/** A fresh output folder; a run that fails must leave it empty (no manifest, rejects, summary or temporary file). */
function outputDir(): { folder: string; out: string } {
  const folder = path.join(dir, `out-${(runs += 1)}`);
  return { folder, out: path.join(folder, 'output.manifest') };
}

async function published(folder: string): Promise<string[]> {
  return existsSync(folder) ? readdir(folder, { recursive: true }) : [];
}

/**
 * Runs `args` (plus `--out`) twice: as given, and with `--quiet` (nothing but errors). Both exit 2 and publish nothing;
 * with `--quiet` stderr is exactly one line, and without it the error is one line too, the last (after notices).
 */
async function expectMisconfiguration(args: string[], ...fix: (string | RegExp)[]): Promise<string> {
  let message = '';
  for (const quiet of [true, false]) {
    const { folder, out } = outputDir();
    const run = await cli([...args, '--out', out, ...(quiet ? ['--quiet'] : [])]);
    const lines = run.stderr.split('\n').filter(Boolean);
    expect(run.code, run.stderr).toBe(2);
    if (quiet) expect(lines, run.stderr).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('gt-consolidate:')), run.stderr).toHaveLength(1);
    message = lines.at(-1)!;
    expect(message).toMatch(/^gt-consolidate: /);
    for (const text of fix) expect(message).toMatch(text);
    expect(run.stdout).toBe('');
    expect(await published(folder)).toEqual([]);
  }
  return message;
}

describe('misconfiguration: exit 2, one line naming the fix, nothing published', () => {
  it('a misspelt field in --strategy: did you mean', async () => {
    await expectMisconfiguration(['run', manifest, '-s', 'sentimnet=majority-vote'],
      'fields.sentimnet', 'did you mean "sentiment"?', /its fields: .*sentiment/);
  });

  it('a misspelt field in the configuration file: did you mean', async () => {
    const config = path.join(dir, 'misspelt-field.yaml');
    await writeFile(config, 'fields:\n  scroe: median\n');
    await expectMisconfiguration(['run', manifest, '--config', config], 'fields.scroe', 'did you mean "score"?');
  });

  it('a strategy that cannot take the field\'s kind, naming the kinds it takes', async () => {
    await expectMisconfiguration(['run', manifest, '-s', 'sentiment=mean'],
      'fields.sentiment', '"mean" takes numeric answers', 'categorical answers', /choose a strategy/);
    await expectMisconfiguration(['run', manifest, '-s', 'score=multi-label-vote'], 'fields.score', 'multi-label', 'numeric answers');
  });

  it('a misspelt strategy name: did you mean', async () => {
    await expectMisconfiguration(['run', manifest, '-s', 'sentiment=majority-vot'], 'did you mean "majority-vote"?');
    await expectMisconfiguration(['run', manifest, '-s', 'sentiment=hierarchical-sd'], 'did you mean "hierarchical-ds"?');
  });

  it('a misspelt configuration key: did you mean', async () => {
    const config = path.join(dir, 'feilds.yaml');
    await writeFile(config, 'feilds:\n  sentiment: majority-vote\n');
    await expectMisconfiguration(['run', manifest, '--config', config], 'feilds', 'did you mean "fields"?');
  });

  it('a wrong --label-attribute, naming the detected one', async () => {
    await expectMisconfiguration(['run', manifest, '--label-attribute', 'reveiw-job'],
      '--label-attribute "reveiw-job"', 'the manifest\'s label attribute is "review-job"');
  });

  it('a job folder not named after the job: the exact --mirror that works', async () => {
    // The job synced into a folder of another name: the implicit mirror (<dir>/<job>/annotations) covers no ref.
    const renamed = path.join(dir, 'synced', 'my-copy');
    await cp(path.join(dir, 'synced', 'review-job'), renamed, { recursive: true });
    const renamedManifest = path.join(renamed, 'manifests/output/output.manifest');
    const message = await expectMisconfiguration(['run', renamedManifest], 'ref-not-allowed', '--mirror');
    const mirror = /--mirror (\S+)/.exec(message)?.[1];
    expect(mirror).toBe(`s3://acme/gt/output/review-job/=${renamed}/`);

    const { folder, out } = outputDir();
    const fixed = await cli(['run', renamedManifest, '--out', out, '--mirror', mirror!, '--quiet']);
    expect(fixed, fixed.stderr).toMatchObject({ code: 0, stderr: '' });
    expect((await published(folder)).sort()).toEqual(['output.manifest', 'output.rejects.jsonl', 'output.summary.json']);
  });
});

describe('inspect --write-config on the sample jobs', () => {
  const jobs = ['support-ticket-sentiment', 'multimodal-content-eval', 'text-ranking-preferences'];

  it.each(jobs)('%s: the written configuration is accepted unchanged, and --dry-run writes nothing', async (job) => {
    const sample = path.join(repo, 'sample-output', job, 'manifests/output/output.manifest');
    const config = path.join(dir, `${job}.config.yaml`);
    const inspect = await cli(['inspect', sample, '--write-config', config]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(existsSync(config)).toBe(true);
    // Every field the job has is printed, with the strategy a run would use.
    expect(inspect.stdout).toMatch(/^\d+ lines: \d+ objects with answers/);
    expect(inspect.stdout).toMatch(/^\S+: \w[\w-]* .*→ /m);

    const { folder, out } = outputDir();
    const run = await cli(['run', sample, '--config', config, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    // The configuration named every field: nothing was left to the automatic pick.
    expect(run.stderr).not.toContain('no strategy configured');
    expect(existsSync(out)).toBe(true);

    const dry = outputDir();
    const dryRun = await cli(['run', sample, '--config', config, '--out', dry.out, '--dry-run']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stderr).toContain('nothing was written');
    expect(await published(dry.folder)).toEqual([]);
    expect(existsSync(folder)).toBe(true);
  });

  it('--dry-run stops on the same misconfiguration as a run', async () => {
    await expectMisconfiguration(['run', manifest, '--dry-run', '-s', 'sentiment=mean'], '"mean" takes numeric answers');
  });
});
