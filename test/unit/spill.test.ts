import { describe, expect, it } from 'vitest';
import type { Prepared } from '../../src/pipeline/prepare.js';
import { Spill } from '../../src/pipeline/spill.js';

const object: Prepared = {
  type: 'object', line: 3, json: { source: 'a', 'job-metadata': { 'worker-response-ref': 's3://b/r.json' } }, labelAttribute: 'job',
  workers: [{ workerId: 'w1' }, { workerId: 'w2' }] as never,
  duplicates: 1,
  sideKeys: [['sentiment', 'workerComment', 'w1', 'fine']],
  fields: new Map([
    ['sentiment', { answers: [{ workerId: 'w2', value: { kind: 'categorical', value: 'x', shape: 'classifier' } },
      { workerId: 'w1', value: { kind: 'categorical', value: 'y', shape: 'classifier' } }], unknown: [] }],
    ['comment', { answers: [{ workerId: 'w1', value: { kind: 'text', value: 'ok' } }], unknown: [{ odd: [1, null] }] }],
  ]),
} as Prepared;
const others: Prepared[] = [
  { type: 'blank', line: 1 }, { type: 'failed', line: 2, text: '{}' },
  { type: 'rejected', line: 4, text: 'x', code: 'invalid-json', reason: 'not valid JSON' },
];

describe('Spill', () => {
  it('gives back lines longer than its 64 KiB chunks, with characters split between chunks whole', async () => {
    const long = 'é€😀'.repeat(50_000);
    const lines: Prepared[] = [{ type: 'failed', line: 1, text: long }, { type: 'blank', line: 2 }, { type: 'failed', line: 3, text: `x${long}` }];
    const spill = await Spill.create();
    try {
      for (const line of lines) await spill.write(line);
      const read: Prepared[] = [];
      for await (const line of spill.read()) read.push(line);
      expect(read).toEqual(lines);
    } finally {
      await spill.remove();
    }
  });


  it('gives back every line, in order, with the same keys in the same order, as often as it is read', async () => {
    const spill = await Spill.create();
    try {
      for (const line of [others[0]!, others[1]!, object, others[2]!]) await spill.write(line);
      const { workers: _, ...rest } = object as Extract<Prepared, { type: 'object' }>;
      const expected = [others[0], others[1], { ...rest, workers: [] }, others[2]];
      for (let pass = 0; pass < 2; pass += 1) {
        const read: Prepared[] = [];
        for await (const line of spill.read()) read.push(line);
        expect(read).toEqual(expected);
        // The output's bytes follow key order: the object and its answers stringify exactly as before the spill.
        const replacer = (_: string, value: unknown) => (value instanceof Map ? [...value] : value);
        expect(read.map((line) => JSON.stringify(line, replacer))).toEqual(expected.map((line) => JSON.stringify(line, replacer)));
      }
    } finally {
      await spill.remove();
    }
  });
});
