/**
 * The review queue of each sample job is a valid Ground Truth input manifest (ground-truth-formats.md §1: one JSON
 * object per line with `source` or `source-ref`), holds no output-manifest keys of this job, and lists the objects
 * least confident first, so it can start a follow-up labeling job as it is.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidate, loadConfig } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const samples = path.resolve(import.meta.dirname, '../../sample-output');
const jobs = ['support-ticket-sentiment', 'multimodal-content-eval', 'text-ranking-preferences'];

describe('review queue of each sample job', () => {
  it.each(jobs)('%s', async (job) => {
    const dir = await tempDir();
    const config = await loadConfig(path.join(samples, `${job}.config.yaml`));
    const review = path.join(dir, 'review.manifest');
    const summary = await consolidate({
      manifest: path.join(samples, job, 'manifests/output/output.manifest'),
      out: path.join(dir, 'output.manifest'), review, reviewShare: 0.25, fields: config.fields, preferences: config.preferences,
    });
    const lines = (await readFile(review, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.length).toBe(summary.review!.written);
    // Objects whose `source` is not text (the ranking job's two conversations) cannot be input lines: counted apart.
    expect(lines.length + summary.review!.withoutSource).toBeGreaterThanOrEqual(Math.ceil(0.25 * summary.lines.consolidated));
    for (const line of lines) {
      expect(typeof line.source === 'string' || typeof line['source-ref'] === 'string').toBe(true);
      expect(Object.keys(line).filter((key) => key === job || key === `${job}-metadata`)).toEqual([]);
      expect(line.consolidated).toMatchObject({ labelAttribute: job, confidence: expect.any(Number), reasons: expect.any(Array) });
    }
    const confidences = lines.map((line) => line.consolidated.confidence as number);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
  });
});
