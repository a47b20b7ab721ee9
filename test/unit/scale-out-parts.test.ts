/** The parts of a sharded run read back as untrusted input, the shard split, and the task event the engines send. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { Prepared } from '../../src/pipeline/prepare.js';
import { byteRange, checkShard, decodeLine, encodeLine } from '../../src/scale-out/parts.js';
import { handleTask, indexFromEnvironment } from '../../src/scale-out/task-handler.js';

const object: Prepared = {
  type: 'object', line: 7, json: { source: 'x', 'job-metadata': { 'worker-response-ref': 's3://b/r.json' } }, labelAttribute: 'job', duplicates: 1,
  sideKeys: [['sentiment', 'workerComment', 'w1', 'unsure']],
  workers: [{ workerId: 'w1', timeSpentInSeconds: 3.5 }, { workerId: 'w2', sub: 'abc' }],
  fields: new Map([['sentiment', { answers: [{ workerId: 'w2', value: { kind: 'categorical', value: 'positive', shape: 'classifier' } as never }], unknown: [{ odd: true }] }]]),
};

describe('lines parts', () => {
  it('read back every kind of line as it was written', () => {
    const lines: Prepared[] = [
      object,
      { type: 'blank', line: 8 },
      { type: 'failed', line: 9, text: '{"failed": true}' },
      { type: 'rejected', line: 10, text: 'not json', code: 'invalid-json', reason: 'Unexpected token' },
    ];
    for (const line of lines) expect(decodeLine(encodeLine(line), 'part line')).toEqual(line);
  });

  it('refuse a line no shard writes, naming the part to shard again', () => {
    const encoded = JSON.parse(encodeLine(object)) as unknown[];
    const tampered = [
      'not json',
      JSON.stringify({ type: 'object', line: 1 }),
      JSON.stringify({ type: 'rejected', line: 0, text: '', code: 'x', reason: 'y' }),
      JSON.stringify(encoded.map((item, at) => (at === 6 ? [['sentiment', [5], [{ kind: 'categorical' }], []]] : item))), // no worker 5
      JSON.stringify(encoded.map((item, at) => (at === 6 ? [['sentiment', [0], [{ kind: 'magic' }], []]] : item))), // no such kind
      JSON.stringify(encoded.map((item, at) => (at === 6 ? [['sentiment', [0, 1], [{ kind: 'categorical' }], []]] : item))), // a worker without a value
      JSON.stringify(encoded.slice(0, 7)), // no workers
      JSON.stringify(encoded).replace('"job-metadata"', '"__proto__"'),
    ];
    for (const text of tampered) expect(() => decodeLine(text, 'lines/part-00001.jsonl line 3'), text).toThrow(/lines\/part-00001.jsonl line 3 .*shard that part again/);
  });
});

describe('the split', () => {
  it('cuts the manifest into ranges that cover every byte once, in order', () => {
    for (const size of [0, 1, 7, 100, 12_345]) {
      for (const count of [1, 2, 3, 7, 16]) {
        const ranges = Array.from({ length: count }, (_, index) => byteRange(size, index, count));
        expect(ranges[0]!.start).toBe(0);
        expect(ranges.at(-1)!.end).toBe(size);
        for (let at = 1; at < count; at += 1) expect(ranges[at]!.start).toBe(ranges[at - 1]!.end);
      }
    }
  });

  it('refuses an index or count that cannot be', () => {
    expect(() => checkShard(3, 3)).toThrow('--index 3: give a shard index from 0 to 2 (--count 3)');
    expect(() => checkShard(-1, 3)).toThrow(UsageError);
    expect(() => checkShard(undefined, 0)).toThrow('--count 0: give a whole number of shards from 1 to 10000');
    expect(() => checkShard(undefined, 10_001)).toThrow(UsageError);
    expect(() => checkShard(0, 1)).not.toThrow();
  });
});

describe('the task handler', () => {
  const job = { manifest: 'm.manifest', work: 'work/', out: 'out.manifest' };

  it('refuses an event it cannot run, before reading anything', async () => {
    await expect(handleTask({ step: 'shard', index: 0, job })).rejects.toThrow('the task event is not valid at count');
    await expect(handleTask({ step: 'reduce', count: 2, job })).rejects.toThrow('the task event is not valid at step');
    await expect(handleTask({ step: 'decide', count: 2, job })).rejects.toThrow('a decide task needs "index"');
    await expect(handleTask({ step: 'fit', count: 2, job: { manifest: 'm' } })).rejects.toThrow(/not valid at job\.work/);
    await expect(handleTask({ step: 'shard', index: 0, count: 2, job: { ...job, fields: { topic: { strategy: 'majority-vote', tie: 'random' } } } }))
      .rejects.toThrow('fields.topic.tie: "random" draws ties from one sequence over the whole job');
    await expect(handleTask({ step: 'shard', index: 0, count: 2, job: { ...job, fields: { objects: { strategy: 'boxes', labelTie: 'random' } } } }))
      .rejects.toThrow('fields.objects.labelTie: "random" draws ties from one sequence over the whole job, which shards cannot share; use lowest or first');
  });

  it('reads an AWS Batch array child\'s shard from its environment', () => {
    expect(indexFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: '4', AWS_BATCH_JOB_ARRAY_SIZE: '8' })).toEqual({ index: 4, count: 8 });
    expect(() => indexFromEnvironment({ AWS_BATCH_JOB_ARRAY_SIZE: '8' })).toThrow('AWS_BATCH_JOB_ARRAY_INDEX is not set');
    expect(() => indexFromEnvironment({ AWS_BATCH_JOB_ARRAY_INDEX: '1', AWS_BATCH_JOB_ARRAY_SIZE: 'x' })).toThrow('AWS_BATCH_JOB_ARRAY_SIZE is "x"');
  });
});
