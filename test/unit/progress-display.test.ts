/** The CLI's progress display, driven with a fake terminal and a fake clock. */
import { describe, expect, it } from 'vitest';
import { progressDisplay, type ProgressWriter } from '../../src/cli/progress.js';
import type { Progress } from '../../src/pipeline/progress.js';
import { emptySummary } from '../../src/report/summary.js';

const summary = emptySummary('in.manifest', 'out.manifest', 'out.rejects.jsonl');
const fakeTerminal = (columns = 200) => {
  const writes: string[] = [];
  const writer: ProgressWriter = { isTTY: true, columns, write: (text: string) => writes.push(text) };
  return { writer, writes };
};
const progress = (fields: Partial<Progress>): Progress => ({ phase: 'reading', objects: 0, bytesRead: 0, summary, ...fields });

describe('progress on a terminal', () => {
  it('rewrites one line in place with the phase, counts, share, rate, elapsed time and ETA', () => {
    let now = 0;
    const { writer, writes } = fakeTerminal();
    const display = progressDisplay('auto', writer, { now: () => now })!;
    now = 6_000;
    display.update(progress({ objects: 12_345, bytesRead: 2_000_000, totalBytes: 8_000_000 }));
    expect(writes).toEqual(['\rreading 12,345 objects, 2.0/8.0 MB (25.0%), 2,058 objects/s, elapsed 6 s, ETA 18 s\x1b[K']);
    display.update(progress({ phase: 'fitting', objects: 40_000, bytesRead: 8_000_000, totalBytes: 8_000_000 }));
    now = 10_000;
    display.update(progress({ phase: 'deciding', objects: 0, totalObjects: 40_000 }));
    now = 16_000;
    display.update(progress({ phase: 'deciding', objects: 12_000, totalObjects: 40_000 }));
    display.update(progress({ phase: 'writing', objects: 40_000, totalObjects: 40_000 }));
    expect(writes.slice(1)).toEqual([
      '\rfitting models on 40,000 objects, elapsed 6 s\x1b[K',
      '\rdeciding 0/40,000 objects (0.0%), 0 objects/s, elapsed 10 s\x1b[K',
      '\rdeciding 12,000/40,000 objects (30.0%), 2,000 objects/s, elapsed 16 s, ETA 14 s\x1b[K',
      '\rwriting outputs, elapsed 16 s\x1b[K',
    ]);
    display.stop();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('redraws at most every 100 ms within a phase, and never wider than the terminal', () => {
    let now = 0;
    const { writer, writes } = fakeTerminal(20);
    const display = progressDisplay('tty', { ...writer, isTTY: false }, { now: () => now })!;
    for (let objects = 1; objects <= 10; objects += 1, now += 30) display.update(progress({ objects }));
    expect(writes).toHaveLength(3); // at 0, 120 and 240 ms
    expect(writes.every((text) => /^\r.{19}\x1b\[K$/.test(text))).toBe(true);
  });

  it('prints a notice on its own line and redraws the progress line below it', () => {
    const { writer, writes } = fakeTerminal();
    const display = progressDisplay('auto', writer, { now: () => 0 })!;
    display.notice('before any progress');
    display.update(progress({ objects: 3 }));
    display.notice('field "x": picked');
    display.stop();
    display.notice('after the run');
    expect(writes.join('')).toBe(
      'before any progress\n' +
      '\rreading 3 objects, 3,000 objects/s, elapsed 0 s\x1b[K' +
      '\r\x1b[Kfield "x": picked\n' +
      'reading 3 objects, 3,000 objects/s, elapsed 0 s\x1b[K' +
      '\r\x1b[K' +
      'after the run\n',
    );
  });
});

describe('progress elsewhere', () => {
  it('prints a heartbeat line every interval, nothing in between', async () => {
    const writes: string[] = [];
    const display = progressDisplay('auto', { write: (text: string) => writes.push(text) }, { heartbeatMs: 20 })!;
    display.update(progress({ phase: 'deciding', objects: 5, totalObjects: 10 }));
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 70));
    display.stop();
    const count = writes.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(writes[0]).toMatch(/^progress: deciding 5\/10 objects \(50\.0%\), [\d,]+ objects\/s, elapsed \d+ s, ETA \d+ s\n$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writes).toHaveLength(count);
  });

  it('shows nothing with none', () => {
    expect(progressDisplay('none', { isTTY: true, write: () => {} })).toBeUndefined();
  });
});
