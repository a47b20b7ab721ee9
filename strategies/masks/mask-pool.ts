/**
 * Worker threads for mask decisions: decoding a 1280×720 PNG costs about 50 ms of CPU (bench/parts/masks.ts), so an
 * object of three masks would hold the main thread for 150 ms. A pool runs `decideMask` (the same function the main
 * thread would call, so the output is the same byte for byte) on `size` threads, each task on the thread with the
 * fewest waiting. Threads keep the process alive only while they have work, so the pool needs no closing.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Decision, FieldAnswer } from '../types.js';
import { errorFromThread, startWorkerModule, type PostedError } from '../worker-module.js';

/** One thread less than the machine's cores (the main thread keeps reading, deciding and writing), at most 4. */
export const defaultMaskThreads = Math.max(1, Math.min(4, availableParallelism() - 1));

export interface MaskTask {
  answers: readonly FieldAnswer[];
  /** mask-vote's parsed options. */
  settings: unknown;
  labels?: readonly string[];
}

type Reply = { id: number; decision: Decision } | { id: number; error: PostedError };

class MaskPool {
  /** Set when a thread stopped (crashed, ran out of memory): this pool takes no more tasks, the next `maskPool` is new. */
  private stopped?: Error;
  private readonly threads: { worker: Worker; waiting: number }[];
  private readonly pending = new Map<number, { resolve: (decision: Decision) => void; reject: (error: Error) => void; thread: MaskPool['threads'][number] }>();
  private nextId = 0;

  constructor(size: number, onStop: () => void) {
    this.threads = Array.from({ length: size }, () => {
      const thread = { worker: startWorkerModule(new URL('./mask-worker.js', import.meta.url), undefined), waiting: 0 };
      thread.worker.unref();
      thread.worker.on('message', (reply: Reply) => this.settle(reply));
      thread.worker.on('error', (error) => (this.stopped ??= error));
      thread.worker.on('exit', (code) => {
        this.stopped ??= new Error(`a mask thread stopped (exit code ${code})`);
        onStop();
        for (const [id, task] of this.pending) if (task.thread === thread) this.settle({ id, error: this.stopped });
      });
      return thread;
    });
  }

  run(task: MaskTask): Promise<Decision> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    const thread = this.threads.reduce((best, candidate) => (candidate.waiting < best.waiting ? candidate : best));
    if (thread.waiting++ === 0) thread.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, thread });
      thread.worker.postMessage({ id, task });
    });
  }

  private settle(reply: Reply): void {
    const task = this.pending.get(reply.id);
    if (!task) return;
    this.pending.delete(reply.id);
    if (--task.thread.waiting === 0) task.thread.worker.unref();
    if ('error' in reply) task.reject(errorFromThread(reply.error));
    else task.resolve(reply.decision);
  }
}

const pools = new Map<number, MaskPool>();

/** The process's pool of `size` threads, started at its first task. */
export function maskPool(size: number): MaskPool {
  let pool = pools.get(size);
  if (!pool) {
    const created = new MaskPool(size, () => pools.get(size) === created && pools.delete(size));
    pools.set(size, (pool = created));
  }
  return pool;
}
