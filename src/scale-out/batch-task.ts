/**
 * Every step of a sharded run on AWS Batch (`ScaleOutBatch`, `infra/scale-out.ts`) runs one container command,
 * `gt-consolidate-task`, which builds the task handler's event from the environment the state machine gives each job:
 *
 *   GT_CONSOLIDATE_STEP   shard | fit | decide | merge
 *   GT_CONSOLIDATE_COUNT  the number of shards
 *   GT_CONSOLIDATE_JOB    the job, as JSON (the task handler's `job`)
 *
 * and, in a child of an array job (shard, decide), the shard Batch gives it: `AWS_BATCH_JOB_ARRAY_INDEX` and
 * `AWS_BATCH_JOB_ARRAY_SIZE` (Batch sets both; its variables cannot be overridden). The step's result is printed as one
 * JSON line. A misconfiguration exits 2 with one line, which the job definition does not retry; any other failure
 * exits 1 and is retried (the steps are idempotent).
 */
import { UsageError } from '../errors.js';
import { handleTask, indexFromEnvironment, type TaskResult } from './task-handler.js';

const perShardSteps = new Set(['shard', 'decide']);

/** The task handler's event from the environment of a Batch job; a missing or malformed variable is a `UsageError`. */
export function batchTaskEvent(environment: NodeJS.ProcessEnv): { step: string; index?: number; count: number; job: unknown } {
  const { GT_CONSOLIDATE_STEP: step, GT_CONSOLIDATE_COUNT: countText, GT_CONSOLIDATE_JOB: jobText } = environment;
  if (step === undefined || countText === undefined || jobText === undefined) {
    throw new UsageError('GT_CONSOLIDATE_STEP, GT_CONSOLIDATE_COUNT and GT_CONSOLIDATE_JOB must be set: gt-consolidate-task runs as a step of ScaleOutBatch');
  }
  if (!/^\d+$/.test(countText)) throw new UsageError(`GT_CONSOLIDATE_COUNT is "${countText}": expected the number of shards`);
  const count = Number(countText);
  let job: unknown;
  try {
    job = JSON.parse(jobText);
  } catch (error) {
    throw new UsageError(`GT_CONSOLIDATE_JOB is not valid JSON: ${(error as Error).message}`);
  }
  if (!perShardSteps.has(step)) return { step, count, job };
  const shard = indexFromEnvironment(environment);
  if (shard.count !== count) throw new UsageError(`the array job has ${shard.count} children but GT_CONSOLIDATE_COUNT is ${count}: submit it with the array size the count`);
  return { step, index: shard.index, count, job };
}

/** Runs the step the environment names; returns the exit code. */
export async function runBatchTask(environment: NodeJS.ProcessEnv, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  let result: TaskResult;
  try {
    result = await handleTask(batchTaskEvent(environment));
  } catch (error) {
    stderr.write(`gt-consolidate-task: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
