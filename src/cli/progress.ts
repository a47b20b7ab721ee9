/**
 * How the CLI shows a run's `Progress` on stderr: on a terminal, one line rewritten in place; elsewhere (CI, cron,
 * containers, CloudWatch) a heartbeat line every few seconds, since a rewritten line there is just noise.
 */
import type { Progress } from '../pipeline/progress.js';

export const progressModes = ['auto', 'tty', 'plain', 'none'] as const;
export type ProgressMode = (typeof progressModes)[number];

/** Where progress goes: stderr, or a fake terminal in tests. */
export interface ProgressWriter {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressDisplay {
  /** The library's `onProgress`. */
  update(progress: Readonly<Progress>): void;
  /** A notice on its own line, never overwritten by the progress line. */
  notice(message: string): void;
  /** Clears the line and stops the heartbeat; notices after it are printed as they are. */
  stop(): void;
}

export interface DisplaySettings {
  /** Milliseconds since some fixed point (tests pass a fake clock). */
  now?: () => number;
  /** Plain mode: time between heartbeats (default 10 s, or `GT_CONSOLIDATE_HEARTBEAT_MS`). */
  heartbeatMs?: number;
  /** Terminal mode: least time between redraws. */
  redrawMs?: number;
}

const clearToEnd = '\x1b[K';

/** The display `mode` asks for on `writer` (`auto`: a line on a terminal, a heartbeat elsewhere), or none. */
export function progressDisplay(mode: ProgressMode, writer: ProgressWriter, settings: DisplaySettings = {}): ProgressDisplay | undefined {
  if (mode === 'none') return undefined;
  const tty = mode === 'tty' || (mode === 'auto' && writer.isTTY === true);
  return tty ? terminalLine(writer, settings) : heartbeat(writer, settings);
}

function terminalLine(writer: ProgressWriter, { now = Date.now, redrawMs = 100 }: DisplaySettings): ProgressDisplay {
  const rates = new PhaseRates(now);
  let shown: string | undefined;
  let lastDraw = -Infinity;
  let stopped = false;
  const draw = (text: string) => {
    // A line wider than the terminal wraps, and `\r` would then rewrite only its last row.
    shown = writer.columns ? text.slice(0, writer.columns - 1) : text;
    writer.write(`\r${shown}${clearToEnd}`);
  };
  return {
    update(progress) {
      if (stopped) return;
      const phaseChanged = rates.observe(progress);
      if (!phaseChanged && now() - lastDraw < redrawMs) return;
      lastDraw = now();
      draw(describe(progress, rates));
    },
    notice(message) {
      if (shown === undefined) {
        writer.write(`${message}\n`);
        return;
      }
      writer.write(`\r${clearToEnd}${message}\n`);
      writer.write(`${shown}${clearToEnd}`);
    },
    stop() {
      if (shown !== undefined) writer.write(`\r${clearToEnd}`);
      shown = undefined;
      stopped = true;
    },
  };
}

function heartbeat(writer: ProgressWriter, { now = Date.now, heartbeatMs = defaultHeartbeatMs() }: DisplaySettings): ProgressDisplay {
  const rates = new PhaseRates(now);
  let latest: Readonly<Progress> | undefined;
  // unref: a heartbeat never keeps the process alive.
  const timer = setInterval(() => {
    if (latest) writer.write(`progress: ${describe(latest, rates)}\n`);
  }, heartbeatMs).unref();
  return {
    update(progress) {
      rates.observe(progress);
      latest = progress;
    },
    notice: (message) => writer.write(`${message}\n`),
    stop: () => clearInterval(timer),
  };
}

function defaultHeartbeatMs(): number {
  const fromEnv = Number(process.env.GT_CONSOLIDATE_HEARTBEAT_MS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 10_000;
}

/** When the run and its current phase began, for rates, elapsed time and ETA; a run begins by reading. */
class PhaseRates {
  readonly started: number;
  phase: Progress['phase'] = 'reading';
  phaseStarted: number;

  constructor(readonly now: () => number) {
    this.started = this.phaseStarted = now();
  }

  /** Notes the phase; true when it just changed. */
  observe({ phase }: Readonly<Progress>): boolean {
    if (phase === this.phase) return false;
    this.phase = phase;
    this.phaseStarted = this.now();
    return true;
  }
}

/**
 * One line for people: `deciding 12,345/40,000 objects (30.9%), 2,104 objects/s, elapsed 6 s, ETA 13 s`. While
 * reading, the share and ETA come from the manifest's bytes (its line count is not known before the end).
 */
export function describe(progress: Readonly<Progress>, rates: Pick<PhaseRates, 'now' | 'started' | 'phaseStarted'>): string {
  const now = rates.now();
  const elapsed = `elapsed ${duration(now - rates.started)}`;
  const phaseSeconds = Math.max(now - rates.phaseStarted, 1) / 1000;
  const objectsPerSecond = `${count(progress.objects / phaseSeconds)} objects/s`;
  const remaining = (done: number, total: number) => (done > 0 ? `, ETA ${duration(((total - done) / done) * phaseSeconds * 1000)}` : '');
  switch (progress.phase) {
    case 'reading': {
      const { bytesRead, totalBytes } = progress;
      const share = totalBytes ? `, ${megabytes(bytesRead)}/${megabytes(totalBytes)} MB (${percent(bytesRead, totalBytes)})` : '';
      const eta = totalBytes ? remaining(bytesRead, totalBytes) : '';
      return `reading ${count(progress.objects)} objects${share}, ${objectsPerSecond}, ${elapsed}${eta}`;
    }
    case 'deciding': {
      const total = progress.totalObjects ?? 0;
      return `deciding ${count(progress.objects)}/${count(total)} objects (${percent(progress.objects, total)}), ${objectsPerSecond}, ${elapsed}` +
        remaining(progress.objects, total);
    }
    case 'fitting':
      return `fitting models on ${count(progress.objects)} objects, ${elapsed}`;
    case 'writing':
      return `writing outputs, ${elapsed}`;
  }
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const percent = (done: number, total: number) => `${total > 0 ? ((100 * done) / total).toFixed(1) : '100.0'}%`;
const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** `6 s`, `2 min 5 s`, `1 h 3 min`. */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
