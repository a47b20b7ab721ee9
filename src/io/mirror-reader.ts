/**
 * Reads mirrored worker responses on a thread of its own. A response is a few KiB: its open, readlink, fstat, read
 * and close cost the main thread more than parsing it does (a fifth of a mirror run, BENCHMARKS.md), and they need no
 * JavaScript. Reads asked for in one turn of the event loop go to the thread as one message; it reads them one after
 * the other, blocking (it has nothing else to do), into one buffer it transfers back, so the main thread pays one
 * message a batch, not five system calls a file. Results and rejections are those of `readWithin`.
 */
import type { Worker } from 'node:worker_threads';
import { RejectError, type RejectCode } from '../errors.js';
import { startWorkerModule } from '../../strategies/worker-module.js';
import type { MirroredFile } from './mirror.js';

/** One batch: files to read, each with its byte limit. */
export interface ReadBatch {
  id: number;
  files: { file: MirroredFile; maxBytes: number }[];
}

/** Per file, the length of its bytes in `bytes` (in order), or why it was rejected. */
export interface ReadReply {
  id: number;
  results: (number | { code: RejectCode; message: string })[];
  bytes: ArrayBuffer;
}

interface Waiting {
  resolve: (bytes: Buffer) => void;
  reject: (error: Error) => void;
}

export class MirrorReader {
  private readonly worker: Worker;
  private queued: ReadBatch['files'] = [];
  private queuedWaiting: Waiting[] = [];
  private readonly inFlight = new Map<number, Waiting[]>();
  private nextId = 0;

  constructor() {
    this.worker = startWorkerModule(new URL('./mirror-reader-worker.js', import.meta.url), undefined);
    this.worker.on('message', (reply: ReadReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(error));
    // Idle, the thread must not keep the process alive; `read` refs it while a batch is out.
    this.worker.unref();
  }

  read(file: MirroredFile, maxBytes: number): Promise<Buffer> {
    if (this.queued.length === 0) setImmediate(() => this.send());
    this.queued.push({ file, maxBytes });
    return new Promise((resolve, reject) => this.queuedWaiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    await this.worker.terminate();
    this.failAll(new Error('the mirror reader was closed'));
  }

  private send(): void {
    const id = this.nextId++;
    this.inFlight.set(id, this.queuedWaiting);
    if (this.inFlight.size === 1) this.worker.ref();
    this.worker.postMessage({ id, files: this.queued } satisfies ReadBatch);
    this.queued = [];
    this.queuedWaiting = [];
  }

  private settle({ id, results, bytes }: ReadReply): void {
    const waiting = this.inFlight.get(id)!;
    this.inFlight.delete(id);
    if (this.inFlight.size === 0) this.worker.unref();
    let offset = 0;
    results.forEach((result, index) => {
      if (typeof result === 'number') {
        waiting[index]!.resolve(Buffer.from(bytes, offset, result));
        offset += result;
      } else {
        waiting[index]!.reject(new RejectError(result.code, result.message));
      }
    });
  }

  private failAll(error: Error): void {
    for (const waiting of [...this.inFlight.values(), this.queuedWaiting]) for (const { reject } of waiting) reject(error);
    this.inFlight.clear();
    this.queuedWaiting = [];
    this.queued = [];
  }
}
