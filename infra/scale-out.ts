/**
 * A sharded run (`src/scale-out/`) on AWS engines: the same four steps, each given `{step, index?, count, job}`:
 *
 *   shard (one per shard index) → fit (once) → decide (one per shard index) → merge (once)
 *
 * Both engines are started with `{"count": N, "job": {manifest, out, work, fields, …}}` (the job as the library's
 * `ScaleOutJob`).
 *
 * `ScaleOutStateMachine` runs the steps as Lambda invocations of the scale-out task handler:
 *
 *   Shards (Pass: [0, …, count-1]) → Shard (Distributed Map) → Fit (Task) → Decide (Distributed Map) → Merge (Task)
 *
 * Each Map runs over that small array of shard indexes (`ItemsPath`), never over the manifest (`ItemReader`): part
 * names, order and retries stay deterministic, and the same definition runs offline (aws-local-stepfunctions has no
 * ItemReader). Each Map's `MaxConcurrency` is bounded: the Shard Map's by S3's per-prefix GET rate (`defaultShardConcurrency`),
 * the Decide Map's by Lambda's concurrency; a failed shard fails the run (tolerated failures: 0, the default, which CDK
 * leaves out of the definition). The Maps' results are discarded: the parts and their markers are in the work folder,
 * and the results would only grow the state payload (256 KiB cap). Writing them to S3 with `resultWriterV2` instead
 * needs the feature flag `@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2: true` in `cdk.json`'s context:
 * without it CDK drops the result writer silently. `States.ArrayRange` makes at most 1,000 items, so an execution has
 * at most 1,000 shards; each step has Lambda's 15 minutes.
 *
 * `ScaleOutBatch` runs the same steps as AWS Batch jobs on Fargate (no time limit): shard and decide as array jobs of
 * `count` children (Batch gives each `AWS_BATCH_JOB_ARRAY_INDEX` and `AWS_BATCH_JOB_ARRAY_SIZE`), fit and merge as
 * single jobs, all with one container command, chained by a state machine that waits for each (`.sync`). Batch array
 * jobs have 2 to 10,000 children, so `count` ≥ 2 (one shard is a one-machine `run`).
 */
