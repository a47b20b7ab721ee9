import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutputWriter } from '../../src/io/storage.js';
import { ObjectDecider } from '../../src/pipeline/decide.js';
import { FieldSchemaBuilder } from '../../src/responses/field-schema.js';
import { FieldPlanner } from '../../src/pipeline/field-plan.js';
import type { PreparedObject } from '../../src/pipeline/prepare.js';
import { GoldLabels } from '../../src/report/gold.js';
import { ReviewQueue, reviewCandidateOf, type ReviewCandidate, type ReviewFlags, type ReviewOptions } from '../../src/report/review.js';
import { emptySummary } from '../../src/report/summary.js';
import { WorkerStats } from '../../src/report/worker-report.js';
import { seededRandom } from '../../src/random.js';
import { byWorkers, classifier } from './strategies/fixtures.js';

let temp: string;
beforeEach(async () => void (temp = await mkdtemp(path.join(os.tmpdir(), 'review-test-'))));
afterEach(() => rm(temp, { recursive: true, force: true }));

/** An output-manifest line of job `job`, a chained earlier job's label `earlier`, and a data field. */
function candidate(line: number, confidence: number, flags: ReviewFlags = {}): ReviewCandidate {
  return {
    line,
    json: {
      'source-ref': `s3://bucket/images/${line}.jpg`,
      hint: `object ${line}`,
      earlier: { boxes: [] },
      'earlier-metadata': { 'job-name': 'earlier' },
      job: { sentiment: { label: 'pos' } },
      'job-metadata': { 'job-name': 'job', 'worker-response-ref': `s3://bucket/out/${line}.json` },
    },
    labelAttribute: 'job',
    confidence,
    labels: { sentiment: { label: 'pos' } },
    fieldConfidences: { sentiment: confidence },
    flags,
  };
}

function collector(): { writer: OutputWriter; lines: () => Record<string, unknown>[]; chunks: string[] } {
  const chunks: string[] = [];
  const writer: OutputWriter = { write: async (chunk) => void chunks.push(chunk), finish: async () => {}, commit: async () => {}, abort: async () => {} };
  const lines = () => chunks.join('').split('\n').filter(Boolean).map((text) => JSON.parse(text) as Record<string, unknown>);
  return { writer, lines, chunks };
}

async function review(options: ReviewOptions, candidates: ReviewCandidate[]) {
  const queue = new ReviewQueue({ tempDirectory: temp, ...options });
  for (const each of candidates) await queue.add(each);
  const { writer, lines } = collector();
  const counts = await queue.write(writer);
  return { counts, lines: lines(), key: (line: Record<string, unknown>) => line.consolidated as Record<string, unknown> };
}

describe('ReviewQueue: selection and order', () => {
  it('share: the ⌈share · n⌉ least confident, ascending, equal confidences by line', async () => {
    const confidences = [0.9, 0.5, 0.7, 0.5, 0.95, 0.3, 0.8, 0.99];
    const { lines, key, counts } = await review({ share: 0.3 }, confidences.map((c, i) => candidate(i + 1, c)));
    // ⌈0.3 · 8⌉ = 3: 0.3 (line 6), then the two 0.5s in line order (2, 4); 0.7 is out.
    expect(lines.map((line) => key(line).line)).toEqual([6, 2, 4]);
    expect(lines.map((line) => key(line).confidence)).toEqual([0.3, 0.5, 0.5]);
    expect(counts).toMatchObject({ objects: 8, written: 3, reasons: { 'low-confidence': 3, tie: 0 } });
  });

  it('a tie at the cut-off goes to the earlier lines, whatever order the objects arrive in', async () => {
    const arriving = [candidate(9, 0.5), candidate(1, 0.6), candidate(3, 0.5), candidate(2, 0.7), candidate(4, 0.5)];
    const { lines, key } = await review({ share: 0.4 }, arriving);
    expect(lines.map((line) => key(line).line)).toEqual([3, 4]);
  });

  it('threshold: strictly below it only', async () => {
    const { lines, key } = await review({ threshold: 0.5 }, [candidate(1, 0.49), candidate(2, 0.5), candidate(3, 0.1), candidate(4, 0.51)]);
    expect(lines.map((line) => key(line).line)).toEqual([3, 1]);
  });

  it('ties, unresolved fields and gold disagreements are always written, in confidence order, with their reasons', async () => {
    const { lines, key, counts } = await review({ share: 0.25 }, [
      candidate(1, 0.99, { 'gold-disagreement': ['sentiment'] }),
      candidate(2, 0.2),
      candidate(3, 0.6, { tie: ['sentiment', 'topic'] }),
      candidate(4, 0.9),
      candidate(5, 0.1, { unresolved: ['topic'] }),
      candidate(6, 0.95, { tie: [] }),
      candidate(7, 0.8),
      candidate(8, 0.7),
    ]);
    expect(lines.map((line) => [key(line).line, key(line).reasons])).toEqual([
      [5, ['low-confidence', 'unresolved:topic']],
      [2, ['low-confidence']],
      [3, ['tie:sentiment', 'tie:topic']],
      [1, ['gold-disagreement:sentiment']],
    ]);
    expect(counts).toEqual({
      objects: 8, written: 4, withoutSource: 0, replacedKey: 0,
      reasons: { 'low-confidence': 2, tie: 1, unresolved: 1, 'gold-disagreement': 1 },
    });
  });

  it('without share or threshold, only flagged objects; nothing flagged writes nothing and spills nothing', async () => {
    const queue = new ReviewQueue({ tempDirectory: temp });
    for (let line = 1; line <= 5; line += 1) await queue.add(candidate(line, line / 10));
    expect(await readdir(temp)).toEqual([]);
    const { writer, chunks } = collector();
    expect(await queue.write(writer)).toMatchObject({ objects: 5, written: 0 });
    expect(chunks).toEqual([]);
  });

  it('10,000 objects, share 10%: exactly the 1,000 lowest, sorted, across several write batches; the spill is removed', async () => {
    const random = seededRandom(7);
    const confidences = Array.from({ length: 10_000 }, () => Math.round(random() * 1000) / 1000);
    const { lines, key, counts } = await review({ share: 0.1 }, confidences.map((c, i) => candidate(i + 1, c)));
    const expected = confidences.map((c, i) => ({ c, line: i + 1 })).sort((a, b) => a.c - b.c || a.line - b.line).slice(0, 1000);
    expect(lines.map((line) => key(line).line)).toEqual(expected.map(({ line }) => line));
    expect(counts.written).toBe(1000);
    expect(await readdir(temp)).toEqual([]);
  });
});

