import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { largestDifference, numpyMissing, startNumpyFit, syntheticAnswerTable } from '../../../bench/parts/fit.js';
import { fitDawidSkene } from '../../../strategies/dawid-skene.js';

const missing = numpyMissing();

describe('bench/ds_numpy.py, the bench\'s numpy baseline', () => {
  it.skipIf(missing)(`fits the same posteriors as fitDawidSkene${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const answers = syntheticAnswerTable();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ds-numpy-'));
    try {
      const numpy = await startNumpyFit(answers, 100, dir);
      await numpy.fit();
      const difference = largestDifference(await numpy.finish(), fitDawidSkene(answers, { maxIterations: 100, tol: 0 }).posteriors);
      expect(difference).toBeLessThanOrEqual(1e-9);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