import { Duration, Size } from 'aws-cdk-lib';
import {
  Action, EcsFargateContainerDefinition, EcsJobDefinition, FargateComputeEnvironment, JobQueue, Reason, RetryStrategy,
} from 'aws-cdk-lib/aws-batch';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal, type PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  Chain, DefinitionBody, DistributedMap, JsonPath, Pass, StateMachine, TaskInput, type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import { BatchSubmitJob, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type * as taskHandlerModule from '../src/scale-out/task-handler.js';
import { handlerFunction } from './functions.js';
import { objectsUnder, s3Statements, type S3Place } from './s3-place.js';

export type Step = 'shard' | 'fit' | 'decide' | 'merge';

/** Where a sharded run reads and writes; the IAM of its steps is exactly this. */
export interface ScaleOutPlaces {
  /** The jobs' output (manifests and worker responses): read. */
  jobOutput: S3Place;
  /** The work folders of the runs (`job.work`): parts read and written. */
  work: S3Place;
  /** Where the merged manifest, rejects and summary go (`job.out`): written. */
  consolidatedOutput: S3Place;
  /** Other places worker responses may be read from. */
  allowedRefPrefixes?: S3Place[];
}

export function scaleOutS3Statements(places: ScaleOutPlaces): PolicyStatement[] {
  const allowed = places.allowedRefPrefixes ?? [];
  const work = objectsUnder(places.work, 'work');
  return s3Statements(
    [objectsUnder(places.jobOutput, 'jobOutput'), ...allowed.map((place) => objectsUnder(place, 'allowedRefPrefixes')), work],
    [work, objectsUnder(places.consolidatedOutput, 'consolidatedOutput')],
    [places.jobOutput, places.work, places.consolidatedOutput, ...allowed],
  );
}

/** The scale-out task handler, to run every step as a Lambda invocation (fit holds every answer table: give it memory). */
export function scaleOutTaskFunction(scope: Construct, id: string, props: ScaleOutPlaces & { memorySize?: number }): NodejsFunction {
  const fn = handlerFunction(scope, id, { entry: taskHandler.entry, handler: taskHandler.export, memorySize: props.memorySize ?? 4096 });
  for (const statement of scaleOutS3Statements(props)) fn.addToRolePolicy(statement);
  return fn;
}

export const taskHandler: { entry: string; export: keyof typeof taskHandlerModule } = { entry: 'src/scale-out/task-handler.ts', export: 'handler' };
/** S3's GET rate for one key prefix, the job's worker responses, until it partitions the prefix under sustained load. */
export const prefixGetsPerSecond = 5_500;
/** One shard's own fetch rate, at the low end: a process fetches 1,200–2,000 objects/s on 2 cores (`BENCHMARKS.md`), one vCPU less. */
export const shardFetchesPerSecond = 1_100;
/**
 * Shards fetching at once (5): as many as fill a fresh prefix. More gain nothing until S3 partitions it, and share its
 * rate: each shard's objects then take longer, toward Lambda's 15 minutes (100 shards at once would each fetch at 55/s).
 */
export const defaultShardConcurrency = Math.ceil(prefixGetsPerSecond / shardFetchesPerSecond);
/** Deciders at once: each reads one lines part and writes two parts, no worker responses; 100 of the account's 1,000 Lambdas. */
export const defaultDecideConcurrency = 100;
export const maxShardsPerExecution = 1_000;

export interface ScaleOutStateMachineProps {
  /** The scale-out task handler (`scaleOutTaskFunction`). */
  taskFunction: IFunction;
  /** Shards run at once by the Shard Map (default `defaultShardConcurrency`, 5); raise it once S3 serves the prefix faster. */
  shardConcurrency?: number;
  /** Shards run at once by the Decide Map (default 100). */
  decideConcurrency?: number;
  /** Default 24 hours. */
  timeout?: Duration;
}

export class ScaleOutStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ScaleOutStateMachineProps) {
    super(scope, id);
    const shardConcurrency = checkedConcurrency('shardConcurrency', props.shardConcurrency ?? defaultShardConcurrency);
    const decideConcurrency = checkedConcurrency('decideConcurrency', props.decideConcurrency ?? defaultDecideConcurrency);
    const invoke = (name: string, step: Step, perShard: boolean, resultPath?: string) => new LambdaInvoke(this, name, {
      lambdaFunction: props.taskFunction,
      payload: TaskInput.fromObject({
        step,
        ...(perShard && { index: JsonPath.numberAt('$.index') }),
        count: JsonPath.numberAt('$.count'),
        job: JsonPath.objectAt('$.job'),
      }),
      payloadResponseOnly: true,
      // Steps are idempotent (a retried step overwrites its own parts), so Lambda's own faults are retried.
      retryOnServiceExceptions: true,
      resultPath,
    });
    const perShard = (name: string, task: IChainable, maxConcurrency: number) => new DistributedMap(this, name, {
      itemsPath: '$.shards',
      itemSelector: { index: JsonPath.numberAt('$$.Map.Item.Value'), count: JsonPath.numberAt('$.count'), job: JsonPath.objectAt('$.job') },
      maxConcurrency,
      resultPath: JsonPath.DISCARD,
    }).itemProcessor(task);
    const definition = Chain.start(shardIndexes(this))
      .next(perShard('Shard', invoke('ShardTask', 'shard', true), shardConcurrency))
      .next(invoke('Fit', 'fit', false, JsonPath.DISCARD))
      .next(perShard('Decide', invoke('DecideTask', 'decide', true), decideConcurrency))
      .next(invoke('Merge', 'merge', false));
    this.stateMachine = new StateMachine(this, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(definition), timeout: props.timeout ?? Duration.hours(24) });
  }
}

