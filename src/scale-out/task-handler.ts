/**
 * One entry point for the engines that run a sharded job: a Step Functions task (a Lambda function, or an ECS task's
 * command) and an AWS Batch array job call the same four steps through it. The event:
 *
 *   {"step": "shard" | "fit" | "decide" | "merge",
 *    "index": 3,                      // shard and decide only: 0 ≤ index < count
 *    "count": 8,                      // the number of shards, the same for every step of a job
 *    "job": {"manifest": "s3://bucket/job/manifests/output/output.manifest",
 *            "work": "s3://bucket/consolidation/work/",     // the steps' parts (see parts.ts)
 *            "out": "s3://bucket/consolidation/output.manifest",
 *            "config": "s3://bucket/consolidation/config.yaml",   // optional: a config file, as `--config`
 *            …any other `ConsolidateOptions` that are JSON: rejects, summary, workersReport, review, fields, schema,
 *            seed, labelAttribute, preferences, mirrors, allowRefPrefixes, gold, goldKey, goldField, unknownAnswers,
 *            concurrency, workers, maxResponseBytes, reviewShare, reviewBelow, s3 (region, endpoint, …)}}
 *
 * and the result, counts only (a Map state's results stay small, whatever the job's size):
 *
 *   shard  {"step": "shard", "index": 3, "count": 8, "lines": 12500, "objects": 12480}
 *   fit    {"step": "fit", "count": 8, "lines": 100000, "objects": 99840, "fitted": ["category"]}
 *   decide {"step": "decide", "index": 3, "count": 8, "lines": 12500, "consolidated": 12470, "rejected": 10}
 *   merge  {"step": "merge", "count": 8, "lines": {"read": …, "consolidated": …, "failedInJob": …, "rejected": …,
 *           "blank": …}, "output": "s3://…/output.manifest"}
 *
 * A Step Functions Map state drives shard and decide over a list of descriptors `[{"index": 0}, …]` with `count` and
 * `job` in its `ItemSelector`; fit and merge are single tasks. An AWS Batch array job passes index and count in the
 * environment instead (`AWS_BATCH_JOB_ARRAY_INDEX` and `AWS_BATCH_JOB_ARRAY_SIZE`, both set by Batch
 * in every array child; see `indexFromEnvironment`). Every step is idempotent: a retried one overwrites its own parts. A bad event or job throws
 * a `UsageError` (a retry cannot fix it), before anything is read.
 */
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { JobIO } from '../io/job-io.js';
import { decide } from './decide.js';
import { fit } from './fit.js';
import { withJobIO, type ScaleOutJob } from './job.js';
import { merge } from './merge.js';
import { shard } from './shard.js';

const configMaxBytes = 1024 * 1024;

const taskEvent = z.strictObject({
  step: z.enum(['shard', 'fit', 'decide', 'merge']),
  index: z.int().min(0).optional(),
  count: z.int().min(1),
  job: z.looseObject({ manifest: z.string().min(1), work: z.string().min(1), out: z.string().min(1), config: z.string().optional() }),
});
export type TaskEvent = z.infer<typeof taskEvent>;

export type TaskResult = { step: TaskEvent['step']; index?: number; count: number } & Record<string, unknown>;

/** Runs the event's step; `io` is the caller's (tests, a warm Lambda's), else one of the step's own. */
export async function handleTask(event: unknown, io?: JobIO): Promise<TaskResult> {
  const parsed = taskEvent.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`the task event is not valid at ${issue.path.join('.') || 'its top'}: ${issue.message}`);
  }
  const { step, index, count } = parsed.data;
  if ((step === 'shard' || step === 'decide') && index === undefined) throw new UsageError(`a ${step} task needs "index"`);
  return withJobIO(parsed.data.job as unknown as ScaleOutJob, io, async (io) => runStep(step, index, count, await jobOf(parsed.data.job, io), io));
}

async function runStep(step: TaskEvent['step'], index: number | undefined, count: number, job: ScaleOutJob, io: JobIO): Promise<TaskResult> {
  switch (step) {
    case 'shard': {
      const { lines, objects } = await shard(job, { index: index!, count }, io);
      return { step, index, count, lines, objects };
    }
    case 'fit':
      return { step, ...(await fit(job, { count }, io)), count };
    case 'decide': {
      const { lines, consolidated, rejected } = await decide(job, { index: index!, count }, io);
      return { step, index, count, lines, consolidated, rejected };
    }
    case 'merge': {
      const summary = await merge(job, { count }, io);
      return { step, count, lines: summary.lines, output: summary.output };
    }
  }
}

/** The job's options: the config file's (if named; a path or `s3://`) under the event's own. */
async function jobOf({ config, ...options }: TaskEvent['job'], io: JobIO): Promise<ScaleOutJob> {
  if (config === undefined) return options as unknown as ScaleOutJob;
  const loaded = await loadConfig(config, async (file) => (await io.storageFor(file).readAll(file, configMaxBytes)).toString('utf8'));
  const { fields, groups, keyPatterns, ...rest } = loaded as Record<string, unknown> & { fields?: object; groups?: unknown; keyPatterns?: unknown };
  return {
    ...rest,
    schema: { groups, keyPatterns },
    ...options,
    fields: { ...fields, ...(options.fields as object | undefined) },
  } as unknown as ScaleOutJob;
}

/**
 * An AWS Batch array child's shard: `AWS_BATCH_JOB_ARRAY_INDEX` and `AWS_BATCH_JOB_ARRAY_SIZE`, which Batch sets in
 * every array child (AWS Batch user guide, "job environment variables"). Missing or not a number: a `UsageError` naming
 * the variable.
 */
export function indexFromEnvironment(environment: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  const read = (name: string) => {
    const value = environment[name];
    if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${name} is ${value === undefined ? 'not set' : `"${value}"`}: --index-from-env runs in an AWS Batch array job, which sets it`);
    return Number(value);
  };
  return { index: read('AWS_BATCH_JOB_ARRAY_INDEX'), count: read('AWS_BATCH_JOB_ARRAY_SIZE') };
}

/** The Lambda entry point: `handler` in the function's configuration. */
export const handler = (event: unknown): Promise<TaskResult> => handleTask(event);
