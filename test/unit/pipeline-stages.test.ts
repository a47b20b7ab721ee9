/**
 * The run's stages called alone, as the sharded mode will call them: the table stage (pass-through, or holding the
 * answers, carrying each object's table row and fitting before it releases a line), the decide and write stages, and
 * the pipeline's teardown when a stage fails.
 */
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerStrategy } from '../../src/index.js';
import { decideStage, ObjectDecider } from '../../src/pipeline/decide.js';
import { FieldPlanner } from '../../src/pipeline/field-plan.js';
import type { Prepared, PreparedObject } from '../../src/pipeline/prepare.js';
import { runStages } from '../../src/pipeline/stage.js';
import { tableStage, type JobModel } from '../../src/pipeline/table.js';
import { writeStage } from '../../src/pipeline/write.js';
import { countLine, emptySummary } from '../../src/report/summary.js';
import { WorkerStats } from '../../src/report/worker-report.js';
import type { OutputWriter } from '../../src/io/storage.js';
import type { AnswerTable } from '../../strategies/answer-table.js';
import { classifier } from './strategies/fixtures.js';

const events: string[] = [];
registerStrategy({
  name: 'test-fitted',
  summary: 'records its fit and decides the label of the table row it is given',
  kinds: ['categorical'],
  options: z.strictObject({}),
  create: () => {
    let table: AnswerTable | undefined;
    return {
      fit(fitted) {
        table = fitted;
        events.push(`fit ${fitted.objectCount} objects`);
      },
      decide(_answers, { object }) {
        const label = table!.labels[table!.labelOf[table!.objectOf.indexOf(object!)]!]!;
        return { value: { label }, confidence: 0.5 };
      },
    };
  },
});

const object = (line: number, votes: string[]): PreparedObject => ({
  type: 'object', line, json: { source: `o${line}`, 'job-metadata': {} }, labelAttribute: 'job',
  workers: votes.map((_, i) => ({ workerId: `w${i}` })),
  fields: new Map(votes.length ? [['sentiment', { answers: votes.map((v, i) => ({ workerId: `w${i}`, value: classifier(v) })), unknown: [] }]] : []),
  duplicates: 0,
  sideKeys: [],
});
const ignore = { line: () => {}, end: () => {} };
const newModel = (): JobModel => ({ fittedLabels: new Map() });

const lines = (): Prepared[] => [
  object(1, ['pos', 'pos', 'neg']),
  { type: 'rejected', line: 2, text: '{', code: 'invalid-json', reason: 'not JSON' },
  object(3, ['neg']),
  { type: 'failed', line: 4, text: '{"failed":true}' },
  object(5, ['pos']),
];

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    events.push(`read ${(item as { line: number }).line}`);
    yield item;
  }
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) {
    events.push(`out ${(item as { line: number }).line}`);
    items.push(item);
  }
  return items;
}

