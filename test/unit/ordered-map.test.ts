import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapOrdered } from '../../src/pipeline/ordered-map.js';

async function* numbers(count: number, pulled: number[]) {
  for (let i = 0; i < count; i += 1) {
    pulled.push(i);
    yield i;
  }
}

describe('mapOrdered', () => {
  it('yields results in source order when later items finish first', async () => {
    const results: number[] = [];
    for await (const value of mapOrdered(numbers(50, []), 8, async (i) => {
      await sleep((50 - i) % 7);
      return i * 2;
    })) results.push(value);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('never runs more than `concurrency` calls nor pulls more than 2 × concurrency ahead', async () => {
    let running = 0;
    let peak = 0;
    const pulled: number[] = [];
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of mapOrdered(numbers(200, pulled), 4, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(1);
      running -= 1;
    })) {
      consumed += 1;
      maxAhead = Math.max(maxAhead, pulled.length - consumed);
    }
    expect(consumed).toBe(200);
    expect(peak).toBe(4);
    expect(maxAhead).toBeLessThanOrEqual(8);
  });

  it('propagates a failure of the mapped function', async () => {
    const run = async () => {
      for await (const _ of mapOrdered(numbers(10, []), 3, async (i) => {
        if (i === 4) throw new Error('boom');
      }));
    };
    await expect(run()).rejects.toThrow('boom');
  });
});
