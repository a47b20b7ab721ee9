/**
 * A run on local files loads neither the S3 side (the SDK, undici: about 35 MiB of memory) nor the HTML report's
 * charts (vega, vega-lite): they are imported when a location is on S3 or a report is asked for (BENCHMARKS.md,
 * "Memory regression"). This fails if someone imports them eagerly again, from the CLI or from the package's entry
 * point (which also exports the Lambda handlers: a merge once brought the SDK back through them).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { bin, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label } } });
const lazyPackages = ['@aws-sdk/client-s3', '@aws-sdk/client-sagemaker', '@aws-sdk/client-sfn', '@aws-sdk/lib-storage', 'undici', 'vega', 'vega-lite'];
const packagesOf = (urls: string[]) => new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));

/** The packages a Node process given `args` imports. */
async function packagesImported(dir: string, name: string, args: string[]): Promise<Set<string>> {
  const record = path.join(dir, `${name}.imports`);
  const recorder = path.join(repo, 'test/helpers/record-imports.mjs');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', recorder, ...args], { cwd: repo, stdio: 'ignore', env: { ...process.env, RECORD_IMPORTS: record } });
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
    const packages = await packagesImported(dir, 'local', [bin, 'run', manifest, '--out', path.join(dir, 'local.manifest'), '--quiet']);
    expect(packages).toContain('commander');
    for (const lazy of lazyPackages) expect(packages).not.toContain(lazy);
  });

  it('consolidate() from the package on local files imports no S3 or SageMaker client and no chart library', async () => {
    const out = path.join(dir, 'library.manifest');
    const script = `import { consolidate } from ${JSON.stringify(path.join(repo, 'dist/src/index.js'))};
      await consolidate({ manifest: ${JSON.stringify(manifest)}, out: ${JSON.stringify(out)} });`;
    const packages = await packagesImported(dir, 'library', ['--input-type=module', '-e', script]);
    await expect(readFile(out, 'utf8')).resolves.toContain('"id":1');
    for (const lazy of lazyPackages) expect(packages).not.toContain(lazy);
  });

  it('the charts are imported when a report is asked for', async () => {
    const packages = await packagesImported(dir, 'report', [
      bin, 'run', manifest, '--out', path.join(dir, 'report.manifest'), '--report', path.join(dir, 'report.html'), '--quiet',
    ]);
    expect(packages).toContain('vega');
    expect(packages).not.toContain('@aws-sdk/client-s3');
  });
});
