/**
 * A run's outputs as a whole: opened before the first line, published together with the summary last, never half
 * written — not by a failure, not by SIGTERM, not by kill -9 — and never over each other or the input.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { consolidate, UsageError } from '../../src/index.js';
import { outputPaths } from '../../src/pipeline/outputs.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `w${n}`, answerContent: { sentiment: { label } } });
const objects: JobObject[] = Array.from({ length: 6 }, (_, i) => ({ data: { id: i }, answers: [vote('pos', 1), vote(i % 2 ? 'neg' : 'pos', 2), vote('pos', 3)] }));

let dir: string;
let manifest: string;
beforeAll(async () => {
  dir = await tempDir();
  manifest = await writeJobTree({ root: path.join(dir, 'jobs'), jobName: 'job', bucket: 'b', prefix: 'p' }, objects);
});

/** A run reading the manifest from a pipe that stays open: it has opened its outputs and waits for more lines. */
async function runWaitingOnInput(out: string) {
  const child = spawn(process.execPath, [bin, 'run', '-', '--out', out, '--mirror', `s3://b/p/=${path.join(dir, 'jobs')}/`, '-q'],
    { cwd: repo, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.write((await readFile(manifest, 'utf8')).split('\n').slice(0, 3).join('\n') + '\n');
  const folder = path.dirname(out);
  for (let i = 0; i < 200 && !(await readdir(folder)).some((name) => name.includes('.tmp-')); i += 1) await sleep(25);
  return { child, stderr: () => stderr };
}

const publish = async (folder: string) => {
  await mkdir(folder, { recursive: true });
  const out = path.join(folder, 'output.manifest');
  expect((await cli(['run', manifest, '--out', out, '-q'])).code).toBe(0);
  return { out, before: await snapshot(folder) };
};
const snapshot = async (folder: string) =>
  Object.fromEntries(await Promise.all((await readdir(folder)).sort().map(async (name) => [name, await readFile(path.join(folder, name), 'utf8')])));

describe('interrupted runs', () => {
  it('kill -9 mid-run leaves the previous outputs as they were; the next run sweeps the dead run\'s temporary files', async () => {
    const { out, before } = await publish(path.join(dir, 'killed'));
    const { child } = await runWaitingOnInput(out);
    expect((await readdir(path.dirname(out))).some((name) => name.includes('.tmp-'))).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'close');
    const after = await snapshot(path.dirname(out));
    for (const [name, text] of Object.entries(before)) expect(after[name]).toBe(text);
    expect((await cli(['run', manifest, '--out', out, '-q'])).code).toBe(0);
    expect((await readdir(path.dirname(out))).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('SIGTERM stops the run with exit 143, publishes nothing and leaves no temporary file', async () => {
    const { out, before } = await publish(path.join(dir, 'terminated'));
    const { child, stderr } = await runWaitingOnInput(out);
    child.kill('SIGTERM');
    const [code] = await once(child, 'close');
    expect(code).toBe(143);
    expect(stderr()).toContain('stopped by SIGTERM');
    expect(await snapshot(path.dirname(out))).toEqual(before);
  });
});

describe('where outputs go', () => {
  it('refuses two outputs in one file, and an output over the input (through a link too), before reading', async () => {
    const same = path.join(dir, 'same.manifest');
    const collision = await cli(['run', manifest, '--out', same, '--rejects', same]);
    expect(collision.code).toBe(2);
    expect(collision.stderr.trim().split('\n')).toHaveLength(1);
    expect(collision.stderr).toContain('every output needs a file of its own');
    const link = path.join(dir, 'link.manifest');
    await symlink(manifest, link);
    const input = await readFile(manifest, 'utf8');
    const overInput = await cli(['run', manifest, '--out', link]);
    expect(overInput.code).toBe(2);
    expect(overInput.stderr).toContain('the input manifest');
    expect(await readFile(manifest, 'utf8')).toBe(input);
  });

  it('--out - writes the manifest to standard output and needs a rejects file named', async () => {
    const rejects = path.join(dir, 'stdout.rejects.jsonl');
    const run = await cli(['run', manifest, '--out', '-', '--rejects', rejects, '-q']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual(objects.map((_, i) => i));
    expect(await readFile(rejects, 'utf8')).toBe('');
    const unnamed = await cli(['run', manifest, '--out', '-']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('--rejects');
  });

  it('a folder (trailing slash or existing) or an S3 prefix ending in / takes the manifest\'s own name', async () => {
    const folder = path.join(dir, 'into');
    expect((await cli(['run', manifest, '--out', `${folder}/`, '-q'])).code).toBe(0);
    expect((await readdir(folder)).sort()).toEqual(['output.manifest', 'output.rejects.jsonl', 'output.summary.json']);
    expect((await outputPaths('s3://b/p/job/manifests/output/output.manifest', { out: 's3://b/results/', hasSink: false })).out)
      .toBe('s3://b/results/output.manifest');
  });

  it('an output that cannot be written stops the run before the first line, naming it (exit 2)', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const out = path.join(dir, 'unwritable.manifest');
    const run = await cli(['run', manifest, '--out', out, '--summary', path.join(blocker, 'summary.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write ${path.join(blocker, 'summary.json')}`);
    expect((await readdir(dir)).filter((name) => name.startsWith('unwritable'))).toEqual([]);
  });
});

describe('library options', () => {
  it.each([
    ['workers', { workers: 1.5 }],
    ['maxResponseBytes', { maxResponseBytes: -5 }],
    ['labelAttribute', { labelAttribute: '' }],
    ['mirrors', { mirrors: 's3://b/p/=dir' }],
  ])('refuses a bad %s as the config file would (UsageError naming it)', async (name, bad) => {
    const run = consolidate({ manifest, out: path.join(dir, 'never.manifest'), ...(bad as object) });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(`options.${name}`);
  });

  it('takes the configuration file\'s shorthand for a field: just the strategy\'s name', async () => {
    const summary = await consolidate({ manifest, out: path.join(dir, 'shorthand.manifest'), fields: { sentiment: 'majority-vote' } });
    expect(summary.fields.sentiment!.strategy).toBe('majority-vote');
  });
});
