/** `gt-consolidate report` and `run --report`, run as a user runs them (the built binary). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { s3rverEnv, startS3Server } from '../../sample-output/s3-server.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label } } });

describe('HTML report from the command line', () => {
  let dir: string;
  beforeAll(async () => {
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    dir = await tempDir();
  });

  it('report rebuilds a sample job\'s committed report from its summary, manifest, worker report and review queue', async () => {
    const job = 'sample-output/consolidated/support-ticket-sentiment';
    const out = path.join(dir, 'rebuilt.html');
    const run = await cli(['report', `${job}/output.summary.json`, '--manifest', `${job}/output.manifest`, '--workers-report', `${job}/workers.csv`,
      '--review', `${job}/review.manifest`, '--out', out]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: `report written to ${out}\n` });
    const html = await readFile(out, 'utf8');
    expect(html).toContain(`<tr><td>summary</td><td><code>${job}/output.summary.json</code></td></tr>`);
    // `npm start` wrote the committed one with `run --report`: the same page, but for the summary's location.
    const committed = await readFile(path.join(repo, job, 'report.html'), 'utf8');
    expect(html.replace(/\n<tr><td>summary<\/td>.*<\/tr>/, '')).toBe(committed);
  });

  it('report needs only the summary, and refuses a file that is not one (exit 2)', async () => {
    const out = path.join(dir, 'summary-only.html');
    expect((await cli(['report', 'sample-output/consolidated/multimodal-content-eval/output.summary.json', '-o', out, '-q'])))
      .toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(out, 'utf8')).toContain('id="fields-table"');
    const bad = await cli(['report', 'package.json', '--out', path.join(dir, 'bad.html')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('package.json: not a gt-consolidate run summary');
    expect(existsSync(path.join(dir, 'bad.html'))).toBe(false);
  });

  it('run --report writes the report after the run, with the manifest\'s distributions, the worker table and the review queue\'s objects', async () => {
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' }, [
      { data: { id: 0 }, answers: [vote('pos', 1), vote('pos', 2), vote('neg', 3)] },
      { data: { id: 1 }, answers: [vote('neg', 1), vote('pos', 2)] },
      { data: { id: 2 }, answers: [vote('neg', 1), vote('neg', 2), vote('neg', 3)] },
    ]);
    const report = path.join(dir, 'run.html');
    const run = await cli(['run', manifest, '--out', path.join(dir, 'out.manifest'), '--workers-report', path.join(dir, 'workers.jsonl'),
      '--review', path.join(dir, 'review.manifest'), '--report', report, '-s', 'sentiment=majority-vote']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`report written to ${report}`);
    const html = await readFile(report, 'utf8');
    for (const id of ['counts-table', 'fields-table', 'workers-table', 'review-table', 'low-confidence-table', 'chart-lines', 'chart-confidence-histogram',
      'chart-labels', 'chart-workers']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('<code>private.us-east-1.1</code>');
  });

  it('run --report is checked like the other outputs before the first line: the same file as --out stops it (exit 2)', async () => {
    const manifest = await writeJobTree({ root: path.join(dir, 'collide'), jobName: 'job', bucket: 'b', prefix: 'p' }, [
      { data: { id: 0 }, answers: [vote('pos', 1), vote('pos', 2)] },
    ]);
    const out = path.join(dir, 'collide', 'out.manifest');
    const run = await cli(['run', manifest, '--out', out, '--report', out, '-s', 'sentiment=majority-vote']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`--report ${out} is also --out`);
    expect(existsSync(out)).toBe(false);
  });

  it('report reads the run\'s files from S3 and writes the report there (s3rver)', async () => {
    const s3 = await startS3Server(['reports']);
    try {
      const job = 'sample-output/consolidated/support-ticket-sentiment';
      const upload = path.join(dir, 'upload');
      await mkdir(upload);
      for (const file of ['output.summary.json', 'workers.csv', 'review.manifest']) await copyFile(path.join(repo, job, file), path.join(upload, file));
      await s3.uploadTree(upload, 'reports', 'job/');
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, 'report', 's3://reports/job/output.summary.json', '--workers-report', 's3://reports/job/workers.csv',
          '--review', 's3://reports/job/review.manifest', '--out', 's3://reports/job/report.html', '--endpoint-url', s3.endpoint],
        { cwd: repo, env: { PATH: process.env.PATH ?? '', HOME: dir, ...s3rverEnv } });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(run, run.stderr).toMatchObject({ code: 0, stderr: 'report written to s3://reports/job/report.html\n' });
      const client = s3.client();
      const html = await (await client.send(new GetObjectCommand({ Bucket: 'reports', Key: 'job/report.html' }))).Body!.transformToString();
      client.destroy();
      expect(html).toContain('<code>s3://reports/job/workers.csv</code>');
      expect(html).toContain('id="workers-table"');
      expect(html).toContain('id="low-confidence-table"');
    } finally {
      await s3.stop();
    }
  });
});
