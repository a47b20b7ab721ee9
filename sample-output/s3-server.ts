/**
 * A real S3-protocol server for the tests: s3rver in a child process (it needs `--openssl-legacy-provider` for
 * paginated listing), on a loopback port, storing objects in a temporary directory.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { RetryPolicy } from '../src/io/s3/retry.js';
import { createS3Client } from '../src/io/s3/s3-client.js';
import type { S3Settings } from '../src/io/s3/s3-settings.js';

/** s3rver's fixed credentials; the environment tests give to child processes. */
export const s3rverEnv = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  // Never let the SDK probe the instance-metadata address from a test.
  AWS_EC2_METADATA_DISABLED: 'true',
};

export interface TestS3 {
  endpoint: string;
  port: number;
  /** A client for `endpoint` (or another, e.g. a proxy in front of it). */
  client(settings?: S3Settings, retry?: RetryPolicy): S3Client;
  /** Uploads every file under `directory` to `s3://bucket/prefix/<relative path>`. */
  uploadTree(directory: string, bucket: string, prefix: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startS3Server(buckets: readonly string[], port = 0): Promise<TestS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'gt-s3rver-'));
  const script = path.join(import.meta.dirname, 's3rver-process.mjs');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', script, String(port), directory, ...buckets], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) => { throw new Error(`s3rver exited with ${code}`); }),
  ])) as [string];
  const listening = (JSON.parse(line) as { port: number }).port;
  const endpoint = `http://127.0.0.1:${listening}`;
  const client = (settings: S3Settings = {}, retry?: RetryPolicy) => {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = s3rverEnv;
    process.env.AWS_ACCESS_KEY_ID ??= AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY ??= AWS_SECRET_ACCESS_KEY;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    return createS3Client({ endpointUrl: endpoint, region: 'us-east-1', ...settings }, retry);
  };
  const uploader = client();
  return {
    endpoint,
    port: listening,
    client,
    async uploadTree(root, bucket, prefix) {
      const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
      const limit = pLimit(16);
      await Promise.all(files.map((file) => limit(async () => {
        const full = path.join(file.parentPath, file.name);
        const key = `${prefix}${path.relative(root, full).split(path.sep).join('/')}`;
        await uploader.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(full) }));
      })));
      return files.length;
    },
    async stop() {
      uploader.destroy();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
