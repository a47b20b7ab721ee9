/** `S3Storage.removeFolder` against s3rver: everything under the prefix goes, past one listing page; neighbours stay. */
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../../src/io/s3/retry.js';
import { S3Storage } from '../../src/io/s3/s3-storage.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';

const bucket = 'remove';
let s3: TestS3;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3Server([bucket]);
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

async function keys(): Promise<string[]> {
  const all: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
    all.push(...(page.Contents ?? []).map(({ Key }) => Key!));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return all.sort();
}

it('removes every object under the prefix, with or without its slash, and nothing beside it', async () => {
  const limit = pLimit(16);
  // More than one listing page (1,000 keys), nested, and neighbours whose names start like the folder.
  const inside = [...Array.from({ length: 1_005 }, (_, i) => `run/ckpt/prepared-${String(i).padStart(6, '0')}.jsonl`), 'run/ckpt/deeper/x'];
  const beside = ['run/ckpt2/keep', 'run/ckpt.json', 'run/other'];
  await Promise.all([...inside, ...beside].map((Key) => limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key })))));
  const storage = new S3Storage(client, defaultRetryPolicy, { retries: 0 });

  await storage.removeFolder(`s3://${bucket}/run/ckpt`);
  expect(await keys()).toEqual([...beside].sort());
  await storage.removeFolder(`s3://${bucket}/run/ckpt/`); // nothing there: no error
  await storage.removeFolder(`s3://${bucket}/run/other/`);
  expect(await keys()).toEqual([...beside].sort()); // `run/other` is an object, not a folder
}, 60_000);
