/**
 * A run on local files loads neither the S3 side (the SDK, undici: about 35 MiB of memory) nor the HTML report's
 * charts (vega, vega-lite): they are imported when a location is on S3 or a report is asked for (BENCHMARKS.md,
 * "Memory regression"). This fails if someone imports them eagerly again.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { bin, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label } } });
const packagesOf = (urls: string[]) => new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));

/** The packages a CLI run imports. */
async function packagesImported(dir: string, name: string, args: string[]): Promise<Set<string>> {
  const record = path.join(dir, `${name}.imports`);
  const recorder = path.join(repo, 'test/helpers/record-imports.mjs');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', recorder, bin, ...args], { cwd: repo, stdio: 'ignore', env: { ...process.env, RECORD_IMPORTS: record } });
    child.on('error', reject);
    child.on('close', resolve);
  });
  expect(code).toBe(0);
  return packagesOf((await readFile(record, 'utf8')).split('\n'));
}

describe('modules a run loads', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    dir = await tempDir();
    manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' }, [
      { data: { id: 0 }, answers: [vote('pos', 1), vote('pos', 2), vote('neg', 3)] },
      { data: { id: 1 }, answers: [vote('neg', 1), vote('neg', 2), vote('neg', 3)] },
    ]);
  });

  it('a run on local files imports no S3 client and no chart library', async () => {
    const packages = await packagesImported(dir, 'local', ['run', manifest, '--out', path.join(dir, 'local.manifest'), '--quiet']);
    expect(packages).toContain('commander');
    for (const lazy of ['@aws-sdk/client-s3', '@aws-sdk/lib-storage', 'undici', 'vega', 'vega-lite']) expect(packages).not.toContain(lazy);
  });

  it('the charts are imported when a report is asked for', async () => {
    const packages = await packagesImported(dir, 'report', [
      'run', manifest, '--out', path.join(dir, 'report.manifest'), '--report', path.join(dir, 'report.html'), '--quiet',
    ]);
    expect(packages).toContain('vega');
    expect(packages).not.toContain('@aws-sdk/client-s3');
  });
});
