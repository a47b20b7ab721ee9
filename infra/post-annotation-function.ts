/**
 * Ground Truth's post-annotation (annotation-consolidation) Lambda: `annotationConsolidationHandler`
 * (`src/lambda/handler.ts`), named so that Ground Truth may invoke it, reading only the consolidation requests Ground
 * Truth writes under the jobs' output. Give the function's ARN to a job as
 * `AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn`.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type * as postAnnotation from '../src/lambda/handler.js';
import { handlerFunction } from './functions.js';
import { objectsUnder, s3UriOf, type S3Place } from './s3-place.js';

export interface PostAnnotationFunctionProps {
  /** Default `gt-consolidate-SageMaker-consolidation`; must contain a name Ground Truth's managed role may invoke. */
  functionName?: string;
  /** Where Ground Truth writes the jobs' output (their `S3OutputPath`); the payload files are under it. */
  jobOutput: S3Place;
  /** Per-object strategy per field (`GT_CONSOLIDATE_FIELDS`); model strategies are refused at the first event. */
  fields?: Record<string, unknown>;
  /** A frozen model (`run --save-model`, `fit`) to decide model strategies with (`GT_CONSOLIDATE_MODEL`), read-only. */
  model?: { bucket: IBucket; key: string };
  /** The jobs' execution role, granted `lambda:InvokeFunction` (needed when it is not the managed policy's). */
  labelingJobRole?: IGrantable;
  memorySize?: number;
  timeout?: Duration;
}

/**
 * The names `AmazonSageMakerGroundTruthExecution` lets Ground Truth invoke (`*GtRecipe*`, `*LabelingFunction*`,
 * `*SageMaker*`, `*sagemaker*`, `*Sagemaker*`).
 */
export const invocableName = /GtRecipe|LabelingFunction|SageMaker|sagemaker|Sagemaker/;

const handlerName: keyof typeof postAnnotation = 'annotationConsolidationHandler';

export class PostAnnotationFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: PostAnnotationFunctionProps) {
    super(scope, id);
    const functionName = props.functionName ?? 'gt-consolidate-SageMaker-consolidation';
    if (!Token.isUnresolved(functionName) && !invocableName.test(functionName)) {
      throw new Error(`functionName "${functionName}": Ground Truth's managed role invokes only functions whose name contains `
        + 'SageMaker, sagemaker, Sagemaker, GtRecipe or LabelingFunction; add one, e.g. "gt-consolidate-SageMaker-consolidation"');
    }
    this.function = handlerFunction(this, 'Handler', {
      entry: 'src/lambda/handler.ts',
      handler: handlerName,
      functionName,
      memorySize: props.memorySize,
      timeout: props.timeout ?? Duration.minutes(5),
      environment: {
        ...(props.fields && { GT_CONSOLIDATE_FIELDS: JSON.stringify(props.fields) }),
        GT_CONSOLIDATE_ALLOWED_PREFIXES: s3UriOf(props.jobOutput, 'jobOutput'),
        ...(props.model && { GT_CONSOLIDATE_MODEL: `s3://${props.model.bucket.bucketName}/${props.model.key}` }),
      },
    });
    // Ground Truth writes each batch to <job>/annotations/consolidated-annotation/consolidation-request/iteration-<n>/….
    this.function.addToRolePolicy(new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [
        objectsUnder(props.jobOutput, 'jobOutput', '*/annotations/consolidated-annotation/consolidation-request/*'),
        ...(props.model ? [props.model.bucket.arnForObjects(props.model.key)] : []),
      ],
    }));
    if (props.labelingJobRole) this.function.grantInvoke(props.labelingJobRole);
  }
}
