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
  private readonly inFlight = new Map<number, { files: ReadBatch['files']; waiting: Waiting[] }>();
  private nextId = 0;
  private state: 'open' | 'closed' | 'lost' = 'open';

  /** `fallback` reads on the calling thread: every read the thread took and did not answer, if it is lost. */
  constructor(private readonly fallback: (file: MirroredFile, maxBytes: number) => Promise<Buffer>) {
    this.worker = startWorkerModule(new URL('./mirror-reader-worker.js', import.meta.url), undefined);
    this.worker.on('message', (reply: ReadReply) => this.settle(reply));
    // The thread is only a faster way to read: losing it (out of memory, a crash) must change no result.
    this.worker.on('exit', () => this.lose());
    this.worker.on('error', () => this.lose());
    // Idle, the thread must not keep the process alive; `send` refs it while a batch is out.
    this.worker.unref();
  }

  read(file: MirroredFile, maxBytes: number): Promise<Buffer> {
    if (this.state === 'lost') return this.fallback(file, maxBytes);
    if (this.state === 'closed') return Promise.reject(closedError());
    if (this.queued.length === 0) setImmediate(() => this.send());
    this.queued.push({ file, maxBytes });
    return new Promise((resolve, reject) => this.queuedWaiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.state === 'open') this.state = 'closed';
    await this.worker.terminate();
    for (const { reject } of this.waiting().flatMap(({ waiting }) => waiting)) reject(closedError());
  }

  private send(): void {
    if (this.state !== 'open' || this.queued.length === 0) return;
    const id = this.nextId++;
    this.inFlight.set(id, { files: this.queued, waiting: this.queuedWaiting });
    if (this.inFlight.size === 1) this.worker.ref();
    this.worker.postMessage({ id, files: this.queued } satisfies ReadBatch);
    this.queued = [];
    this.queuedWaiting = [];
  }

  private settle({ id, results, bytes }: ReadReply): void {
    const { waiting } = this.inFlight.get(id)!;
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

  /** The thread ended while open: what it held is read on this thread, as is everything after. */
  private lose(): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    for (const { files, waiting } of this.waiting()) {
      files.forEach(({ file, maxBytes }, index) => this.fallback(file, maxBytes).then(waiting[index]!.resolve, waiting[index]!.reject));
    }
  }

  /** Takes every unanswered read: the batches sent, then the one queued. */
  private waiting(): { files: ReadBatch['files']; waiting: Waiting[] }[] {
    const all = [...this.inFlight.values(), { files: this.queued, waiting: this.queuedWaiting }];
    this.inFlight.clear();
    this.queued = [];
    this.queuedWaiting = [];
    return all;
  }
}

const closedError = () => new Error('the mirror reader was closed');