describe('table stage', () => {
  it('counts every line and releases none before the whole job has been seen (a field\'s kind comes from all its answers)', async () => {
    events.length = 0;
    const summary = emptySummary('in', 'out', 'rejects');
    const model = newModel();
    const stage = tableStage(new FieldPlanner({}, () => {}), { line: (line) => countLine(summary, line), end: () => {} }, model);
    const out = await collect(stage(from(lines())));
    expect(out.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(events).toEqual(['read 1', 'read 2', 'read 3', 'read 4', 'read 5', 'out 1', 'out 2', 'out 3', 'out 4', 'out 5']);
    expect(model.schema?.fields.map(({ name, kind, strategy }) => ({ name, kind, strategy })))
      .toEqual([{ name: 'sentiment', kind: 'categorical', strategy: 'hierarchical-ds' }]);
    expect(summary.lines).toEqual({ read: 5, consolidated: 3, failedInJob: 1, rejected: 1, blank: 0 });
  });

  it('holds every line until the model is fitted, and carries each object\'s table row through the spill', async () => {
    events.length = 0;
    const model = newModel();
    const planner = new FieldPlanner({ sentiment: { strategy: 'test-fitted' } }, () => {});
    const out = await collect(tableStage(planner, ignore, model)(from(lines())));
    expect(events).toEqual(['read 1', 'read 2', 'read 3', 'read 4', 'read 5', 'fit 3 objects', 'out 1', 'out 2', 'out 3', 'out 4', 'out 5']);
    expect(out.flatMap((l) => (l.type === 'object' ? [l.fields.get('sentiment')!.row] : []))).toEqual([0, 1, 2]);
    expect(model.fittedLabels.get('sentiment')).toEqual(['neg', 'pos']);
    // Every other line comes back as it went in.
    expect(out.filter((l) => l.type !== 'object')).toEqual(lines().filter((l) => l.type !== 'object'));
  });
});

describe('decide and write stages', () => {
  it('decide each object from its table row; write routes every line to its file in input order', async () => {
    const planner = new FieldPlanner({ sentiment: { strategy: 'test-fitted' } }, () => {});
    const summary = emptySummary('in', 'out', 'rejects');
    const written = { output: [] as string[], rejects: [] as string[], sink: [] as number[] };
    const writer = (into: string[]): OutputWriter => ({ write: async (chunk) => void into.push(chunk), finish: async () => {}, commit: async () => {}, abort: async () => {} });
    await runStages(
      from(lines()),
      tableStage(planner, ignore, newModel()),
      decideStage(new ObjectDecider({ planner, random: Math.random, summary, workers: new WorkerStats(false) })),
      writeStage({ output: writer(written.output), rejects: writer(written.rejects), sink: async (decided) => void written.sink.push(decided.line) }),
    );
    expect(written.output.map((line) => JSON.parse(line).job ?? 'failed')).toEqual([{ sentiment: { label: 'pos' } }, { sentiment: { label: 'neg' } }, 'failed', { sentiment: { label: 'pos' } }]);
    expect(written.rejects.map((line) => JSON.parse(line))).toEqual([{ line: 2, code: 'invalid-json', reason: 'not JSON', text: '{' }]);
    expect(written.sink).toEqual([1, 3, 5]);
    expect(summary.fields.sentiment).toMatchObject({ strategy: 'test-fitted', objects: 3, answers: 5 });
  });

  it('a failing stage tears the pipeline down: the source stops, the spill is removed, the error surfaces', async () => {
    const spills = async () => (await readdir(os.tmpdir())).filter((name) => name.startsWith('gt-consolidate-spill-')).sort();
    const before = await spills();
    let sourceClosed = false;
    async function* source(): AsyncGenerator<Prepared> {
      try {
        yield* lines();
      } finally {
        sourceClosed = true;
      }
    }
    const planner = new FieldPlanner({ sentiment: { strategy: 'test-fitted' } }, () => {});
    const failing = async function* (decided: AsyncIterable<Prepared>) {
      for await (const line of decided) {
        if (line.line === 3) throw new Error('disk full');
        yield line;
      }
    };
    await expect(runStages(source(), tableStage(planner, ignore, newModel()), failing, async (rest: AsyncIterable<Prepared>) => {
      for await (const _ of rest);
    })).rejects.toThrow('disk full');
    expect(sourceClosed).toBe(true);
    expect(await spills()).toEqual(before);
  });
});

describe('prepare stage', () => {
  it('a bug on one line costs that line, reported as internal-error (not as bad data), never the run', async () => {
    const { prepareLine } = await import('../../src/pipeline/prepare.js');
    const text = JSON.stringify({ source: 'x', 'job-metadata': { 'worker-response-ref': 's3://b/k.json' } });
    const prepared = await prepareLine({ number: 7, text }, {
      maxResponseBytes: 1000,
      readResponse: async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    expect(prepared).toEqual({ type: 'rejected', line: 7, text, code: 'internal-error', reason: 'TypeError: cannot read properties of undefined' });
  });
});
