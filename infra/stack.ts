/**
 * One stack with everything for a bucket of Ground Truth jobs: the job-completion trigger, the post-annotation
 * function, and the sharded run on Step Functions, which the trigger starts for jobs a 15-minute Lambda cannot
 * consolidate (more than `scaleOutAboveObjects`). `infra/app.ts`
 * deploys it; AWS Batch (`ScaleOutBatch`) needs a VPC and an image, so it is left to your own stack.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { JobCompletionTrigger } from './job-completion-trigger.js';
import { PostAnnotationFunction } from './post-annotation-function.js';
import { ScaleOutStateMachine, scaleOutTaskFunction } from './scale-out.js';

export interface GtConsolidateStackProps extends StackProps {
  /** The bucket Ground Truth writes the jobs' output to, and their prefix (`S3OutputPath`, a folder or empty). */
  jobBucket: string;
  jobPrefix?: string;
  /** Strategy per field for the trigger's runs (model strategies fine), and for the post-annotation function (per-object only). */
  fields?: Record<string, unknown>;
  postAnnotationFields?: Record<string, unknown>;
  /** Where sharded runs keep their parts and write their outputs, in the job bucket (defaults below). */
  workPrefix?: string;
  scaleOutOutputPrefix?: string;
  /** Completed jobs with more objects than this go to the sharded run (default 300,000). */
  scaleOutAboveObjects?: number;
}

export class GtConsolidateStack extends Stack {
  constructor(scope: Construct, id: string, props: GtConsolidateStackProps) {
    super(scope, id, props);
    const bucket = Bucket.fromBucketName(this, 'JobBucket', props.jobBucket);
    const jobOutput = { bucket, prefix: props.jobPrefix ?? '' };
    const places = {
      jobOutput,
      work: { bucket, prefix: props.workPrefix ?? 'gt-consolidate/work/' },
      consolidatedOutput: { bucket, prefix: props.scaleOutOutputPrefix ?? 'gt-consolidate/consolidated/' },
    };
    const scaleOut = new ScaleOutStateMachine(this, 'ScaleOut', { taskFunction: scaleOutTaskFunction(this, 'ScaleOutTask', places) });
    const trigger = new JobCompletionTrigger(this, 'Trigger', {
      jobOutput, fields: props.fields,
      scaleOut: { stateMachine: scaleOut.stateMachine, work: places.work, consolidatedOutput: places.consolidatedOutput, aboveObjects: props.scaleOutAboveObjects },
    });
    const postAnnotation = new PostAnnotationFunction(this, 'PostAnnotation', { jobOutput, fields: props.postAnnotationFields });
    new CfnOutput(this, 'TriggerFunction', { value: trigger.function.functionName });
    new CfnOutput(this, 'PostAnnotationLambdaArn', { value: postAnnotation.function.functionArn, description: 'AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn' });
    new CfnOutput(this, 'ScaleOutStateMachineArn', { value: scaleOut.stateMachine.stateMachineArn });
  }
}
