/**
 * Consolidates each labeling job when it completes: an EventBridge rule on Ground Truth's job state change (status
 * `Completed`) invoking `labelingJobStateChangeHandler` (`src/lambda/on-job-state-change.ts`), which describes the job
 * and runs the configured consolidation beside its output, once per job. For jobs a 15-minute Lambda cannot finish,
 * see `scale-out.ts`.
 *
 * Least privilege: `sagemaker:DescribeLabelingJob` on the account's labeling jobs (or those named with
 * `jobNamePrefix`), `s3:GetObject` on the jobs' output (manifests, worker responses, the run's own marker),
 * `s3:PutObject` and `s3:AbortMultipartUpload` where the outputs go, and `s3:ListBucket` on the buckets involved (a
 * missing key is then a 404, not a 403, and the run's bucket check works); CloudWatch Logs for the function's log.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { jobStateChangeDetailType } from '../src/lambda/on-job-state-change.js';
import type * as trigger from '../src/lambda/on-job-state-change.js';
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
  memorySize?: number;
  timeout?: Duration;
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
      },
    });
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
