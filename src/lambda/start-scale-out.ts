/**
 * Large jobs from the job-completion trigger: a Lambda has 15 minutes, so a job with more objects than
 * `aboveObjects` is not consolidated in the trigger's Lambda but handed to a sharded run, an execution of the
 * `ScaleOutStateMachine` (steps on Lambda) or `ScaleOutBatch` (the CLI's task command on AWS Batch, Fargate) state
 * machine of `infra/scale-out.ts`, started with the input both take:
 *
 *   {"count": ⌈objects / objectsPerShard⌉ (2 to 1,000), "job": {manifest, out, work, labelAttribute, fields, allowRefPrefixes}}
 *
 * The number of objects is DescribeLabelingJob's `LabelCounters` (labeled + failed + unlabeled: one manifest line
 * each). The execution is named after the job, and its input is a function of the job and the settings, so a
 * repeated delivery of the event is idempotent: Step Functions answers a StartExecution of a running execution's name
 * and input with that execution, and a closed one's with `ExecutionAlreadyExists` (names are kept 90 days).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { FieldSetting } from '../config/field-setting.js';
import { UsageError } from '../errors.js';
import { parseS3Uri } from '../io/s3/s3-uri.js';

export interface ScaleOutTrigger {
  /** The state machine to start: `ScaleOutStateMachine` or `ScaleOutBatch` (`infra/scale-out.ts`). */
  stateMachineArn: string;
  /** Jobs with more objects than this are scaled out; smaller ones run in the trigger's Lambda. */
  aboveObjects: number;
  /** Objects per shard: the execution gets ⌈objects / objectsPerShard⌉ shards (at least 2, at most 1,000). */
  objectsPerShard: number;
  /** `s3://` prefix of the sharded runs' work folders: `<work><job name>/`. */
  work: string;
  /** `s3://` prefix of their outputs: `<output><job name>/output.manifest`. */
  output: string;
}

export const scaleOutDefaults = { aboveObjects: 300_000, objectsPerShard: 200_000 } as const;

// The engines' limits: Batch arrays have at least 2 children, States.ArrayRange makes at most 1,000 items.
const minShards = 2;
const maxShards = 1000;
const stateMachineArnPattern = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** The settings checked when the handler is made: a misconfiguration names its variable before any event. */
export function checkScaleOutTrigger(settings: ScaleOutTrigger): ScaleOutTrigger {
  if (!stateMachineArnPattern.test(settings.stateMachineArn)) {
    throw new UsageError(`GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE "${settings.stateMachineArn}" is not a state machine ARN `
      + '(arn:aws:states:<region>:<account>:stateMachine:<name>): give the ARN of the ScaleOut state machine');
  }
  for (const [name, value] of [['ABOVE', settings.aboveObjects], ['OBJECTS_PER_SHARD', settings.objectsPerShard]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`GT_CONSOLIDATE_SCALE_OUT_${name} must be a whole number of objects ≥ 1, not ${value}`);
  }
  for (const [name, prefix] of [['WORK', settings.work], ['OUTPUT', settings.output]] as const) {
    if (!parseS3Uri(prefix) || !prefix.endsWith('/')) throw new UsageError(`GT_CONSOLIDATE_SCALE_OUT_${name} "${prefix}" must be an s3://bucket/prefix/ ending in "/"`);
  }
  return settings;
}

/** `GT_CONSOLIDATE_SCALE_OUT_*` from the environment, or nothing when no state machine is named. */
export function scaleOutFromEnvironment(env: NodeJS.ProcessEnv): ScaleOutTrigger | undefined {
  const stateMachineArn = env.GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE;
  if (!stateMachineArn) return undefined;
  const { GT_CONSOLIDATE_SCALE_OUT_WORK: work, GT_CONSOLIDATE_SCALE_OUT_OUTPUT: output } = env;
  if (!work || !output) throw new UsageError('GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE needs GT_CONSOLIDATE_SCALE_OUT_WORK and GT_CONSOLIDATE_SCALE_OUT_OUTPUT (s3:// prefixes)');
  const count = (value: string | undefined, fallback: number) => (value === undefined || value === '' ? fallback : Number(value));
  return {
    stateMachineArn, work, output,
    aboveObjects: count(env.GT_CONSOLIDATE_SCALE_OUT_ABOVE, scaleOutDefaults.aboveObjects),
    objectsPerShard: count(env.GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD, scaleOutDefaults.objectsPerShard),
  };
}

/** The manifest lines of a job from DescribeLabelingJob's `LabelCounters` (another service's data: checked). */
export function objectCount(counters: Record<string, unknown> | undefined, jobArn: string): number {
  const counts = ['TotalLabeled', 'FailedNonRetryableError', 'Unlabeled'].map((name) => counters?.[name] ?? 0);
  if (!counts.every((count) => Number.isSafeInteger(count) && (count as number) >= 0)) {
    throw new Error(`DescribeLabelingJob gives ${jobArn} LabelCounters that are not counts: ${JSON.stringify(counters)?.slice(0, 200)}`);
  }
  return (counts as number[]).reduce((sum, count) => sum + count, 0);
}

export interface ScaledOutJob {
  name: string;
  manifest: string;
  labelAttribute: string;
  objects: number;
}

export interface ScaleOutStart {
  executionArn: string;
  /** False when the execution had already run (a repeated delivery after it closed). */
  started: boolean;
  count: number;
  output: string;
}

/** Starts (or finds) the job's sharded run. */
export async function startScaleOut(
  job: ScaledOutJob, trigger: ScaleOutTrigger, settings: { fields?: Readonly<Record<string, FieldSetting | string>>; allowedPrefixes?: readonly string[] },
  client?: SFNClient,
): Promise<ScaleOutStart> {
  const { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } = await import('@aws-sdk/client-sfn');
  const count = Math.min(maxShards, Math.max(minShards, Math.ceil(job.objects / trigger.objectsPerShard)));
  const output = `${trigger.output}${job.name}/output.manifest`;
  const input = {
    count,
    job: {
      manifest: job.manifest, out: output, work: `${trigger.work}${job.name}/`, labelAttribute: job.labelAttribute,
      ...(settings.fields && { fields: settings.fields }),
      ...(settings.allowedPrefixes && { allowRefPrefixes: settings.allowedPrefixes }),
    },
  };
  const name = `gt-consolidate-${job.name}`;
  const sfn = client ?? new SFNClient({ region: stateMachineArnPattern.exec(trigger.stateMachineArn)![1] });
  try {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: trigger.stateMachineArn, name, input: JSON.stringify(input) }));
    return { executionArn: executionArn!, started: true, count, output };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    // The ARN of an execution is its state machine's with `execution` for `stateMachine` and its name appended.
    return { executionArn: `${trigger.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, started: false, count, output };
  } finally {
    if (!client) sfn.destroy();
  }
}
