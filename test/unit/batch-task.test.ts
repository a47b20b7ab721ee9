/** `gt-consolidate-task`'s event from a Batch job's environment, and its exit codes. */
import { describe, expect, it } from 'vitest';
import { batchTaskEvent, runBatchTask } from '../../src/scale-out/batch-task.js';

const job = { manifest: 's3://labels/job/manifests/output/output.manifest', work: 's3://labels/work/', out: 's3://labels/out/output.manifest' };
const step = (name: string, extra: Record<string, string> = {}) => ({ GT_CONSOLIDATE_STEP: name, GT_CONSOLIDATE_COUNT: '4', GT_CONSOLIDATE_JOB: JSON.stringify(job), ...extra });
const child = (index: number, size = 4) => ({ AWS_BATCH_JOB_ARRAY_INDEX: String(index), AWS_BATCH_JOB_ARRAY_SIZE: String(size) });

describe('batchTaskEvent', () => {
  it('takes an array child\'s shard from Batch, and a single job\'s count from the state machine', () => {
    expect(batchTaskEvent(step('shard', child(2)))).toEqual({ step: 'shard', index: 2, count: 4, job });
    expect(batchTaskEvent(step('decide', child(0)))).toEqual({ step: 'decide', index: 0, count: 4, job });
    expect(batchTaskEvent(step('fit'))).toEqual({ step: 'fit', count: 4, job });
    expect(batchTaskEvent(step('merge', child(1)))).toEqual({ step: 'merge', count: 4, job });
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['no step', { ...step('fit'), GT_CONSOLIDATE_STEP: undefined }, /GT_CONSOLIDATE_STEP, GT_CONSOLIDATE_COUNT and GT_CONSOLIDATE_JOB must be set/],
    ['a count that is no number', step('fit', { GT_CONSOLIDATE_COUNT: 'four' }), /GT_CONSOLIDATE_COUNT is "four"/],
    ['a job that is no JSON', step('fit', { GT_CONSOLIDATE_JOB: '{manifest' }), /GT_CONSOLIDATE_JOB is not valid JSON/],
    ['a shard outside an array job', step('shard'), /AWS_BATCH_JOB_ARRAY_INDEX is not set/],
    ['an array of another size', step('decide', child(1, 3)), /the array job has 3 children but GT_CONSOLIDATE_COUNT is 4/],
  ])('refuses %s', (_, environment, message) => {
    expect(() => batchTaskEvent(environment)).toThrow(message);
  });
});

describe('runBatchTask', () => {
  it('exits 2 with one line for a misconfiguration (the job definition does not retry it)', async () => {
    const stderr: string[] = [];
    const code = await runBatchTask(step('shard'), process.stdout, { write: (line: string) => stderr.push(line) } as never);
    expect(code).toBe(2);
    expect(stderr).toEqual([expect.stringMatching(/^gt-consolidate-task: AWS_BATCH_JOB_ARRAY_INDEX is not set[^\n]*\n$/)]);
  });

  it('exits 2 for an event the task handler refuses', async () => {
    const stderr: string[] = [];
    expect(await runBatchTask(step('sort'), process.stdout, { write: (line: string) => stderr.push(line) } as never)).toBe(2);
    expect(stderr[0]).toMatch(/the task event is not valid at step/);
  });
});
