/** The built `gt-consolidate` binary, run as a user runs it (`npm test` builds it first). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label } } });

describe('gt-consolidate CLI', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    dir = await tempDir();
    manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' }, [
      { data: { id: 0 }, answers: [vote('pos', 1), vote('pos', 2), vote('neg', 3)] },
      { data: { id: 1 } },
    ]);
  });

  it('prints its version and help', async () => {
    const { version } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8'));
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await cli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--mirror');
    expect(help.stdout).toContain('majority-vote');
  });

  it('exits 0 when every line was consolidated or failed in the job, printing the picks and a summary', async () => {
    const out = path.join(dir, 'ok.manifest');
    const run = await cli(['run', manifest, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('field "sentiment": no strategy configured; categorical answers → hierarchical-ds');
    expect(run.stderr).toContain('2 lines read: 1 consolidated, 1 failed in job, 0 rejected');
    expect((await readFile(out, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('reads the manifest from stdin with -', async () => {
    const out = path.join(dir, 'stdin.manifest');
    const run = await cli(['run', '-', '--out', out, '--mirror', `s3://b/p/=${dir}`, '--quiet'], manifest);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!).job).toEqual({ sentiment: { label: 'pos' } });
  });

  it('exits 3 when lines were rejected, and names the rejects file', async () => {
    const bad = path.join(dir, 'bad.manifest');
    await writeFile(bad, `${(await readFile(manifest, 'utf8')).trim()}\nnot json\n`);
    const run = await cli(['run', bad, '--out', path.join(dir, 'bad-out.manifest'), '--mirror', `s3://b/p/=${dir}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('rejected invalid-json: 1');
    const rejects = (await readFile(path.join(dir, 'bad-out.rejects.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects).toMatchObject([{ line: 3, code: 'invalid-json', text: 'not json' }]);
  });

  it('exits 2 with one clear line for usage and configuration errors', async () => {
    const config = path.join(dir, 'config.yaml');
    await writeFile(config, 'fields:\n  sentiment: { strategy: majority-vote, tie: sometimes }\n');
    const cases = [
      ['run', manifest],
      ['run', manifest, '--out', 'x', '--concurrency', '0'],
      ['run', manifest, '--out', 'x', '--bogus'],
      ['run', manifest, '--out', 'x', '--strategy', 'sentiment'],
      ['run', manifest, '--out', 'x', '--strategy', 'sentiment=mode'],
      ['run', manifest, '--out', 'x', '--config', config],
      ['run', manifest, '--out', 'x', '--mirror', 'not-a-mirror'],
    ];
    for (const args of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^gt-consolidate: /);
    }
    expect((await cli(['run', manifest, '--out', 'x', '--config', config])).stderr).toContain('fields.sentiment.tie');
    expect(existsSync(path.join(repo, 'x'))).toBe(false);
  });

  it('exits 1 with one line for a missing manifest, and a stack only with --verbose', async () => {
    const missing = await cli(['run', path.join(dir, 'nope.manifest'), '--out', path.join(dir, 'n.manifest')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('ENOENT');
    const verbose = await cli(['run', path.join(dir, 'nope.manifest'), '--out', path.join(dir, 'n.manifest'), '--verbose']);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('passes strategy options on the command line', async () => {
    const tie = await writeJobTree({ root: path.join(dir, 'tie'), jobName: 'job', bucket: 'b', prefix: 'p' },
      [{ data: { id: 0 }, answers: [vote('pos', 1), vote('neg', 2)] }]);
    const out = path.join(dir, 'tie.manifest');
    expect((await cli(['run', tie, '--out', out, '-s', 'sentiment=majority-vote,tie=none', '-q'])).code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))['job-metadata'].consolidation.sentiment).toMatchObject({ resolved: false, tie: true });
  });
});

describe('sample-output/', () => {
  it('holds what `npm start` writes from the sample jobs', async () => {
    const dir = await tempDir();
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['sample-output/run.sh'], { cwd: repo, env: { ...process.env, OUT: dir } });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    const committed = path.join(repo, 'sample-output/consolidated');
    // Everything but the summaries and stats, which record how long the run took.
    const files = (await readdir(committed, { recursive: true })).filter((f) => /\.(manifest|jsonl|csv|png)$/.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect((await readdir(dir, { recursive: true })).filter((f) => /\.(manifest|jsonl|csv|png)$/.test(f)).sort()).toEqual(files);
    for (const file of files) {
      expect(await readFile(path.join(dir, file)), `sample-output/consolidated/${file} is stale: run npm start`)
        .toEqual(await readFile(path.join(committed, file)));
    }
  }, 300_000); // run.sh starts some twenty CLI processes: minutes on a loaded machine
});