/** A Map's `MaxConcurrency` as given: Distributed Map takes 1 to 10,000 (a misconfiguration stops the synthesis). */
function checkedConcurrency(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new Error(`${name} ${value}: give a whole number from 1 to 10,000`);
  return value;
}

/** `{count, job}` → `{count, job, shards: [0, …, count-1]}`, the items of the Maps. */
function shardIndexes(scope: Construct): Pass {
  return new Pass(scope, 'Shards', {
    parameters: { count: JsonPath.numberAt('$.count'), job: JsonPath.objectAt('$.job'), 'shards.$': 'States.ArrayRange(0, States.MathAdd($.count, -1), 1)' },
  });
}

/** The container command of every Batch step: the step and job come in the environment, the shard from Batch. */
export const batchTaskCommand = ['gt-consolidate-task'];

export interface ScaleOutBatchProps extends ScaleOutPlaces {
  vpc: IVpc;
  /** An image with gt-consolidate installed, `gt-consolidate-task` on its PATH (`npm install --global gt-consolidate`). */
  image: ContainerImage;
  /** vCPUs of the compute environment: shards run at once = maxvCpus / cpu (default 256 / 1 = 256). */
  maxvCpus?: number;
  /** Per container (default 1 vCPU, 4 GiB; fit holds every answer table). */
  cpu?: number;
  memory?: Size;
  /** Default 24 hours. */
  timeout?: Duration;
}

export class ScaleOutBatch extends Construct {
  readonly jobQueue: JobQueue;
  readonly jobDefinition: EcsJobDefinition;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ScaleOutBatchProps) {
    super(scope, id);
    const jobRole = new Role(this, 'JobRole', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
    for (const statement of scaleOutS3Statements(props)) jobRole.addToPolicy(statement);
    this.jobDefinition = new EcsJobDefinition(this, 'JobDefinition', {
      container: new EcsFargateContainerDefinition(this, 'Container', {
        image: props.image, cpu: props.cpu ?? 1, memory: props.memory ?? Size.gibibytes(4), command: batchTaskCommand, jobRole,
      }),
      // A step is idempotent, so a failed one is run again, but not a misconfiguration (exit 2): a retry cannot fix it.
      retryAttempts: 3,
      retryStrategies: [RetryStrategy.of(Action.EXIT, Reason.custom({ onExitCode: '2' }))],
    });
    const computeEnvironment = new FargateComputeEnvironment(this, 'ComputeEnvironment', { vpc: props.vpc, maxvCpus: props.maxvCpus ?? 256 });
    this.jobQueue = new JobQueue(this, 'JobQueue', { computeEnvironments: [{ computeEnvironment, order: 1 }] });
    const submit = (name: string, step: Step, perShard: boolean) => new BatchSubmitJob(this, name, {
      jobName: `gt-consolidate-${step}`,
      jobQueueArn: this.jobQueue.jobQueueArn,
      jobDefinitionArn: this.jobDefinition.jobDefinitionArn,
      ...(perShard && { arraySize: JsonPath.numberAt('$.count') }),
      containerOverrides: {
        environment: {
          GT_CONSOLIDATE_STEP: step,
          GT_CONSOLIDATE_COUNT: JsonPath.format('{}', JsonPath.stringAt('$.count')),
          GT_CONSOLIDATE_JOB: JsonPath.jsonToString(JsonPath.objectAt('$.job')),
        },
      },
      resultPath: step === 'merge' ? undefined : JsonPath.DISCARD,
    });
    const definition = Chain.start(submit('Shard', 'shard', true))
      .next(submit('Fit', 'fit', false))
      .next(submit('Decide', 'decide', true))
      .next(submit('Merge', 'merge', false));
    this.stateMachine = new StateMachine(this, 'StateMachine', { definitionBody: DefinitionBody.fromChainable(definition), timeout: props.timeout ?? Duration.hours(24) });
  }
}
