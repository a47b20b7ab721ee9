/**
 * Issue 12: on each bundled crowd dataset, a review queue of the 10% least confident objects under hierarchical-ds
 * holds more of its errors than a random 10% would (10% of them). The queue is the real one (`ReviewQueue`, share 0.1),
 * fed every gold task as a manifest line; the errors are counted in what it writes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputWriter } from '../../src/io/storage.js';
import { ReviewQueue } from '../../src/report/review.js';
import { reviewShare } from '../../src/stats/calibration.js';
import { loadBluebirds, loadDSentiment, loadSnowRte, type CrowdDataset } from '../helpers/crowd-datasets.js';
import { decideTasks, scoreStrategy } from './strategies/score-strategies.js';

interface ReviewedErrors {
  objects: number;
  errors: number;
  /** Errors among the lines the queue wrote. */
  reviewedErrors: number;
  /** reviewedErrors / errors: a random queue of the same size would hold `share` of them. */
  errorShare: number;
}

/** Runs `strategy` on the dataset, queues its least confident `share`, and counts the errors the queue caught. */
async function reviewedErrors(dataset: CrowdDataset, strategy: string, tempDirectory: string, share = reviewShare): Promise<ReviewedErrors> {
  const { decided } = decideTasks(dataset, strategy);
  const queue = new ReviewQueue({ share, tempDirectory });
  for (const [index, { task, decision }] of decided.entries()) {
    await queue.add({
      line: index + 1, json: { source: task, job: {}, 'job-metadata': {} }, labelAttribute: 'job',
      confidence: decision.confidence, labels: { label: decision.value }, fieldConfidences: { label: decision.confidence }, flags: {},
    });
  }
  const written: string[] = [];
  const writer: OutputWriter = { write: async (chunk) => void written.push(chunk), finish: async () => {}, commit: async () => {}, abort: async () => {} };
  await queue.write(writer);
  const wrong = new Set(decided.filter(({ gold, decision }) => decision.value !== gold).map(({ task }) => task));
  const queued = written.join('').split('\n').filter(Boolean).map((text) => (JSON.parse(text) as { source: string }).source);
  const reviewed = queued.filter((task) => wrong.has(task)).length;
  return { objects: decided.length, errors: wrong.size, reviewedErrors: reviewed, errorShare: reviewed / wrong.size };
}

describe('review queue on the bundled crowd datasets (hierarchical-ds, lowest 10%)', () => {
  const datasetsDir = path.resolve(import.meta.dirname, '../fixtures/datasets');
  const loaders = { d_sentiment: loadDSentiment, snow2008_rte: loadSnowRte, d_Duck_Identification: loadBluebirds };
  const datasets = new Map<string, CrowdDataset>();
  let temp: string;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'review-datasets-'));
    for (const [name, load] of Object.entries(loaders)) datasets.set(name, await load(datasetsDir));
  });
  afterAll(() => rm(temp, { recursive: true, force: true }));

  it.each(Object.keys(loaders))('%s: the queue holds more than a tenth of the errors, the share calibration.ts reports', async (name) => {
    const dataset = datasets.get(name)!;
    const result = await reviewedErrors(dataset, 'hierarchical-ds', temp);
    console.log(`${name}: ${result.reviewedErrors}/${result.errors} errors in the lowest 10% of ${result.objects} = ${result.errorShare.toFixed(4)}`);
    expect(result.errorShare).toBeGreaterThan(reviewShare);
    // The queue ranks as the calibration report does (confidence, then order): the same share.
    expect(result.errorShare).toBe(scoreStrategy(dataset, 'hierarchical-ds').lowConfidenceErrorShare);
  });
});
