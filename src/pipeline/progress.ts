/**
 * What a run reports while it works, for a progress line or a heartbeat. The table stage reads the whole job before
 * anything is decided, so a run goes through its phases in order: reading (manifest bytes are the only total known
 * up front), fitting (the models; no count moves), deciding (every line again, now against the count of the first
 * pass) and writing (the review queue and reports, then publishing).
 */
import type { Summary } from '../report/summary.js';
import { readLines, type Line } from '../io/lines.js';
import type { SizedReadable } from '../io/storage.js';

export type Phase = 'reading' | 'fitting' | 'deciding' | 'writing';

export interface Progress {
  phase: Phase;
  /** Lines (objects) read in the reading phase, decided in the deciding phase. */
  objects: number;
  /** Lines in the job, once the reading phase counted them. */
  totalObjects?: number;
  /** Manifest bytes read so far. */
  bytesRead: number;
  /** The manifest's size when its storage knows it (not for standard input). */
  totalBytes?: number;
  summary: Readonly<Summary>;
}

/** Keeps a run's `Progress` and hands it to `report` (if any) after every change that matters. */
export class ProgressTracker {
  private readonly progress: Progress;

  constructor(private readonly report: ((progress: Readonly<Progress>) => void) | undefined, summary: Readonly<Summary>, private readonly input: SizedReadable) {
    this.progress = { phase: 'reading', objects: 0, bytesRead: 0, summary };
  }

  /** The manifest's lines (the run's first stage), its bytes counted on the way. */
  readonly lines = (input: SizedReadable): AsyncGenerator<Line> => readLines(this.counted(input));

  private async *counted(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
    for await (const chunk of chunks) {
      this.progress.bytesRead += Buffer.byteLength(chunk);
      yield chunk;
    }
  }

  line(): void {
    this.progress.objects += 1;
    this.emit();
  }

  enter(phase: Phase): void {
    if (phase === 'deciding') {
      this.progress.totalObjects = this.progress.objects;
      this.progress.objects = 0;
    }
    this.progress.phase = phase;
    this.emit();
  }

  private emit(): void {
    if (!this.report) return;
    this.progress.totalBytes = this.input.totalBytes;
    this.report(this.progress);
  }
}
