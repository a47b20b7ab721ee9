/** The README's "try it without an AWS account" block, run as written against `npm run s3:local`. */
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/io/s3/s3-client.js';
import { s3rverEnv } from '../../sample-output/s3-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('README S3 example', () => {
  it('works as written against the local server', async () => {
    const readme = await readFile(path.join(repo, 'README.md'), 'utf8');
    const block = /<!-- s3-local-example[^>]*-->\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // The server on a free port instead of 4569, so the test never collides with one a person left running.
    const server = spawn(path.join(repo, 'node_modules/.bin/tsx'), ['sample-output/serve-s3.ts'], {
      cwd: repo, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
      const endpoint = /S3 endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
      const script = block!.replaceAll('http://127.0.0.1:4569', endpoint).replace(/^npx gt-consolidate /m, `node ${path.join(repo, 'dist/src/cli/bin.js')} `);
      const { stderr } = await promisify(execFile)('bash', ['-euc', script], { cwd: repo, env: { PATH: process.env.PATH ?? '', HOME: repo, AWS_EC2_METADATA_DISABLED: 'true' } });
      expect(stderr).toContain('24 lines read: 24 consolidated, 0 failed in job, 0 rejected');
      Object.assign(process.env, s3rverEnv); // this file's own client, to read the result back
      const client = createS3Client({ endpointUrl: endpoint });
      const object = await client.send(new GetObjectCommand({ Bucket: 'acme-ml-labeling', Key: 'consolidated/support-ticket-sentiment/output.manifest' }));
      const written = await object.Body!.transformToString();
      client.destroy();
      // The same command on the local copy of the job must write the same lines.
      const local = path.join(await tempDir(), 'local.manifest');
      const command = /npx gt-consolidate (.*)/s.exec(block!)![1]!.replace(/\\\n\s*/g, '').trim().split(/\s+/);
      const localArgs = command
        .map((arg) => arg.replace('s3://acme-ml-labeling/ground-truth/output/', 'sample-output/').replace(/^s3:\/\/acme-ml-labeling\/consolidated\/.*$/, local))
        .filter((arg, i, all) => arg !== '--endpoint-url' && all[i - 1] !== '--endpoint-url');
      await promisify(execFile)(process.execPath, [path.join(repo, 'dist/src/cli/bin.js'), ...localArgs, '--quiet'], { cwd: repo });
      expect(written).toBe(await readFile(local, 'utf8'));
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  });
});
