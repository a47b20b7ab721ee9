/** The synthetic job (`synthetic-job.ts`) written as files in Ground Truth's layout, for mirror mode and s3rver. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { manifestKey, manifestLine, responseKey, workerResponse } from './synthetic-job.js';

/** Writes `count` objects under `root`; returns the manifest's path. */
export async function writeJob(root: string, count: number): Promise<string> {
  const limit = pLimit(32);
  await Promise.all(Array.from({ length: count }, (_, index) => limit(async () => {
    const file = path.join(root, responseKey(index));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, workerResponse(index));
  })));
  const manifest = path.join(root, manifestKey);
  await mkdir(path.dirname(manifest), { recursive: true });
  await writeManifest(manifest, count);
  return manifest;
}

/** The first `count` manifest lines, streamed (a million lines do not fit one string). */
export async function writeManifest(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  for (let index = 0; index < count; index += 1) {
    if (!out.write(manifestLine(index) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
