/**
 * A worker thread of the prepare pool: fetches, parses and normalises lines (`prepareLine`) with its own storages and
 * S3 client, and posts each result back with its running count of S3 retries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RefResolver } from '../io/refs.js';
import { createS3Client } from '../io/s3/s3-client.js';
import { Storages } from '../io/storages.js';
import type { PrepareSettings } from './prepare-pool.js';
import { prepareLine } from './prepare.js';
import type { Line } from '../io/lines.js';

const settings = workerData as PrepareSettings;
const resolver = new RefResolver(settings.mirrors, settings.job, settings.allowedPrefixes);
const storages = new Storages(() => createS3Client(settings.s3, settings.retry), settings.retry);
const context = {
  labelAttribute: settings.labelAttribute,
  preferences: settings.preferences,
  maxResponseBytes: settings.maxResponseBytes,
  readResponse: (ref: string, maxBytes: number) => {
    const location = resolver.resolve(ref);
    return storages.for(location).readAll(location, maxBytes);
  },
};

parentPort!.on('message', async ({ id, line }: { id: number; line: Line }) => {
  try {
    const prepared = await prepareLine(line, context);
    parentPort!.postMessage({ id, prepared, retries: storages.counter.retries });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) } });
  }
});