describe('ReviewQueue: the written lines are Ground Truth input-manifest lines', () => {
  it('keeps source-ref, data fields and earlier jobs\' labels; drops this job\'s label and metadata; adds the key', async () => {
    const { lines } = await review({ share: 1 }, [candidate(4, 0.4, { tie: ['sentiment'] })]);
    expect(lines).toEqual([{
      'source-ref': 's3://bucket/images/4.jpg',
      hint: 'object 4',
      earlier: { boxes: [] },
      'earlier-metadata': { 'job-name': 'earlier' },
      consolidated: {
        labelAttribute: 'job', labels: { sentiment: { label: 'pos' } }, confidence: 0.4, fieldConfidences: { sentiment: 0.4 },
        reasons: ['low-confidence', 'tie:sentiment'], line: 4,
      },
    }]);
  });

  it('every line is one JSON object with source or source-ref and no label-attribute keys; others are counted, not written', async () => {
    const inline = { ...candidate(2, 0.2), json: { source: 'some text', job: {}, 'job-metadata': {} } };
    const noSource = { ...candidate(3, 0.1), json: { text: 'no source', job: {}, 'job-metadata': {} } };
    const { chunks, writer } = collector();
    const queue = new ReviewQueue({ share: 1, tempDirectory: temp });
    for (const each of [candidate(1, 0.3), inline, noSource]) await queue.add(each);
    const counts = await queue.write(writer);
    const texts = chunks.join('').split('\n');
    expect(texts.pop()).toBe('');
    for (const text of texts) {
      const line = JSON.parse(text) as Record<string, unknown>;
      expect(typeof line.source === 'string' || typeof line['source-ref'] === 'string').toBe(true);
      expect(Object.keys(line).filter((name) => name === 'job' || name.endsWith('job-metadata'))).toEqual([]);
    }
    expect(texts).toHaveLength(2);
    expect(counts).toMatchObject({ objects: 3, written: 2, withoutSource: 1 });
  });

  it('a data field named like the key is replaced and counted; the key can be renamed', async () => {
    const clash = { ...candidate(1, 0.1), json: { ...candidate(1, 0.1).json, consolidated: 'mine' } };
    const replaced = await review({ share: 1 }, [clash]);
    expect(replaced.counts.replacedKey).toBe(1);
    const renamed = await review({ share: 1, key: 'previous' }, [clash]);
    expect(renamed.lines[0]).toMatchObject({ consolidated: 'mine', previous: { line: 1 } });
    expect(renamed.counts.replacedKey).toBe(0);
  });

  it('writes no __proto__ key at any depth and pollutes no prototype', async () => {
    const json = JSON.parse('{"source":"x","__proto__":{"polluted":true},"meta":{"__proto__":{"polluted":true},"ok":1},"job":{},"job-metadata":{}}') as Record<string, unknown>;
    const labels = JSON.parse('{"sentiment":{"label":"pos","__proto__":{"polluted":true}}}') as Record<string, unknown>;
    const { chunks, writer } = collector();
    const queue = new ReviewQueue({ share: 1, tempDirectory: temp });
    await queue.add({ ...candidate(1, 0.5), json, labels });
    await queue.write(writer);
    const text = chunks.join('');
    expect(text).not.toContain('__proto__');
    expect(JSON.parse(text)).toMatchObject({ source: 'x', meta: { ok: 1 }, consolidated: { labels: { sentiment: { label: 'pos' } } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ReviewQueue: options and lifetime', () => {
  it('refuses a share outside (0, 1], a threshold outside [0, 1], an unwritable key, a non-finite confidence', async () => {
    for (const options of [{ share: 0 }, { share: 1.5 }, { share: Number.NaN }, { threshold: -0.1 }, { threshold: 2 }, { key: '' }, { key: '__proto__' }]) {
      expect(() => new ReviewQueue(options), JSON.stringify(options)).toThrow(RangeError);
    }
    await expect(new ReviewQueue({ share: 0.1 }).add(candidate(1, Number.NaN))).rejects.toThrow(/line 1/);
  });

  it('overlapping adds share one spill and every line reads back whole', async () => {
    const queue = new ReviewQueue({ share: 1, tempDirectory: temp });
    await Promise.all([0.3, 0.1, 0.2].map((confidence, i) => queue.add(candidate(i + 1, confidence))));
    expect(await readdir(temp)).toHaveLength(1);
    const { writer, lines } = collector();
    await queue.write(writer);
    expect(lines().map((line) => (line.consolidated as { line: number }).line)).toEqual([2, 3, 1]);
  });

  it('discard removes the spill without writing', async () => {
    const queue = new ReviewQueue({ share: 0.5, tempDirectory: temp });
    await queue.add(candidate(1, 0.5));
    expect(await readdir(temp)).toHaveLength(1);
    await queue.discard();
    await queue.discard();
    expect(await readdir(temp)).toEqual([]);
  });

  it('discard while a spill write is still in flight raises nothing', async () => {
    // A destroyed file stream fails its pending write; unheard, that error ended a CI run as an uncaught exception.
    for (let round = 0; round < 20; round += 1) {
      const queue = new ReviewQueue({ share: 0.5, tempDirectory: temp });
      await queue.add(candidate(1, 0.5));
      await queue.discard();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await readdir(temp)).toEqual([]);
  });
});

describe('reviewCandidateOf: flags from the decide stage', () => {
  const prepared = (line: number, key: string, votes: string[]): PreparedObject => ({
    type: 'object', line, labelAttribute: 'job', workers: [],
    json: { source: key, job: {}, 'job-metadata': { 'job-name': 'job' } },
    fields: new Map([['sentiment', { answers: byWorkers(votes.map(classifier)), unknown: [] }]]),
    duplicates: 0,
    sideKeys: [],
  });
  const decide = (setting: Record<string, unknown>, gold?: GoldLabels) => {
    const planner = new FieldPlanner({ sentiment: { strategy: 'majority-vote', ...setting } }, () => {});
    const schema = new FieldSchemaBuilder();
    schema.observe(prepared(0, 'x', ['pos', 'neg']).fields, 2);
    planner.adopt(schema.resolve());
    const decider = new ObjectDecider({ planner, random: () => 0, summary: emptySummary('in', 'out', 'rejects'), workers: new WorkerStats(false), gold });
    return (object: PreparedObject) => reviewCandidateOf(decider.decide(object), gold);
  };

  it('reads labels, the object\'s and each field\'s confidence, a broken tie and a gold disagreement', () => {
    const gold = new GoldLabels(new Map([['a', 'neg'], ['b', 'pos']]), undefined, undefined);
    const of = decide({ tie: 'lowest' }, gold);
    const disagreeing = of(prepared(1, 'a', ['pos', 'pos', 'neg']));
    expect(disagreeing).toMatchObject({ line: 1, labelAttribute: 'job', labels: { sentiment: { label: 'pos' } }, flags: { 'gold-disagreement': ['sentiment'] } });
    expect(disagreeing.confidence).toBeCloseTo(2 / 3, 12);
    expect(disagreeing.fieldConfidences.sentiment).toBeCloseTo(2 / 3, 12);
    // The 1–1 tie goes to the smallest label, `neg`; object c has no gold.
    expect(of(prepared(2, 'c', ['pos', 'neg'])).flags).toEqual({ tie: ['sentiment'] });
    expect(of(prepared(3, 'b', ['pos', 'pos'])).flags).toEqual({});
  });

  it('an unresolved tie is flagged as both', () => {
    const of = decide({ tie: 'none' });
    const unresolved = of(prepared(1, 'a', ['pos', 'neg']));
    expect(unresolved.flags).toEqual({ tie: ['sentiment'], unresolved: ['sentiment'] });
    expect(unresolved.labels).toEqual({});
  });
});
