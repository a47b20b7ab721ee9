/**
 * Runs the prepare stage (fetch, parse, normalise) on worker threads, so it can use more than one core; deciding and
 * writing stay on the main thread, in input order. Workers get plain settings and build their own storages and S3
 * clients (a client cannot cross threads).
 */
import type { Worker } from 'node:worker_threads';
import { errorFromThread, startWorkerModule, type PostedError } from '../../strategies/worker-module.js';
import type { Line } from '../io/lines.js';
import type { JobIO, RefPolicy } from '../io/job-io.js';
import type { RetryPolicy } from '../io/s3/retry.js';
import type { S3Settings } from '../io/s3/s3-settings.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import { prepareLine, type PrepareContext, type Prepared } from './prepare.js';

/** Larger worker responses are rejected unread. */
export const defaultMaxResponseBytes = 16 * 1024 * 1024;

export interface PrepareSettings extends RefPolicy {
  labelAttribute?: string;
  preferences?: PreferenceMapping;
  maxResponseBytes: number;
  s3: S3Settings;
  retry: RetryPolicy;
}

type Reply = { id: number; prepared: Prepared; retries: number } | { id: number; error: PostedError };

export class PreparePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (prepared: Prepared) => void; reject: (error: Error) => void }>();
  private readonly retriesByWorker: number[];
  private nextId = 0;

  constructor(count: number, settings: PrepareSettings) {
    this.retriesByWorker = new Array<number>(count).fill(0);
    this.workers = Array.from({ length: count }, (_, index) => {
      const worker = startWorkerModule(new URL('./prepare-worker.js', import.meta.url), settings);
      worker.on('message', (reply: Reply) => {
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if ('error' in reply) {
          waiting?.reject(errorFromThread(reply.error));
          return;
        }
        this.retriesByWorker[index] = reply.retries;
        waiting?.resolve(reply.prepared);
      });
      worker.on('error', (error) => {
        for (const { reject } of this.pending.values()) reject(error);
        this.pending.clear();
      });
      return worker;
    });
  }

  /** Prepares one line on the next worker in turn. */
  prepare(line: Line): Promise<Prepared> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, line });
    });
  }

  get retries(): number {
    return this.retriesByWorker.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** The prepare step for one line: on this thread, or on a pool of worker threads with I/O of their own. */
export function openPreparer(
  options: Pick<PrepareSettings, 'labelAttribute' | 'preferences'> & { maxResponseBytes?: number; workers?: number; s3?: S3Settings },
  io: JobIO,
  refs: RefPolicy,
  concurrency: number,
): { line(line: Line): Promise<Prepared>; retries(): number; close(): Promise<void> } {
  const settings = {
    labelAttribute: options.labelAttribute,
    preferences: options.preferences,
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
  };
  const threads = options.workers ?? 0;
  if (threads === 0) {
    const context: PrepareContext = { ...settings, readResponse: io.responseReader(refs) };
    return { line: (line) => prepareLine(line, context), retries: () => 0, close: async () => {} };
  }
  const pool = new PreparePool(threads, { ...refs, ...settings, s3: { maxSockets: Math.ceil(concurrency / threads), ...options.s3 }, retry: io.retry });
  return { line: (line) => pool.prepare(line), retries: () => pool.retries, close: () => pool.close() };
}
