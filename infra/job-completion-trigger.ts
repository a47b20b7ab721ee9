/**
 * Consolidates each labeling job when it completes: an EventBridge rule on Ground Truth's job state change (status
 * `Completed`) invoking `labelingJobStateChangeHandler` (`src/lambda/on-job-state-change.ts`), which describes the job
 * and runs the configured consolidation beside its output, once per job. A job with more objects than a 15-minute
 * Lambda can consolidate goes to a sharded run instead (`scaleOut`: the handler starts the `ScaleOutStateMachine` on
 * Lambda or the `ScaleOutBatch` on AWS Batch, Fargate, of `scale-out.ts`, with its own work and output places).
 *
 * Least privilege: `sagemaker:DescribeLabelingJob` on the account's labeling jobs (or those named with
 * `jobNamePrefix`), `s3:GetObject` on the jobs' output (manifests, worker responses, the run's own marker),
 * `s3:PutObject` and `s3:AbortMultipartUpload` where the outputs go, and `s3:ListBucket` on the buckets involved (a
 * missing key is then a 404, not a 403, and the run's bucket check works); CloudWatch Logs for the function's log; with
 * `scaleOut`, `states:StartExecution` on that state machine (the sharded run's steps have IAM of their own).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { jobStateChangeDetailType } from '../src/lambda/on-job-state-change.js';
import type * as trigger from '../src/lambda/on-job-state-change.js';
import { scaleOutDefaults } from '../src/lambda/start-scale-out.js';
import { handlerFunction } from './functions.js';
import { checkedPrefix, objectsUnder, s3Statements, s3UriOf, type S3Place } from './s3-place.js';

export interface JobCompletionTriggerProps {
  /** Where Ground Truth writes the jobs' output: their `OutputConfig.S3OutputPath`. */
  jobOutput: S3Place;
  /** Where the outputs go, one folder per job (default: `consolidated/` inside each job's own output folder). */
  consolidatedOutput?: S3Place;
  /** Strategy and options per field (`GT_CONSOLIDATE_FIELDS`); fields not named get one picked from their answers. */
  fields?: Record<string, unknown>;
  /** Other places worker responses may be read from (the job output bucket always is). */
  allowedRefPrefixes?: S3Place[];
  /** Only jobs whose name starts with this are consolidated (default: every labeling job of the account and region). */
  jobNamePrefix?: string;
  /** Jobs too large for the Lambda: started as a sharded run (see `JobCompletionScaleOut`). */
  scaleOut?: JobCompletionScaleOut;
  memorySize?: number;
  timeout?: Duration;
}

/**
 * Where a completed job with more than `aboveObjects` objects goes (its `LabelCounters`): an execution of
 * `stateMachine` (`ScaleOutStateMachine` or `ScaleOutBatch`), with ⌈objects / `objectsPerShard`⌉ shards, its parts in
 * `<work><job name>/` and its outputs in `<consolidatedOutput><job name>/`: give the places the state machine's steps
 * were given (`ScaleOutPlaces`), so that they may write there.
 */
export interface JobCompletionScaleOut {
  stateMachine: IStateMachine;
  work: S3Place;
  consolidatedOutput: S3Place;
  /** Default 300,000: about 5 minutes at the rates `BENCHMARKS.md` measures, well inside the Lambda's 15. */
  aboveObjects?: number;
  /** Default 200,000. */
  objectsPerShard?: number;
}

const handlerName: keyof typeof trigger = 'labelingJobStateChangeHandler';

export class JobCompletionTrigger extends Construct {
  readonly function: NodejsFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: JobCompletionTriggerProps) {
    super(scope, id);
    const { jobOutput, consolidatedOutput } = props;
    const allowed = props.allowedRefPrefixes ?? [];
    if (consolidatedOutput && checkedPrefix(consolidatedOutput, 'consolidatedOutput') === '') {
      throw new Error('consolidatedOutput.prefix must be a folder like "consolidated/": the handler refuses a bucket root');
    }
    this.function = handlerFunction(this, 'Handler', {
      entry: 'src/lambda/on-job-state-change.ts',
      handler: handlerName,
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: {
        ...(props.fields && { GT_CONSOLIDATE_FIELDS: JSON.stringify(props.fields) }),
        ...(allowed.length > 0 && { GT_CONSOLIDATE_ALLOWED_PREFIXES: allowed.map((place) => s3UriOf(place, 'allowedRefPrefixes')).join(',') }),
        ...(consolidatedOutput && { GT_CONSOLIDATE_OUTPUT_PREFIX: s3UriOf(consolidatedOutput, 'consolidatedOutput') }),
        ...(props.scaleOut && scaleOutEnvironment(props.scaleOut)),
      },
    });
    props.scaleOut?.stateMachine.grantStartExecution(this.function);
    // The event's ARN carries the job name lower-cased.
    const jobArn = (name: string) => Stack.of(this).formatArn({ service: 'sagemaker', resource: 'labeling-job', resourceName: name });
    const namePrefix = (props.jobNamePrefix ?? '').toLowerCase();
    const jobs = jobArn(`${namePrefix}*`);
    const outputs = consolidatedOutput ? objectsUnder(consolidatedOutput, 'consolidatedOutput') : objectsUnder(jobOutput, 'jobOutput', '*/consolidated/*');
    // The marker is read back from the outputs' folder, which is inside the job output unless configured elsewhere.
    const read = [objectsUnder(jobOutput, 'jobOutput'), ...allowed.map((place) => objectsUnder(place, 'allowedRefPrefixes')), ...(consolidatedOutput ? [outputs] : [])];
    for (const statement of [
      new PolicyStatement({ actions: ['sagemaker:DescribeLabelingJob'], resources: [jobs] }),
      ...s3Statements(read, [outputs], [jobOutput, ...allowed, ...(consolidatedOutput ? [consolidatedOutput] : [])]),
    ]) this.function.addToRolePolicy(statement);

    this.rule = new Rule(this, 'JobCompleted', {
      description: 'A Ground Truth labeling job completed: consolidate its worker responses',
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: [jobStateChangeDetailType],
        detail: { LabelingJobStatus: ['Completed'] },
        ...(namePrefix && { resources: Match.prefix(jobArn(namePrefix)) }),
      },
      // EventBridge retries delivery; Lambda retries a failed run twice more. Both are safe: the handler runs once per job.
      targets: [new LambdaFunction(this.function, { retryAttempts: 4 })],
    });
  }
}

function scaleOutEnvironment({ stateMachine, work, consolidatedOutput, aboveObjects, objectsPerShard }: JobCompletionScaleOut): Record<string, string> {
  return {
    GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: stateMachine.stateMachineArn,
    GT_CONSOLIDATE_SCALE_OUT_WORK: s3UriOf(work, 'scaleOut.work'),
    GT_CONSOLIDATE_SCALE_OUT_OUTPUT: s3UriOf(consolidatedOutput, 'scaleOut.consolidatedOutput'),
    GT_CONSOLIDATE_SCALE_OUT_ABOVE: String(aboveObjects ?? scaleOutDefaults.aboveObjects),
    GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD: String(objectsPerShard ?? scaleOutDefaults.objectsPerShard),
  };
}
