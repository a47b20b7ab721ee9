/**
 * A worker thread of the prepare pool: fetches, parses and normalises lines (`prepareLine`) with I/O of its own, and
 * posts each result back with its running count of S3 retries.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { postableError } from '../../strategies/worker-module.js';
import { JobIO } from '../io/job-io.js';
import type { Line } from '../io/lines.js';
import type { PrepareSettings } from './prepare-pool.js';
import { prepareLine, type PrepareContext } from './prepare.js';

const settings = workerData as PrepareSettings;
const io = new JobIO({ s3: settings.s3, retry: settings.retry });
const context: PrepareContext = {
  labelAttribute: settings.labelAttribute,
  preferences: settings.preferences,
  maxResponseBytes: settings.maxResponseBytes,
  readResponse: io.responseReader(settings),
};

parentPort!.on('message', async ({ id, line }: { id: number; line: Line }) => {
  try {
    const prepared = await prepareLine(line, context);
    parentPort!.postMessage({ id, prepared, retries: io.counter.retries });
  } catch (error) {
    parentPort!.postMessage({ id, error: postableError(error) });
  }
});
