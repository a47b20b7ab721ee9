/**
 * The CDK constructs, synthesised offline (no AWS account): the rule's event pattern, the functions' names, runtimes
 * and handlers, the exact IAM actions and resources, the state machines' Maps and Batch array jobs, and the
 * definitions checked by asl-validator.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { JobCompletionTrigger } from '../../infra/job-completion-trigger.js';
import { PostAnnotationFunction } from '../../infra/post-annotation-function.js';
import { batchTaskCommand, ScaleOutBatch, ScaleOutStateMachine, scaleOutTaskFunction, type ScaleOutPlaces } from '../../infra/scale-out.js';
import * as trigger from '../../src/lambda/on-job-state-change.js';
import * as postAnnotation from '../../src/lambda/handler.js';
import { account, region, resolved, roleStatements, stateMachineDefinitions, synthesise } from '../helpers/cdk.js';
import { repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const synthTimeout = 180_000; // a first synthesis loads aws-cdk-lib (13 s on an idle machine)
const s3 = (key: string) => `arn:aws:s3:::${key}`;

/** The one function of `template` made from `handler` (its `index.<export>`), with its role's statements. */
function functionWith(template: Template, handler: string) {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: `index.${handler}` } });
  const [[id, fn]] = Object.entries(functions) as [[string, { Properties: Record<string, unknown> & { Role: { 'Fn::GetAtt': [string] } } }]];
  return { id, properties: fn.Properties, statements: roleStatements(template, fn.Properties.Role['Fn::GetAtt'][0]) };
}

describe('JobCompletionTrigger', () => {
  it('routes completed jobs to the handler on Node 22 with exactly the IAM it needs', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new JobCompletionTrigger(stack, 'Trigger', {
      jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels'), prefix: 'ground-truth/' },
      fields: { sentiment: 'dawid-skene' },
    }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Ground Truth Labeling Job State Change'], detail: { LabelingJobStatus: ['Completed'] } },
      State: 'ENABLED',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 4 } })],
    });
    const { properties, statements } = functionWith(template, 'labelingJobStateChangeHandler');
    expect(typeof trigger.labelingJobStateChangeHandler).toBe('function'); // the handler the function names exists
    expect(properties).toMatchObject({ Runtime: 'nodejs22.x', Timeout: 900, Environment: { Variables: { GT_CONSOLIDATE_FIELDS: '{"sentiment":"dawid-skene"}' } } });
    expect(statements).toEqual([
      { actions: ['sagemaker:DescribeLabelingJob'], resources: [`arn:aws:sagemaker:${region}:${account}:labeling-job/*`] },
      { actions: ['s3:GetObject'], resources: [s3('acme-labels/ground-truth/*')] },
      { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [s3('acme-labels/ground-truth/*/consolidated/*')] },
      { actions: ['s3:ListBucket'], resources: [s3('acme-labels')] },
    ]);
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
  });

  it('narrows the rule and DescribeLabelingJob to a job name prefix and writes to a configured place', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new JobCompletionTrigger(stack, 'Trigger', {
      jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels') },
      consolidatedOutput: { bucket: Bucket.fromBucketName(stack, 'Out', 'acme-results'), prefix: 'consolidated/' },
      jobNamePrefix: 'Sentiment-',
    }));
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as [{ Properties: { EventPattern: unknown } }];
    expect(resolved(rule.Properties.EventPattern, template)).toMatchObject({ resources: [{ prefix: `arn:aws:sagemaker:${region}:${account}:labeling-job/sentiment-` }] });
    const { properties, statements } = functionWith(template, 'labelingJobStateChangeHandler');
    expect(properties).toMatchObject({ Environment: { Variables: { GT_CONSOLIDATE_OUTPUT_PREFIX: 's3://acme-results/consolidated/' } } });
    expect(statements).toEqual([
      { actions: ['sagemaker:DescribeLabelingJob'], resources: [`arn:aws:sagemaker:${region}:${account}:labeling-job/sentiment-*`] },
      { actions: ['s3:GetObject'], resources: [s3('acme-labels/*'), s3('acme-results/consolidated/*')] },
      { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [s3('acme-results/consolidated/*')] },
      { actions: ['s3:ListBucket'], resources: [s3('acme-labels'), s3('acme-results')] },
    ]);
  });

  it('hands jobs too large for the Lambda to AWS Batch: the state machine to start, its places, and the right to start it', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => {
      const scaleOutPlaces = places(stack);
      const batch = new ScaleOutBatch(stack, 'Batch', { ...scaleOutPlaces, vpc: new Vpc(stack, 'Vpc'), image: ContainerImage.fromRegistry('example.com/gt-consolidate:1') });
      new JobCompletionTrigger(stack, 'Trigger', {
        jobOutput: scaleOutPlaces.jobOutput,
        scaleOut: { stateMachine: batch.stateMachine, work: scaleOutPlaces.work, consolidatedOutput: scaleOutPlaces.consolidatedOutput, objectsPerShard: 50_000 },
      });
    });
    const [machine, ...others] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(others).toEqual([]);
    const machineArn = `arn:aws:stepfunctions:${region}:${account}:${machine}`;
    const { properties, statements } = functionWith(template, 'labelingJobStateChangeHandler');
    expect(resolved(properties.Environment, template)).toEqual({
      Variables: {
        GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: machineArn, GT_CONSOLIDATE_SCALE_OUT_WORK: 's3://acme-work/shards/',
        GT_CONSOLIDATE_SCALE_OUT_OUTPUT: 's3://acme-labels/consolidated/', GT_CONSOLIDATE_SCALE_OUT_ABOVE: '300000', GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD: '50000',
      },
    });
    // The handler accepts that environment (it checks it when made); the Ref resolves to a real ARN on deploy, not the
    // stand-in the template is read with here.
    const { Variables: deployed } = resolved(properties.Environment, template) as { Variables: NodeJS.ProcessEnv };
    const stateMachineArn = `arn:aws:states:${region}:${account}:stateMachine:${machine}`;
    expect(() => trigger.jobStateChangeHandler(trigger.triggerSettingsFromEnvironment({ ...deployed, GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: stateMachineArn })))
      .not.toThrow();
    expect(statements).toEqual([
      { actions: ['states:StartExecution'], resources: [machineArn] },
      { actions: ['sagemaker:DescribeLabelingJob'], resources: [`arn:aws:sagemaker:${region}:${account}:labeling-job/*`] },
      { actions: ['s3:GetObject'], resources: [s3('acme-labels/ground-truth/*')] },
      { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [s3('acme-labels/ground-truth/*/consolidated/*')] },
      { actions: ['s3:ListBucket'], resources: [s3('acme-labels')] },
    ]);
  });
});

describe('PostAnnotationFunction', () => {
  it('is named so Ground Truth may invoke it, runs on Node 22 and reads only the consolidation requests', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new PostAnnotationFunction(stack, 'PostAnnotation', {
      jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels'), prefix: 'ground-truth/' },
      fields: { sentiment: 'majority-vote' },
      labelingJobRole: new Role(stack, 'LabelingRole', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') }),
    }));
    const { properties, statements } = functionWith(template, 'annotationConsolidationHandler');
    expect(typeof postAnnotation.annotationConsolidationHandler).toBe('function');
    expect(properties).toMatchObject({
      FunctionName: 'gt-consolidate-SageMaker-consolidation', Runtime: 'nodejs22.x',
      Environment: { Variables: { GT_CONSOLIDATE_FIELDS: '{"sentiment":"majority-vote"}', GT_CONSOLIDATE_ALLOWED_PREFIXES: 's3://acme-labels/ground-truth/' } },
    });
    expect(properties.FunctionName).toMatch(/SageMaker/);
    expect(statements).toEqual([{ actions: ['s3:GetObject'], resources: [s3('acme-labels/ground-truth/*/annotations/consolidated-annotation/consolidation-request/*')] }]);
    expect(roleStatements(template, Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } } }))[0]!))
      .toEqual([{ actions: ['lambda:InvokeFunction'], resources: [expect.stringMatching(/:function:PostAnnotationHandler/), expect.stringMatching(/:function:PostAnnotationHandler.*:\*$/)] }]);
  });

  it('reads a frozen model when given one', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new PostAnnotationFunction(stack, 'PostAnnotation', {
      jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels') },
      model: { bucket: Bucket.fromBucketName(stack, 'Models', 'acme-models'), key: 'sentiment/model.json' },
      fields: { sentiment: 'dawid-skene' },
    }));
    const { properties, statements } = functionWith(template, 'annotationConsolidationHandler');
    expect(properties).toMatchObject({ Environment: { Variables: { GT_CONSOLIDATE_MODEL: 's3://acme-models/sentiment/model.json' } } });
    expect(statements).toEqual([{
      actions: ['s3:GetObject'],
      resources: [s3('acme-labels/*/annotations/consolidated-annotation/consolidation-request/*'), s3('acme-models/sentiment/model.json')],
    }]);
  });

  it('refuses a name Ground Truth could not invoke', { timeout: synthTimeout }, () => {
    expect(() => synthesise((stack) => new PostAnnotationFunction(stack, 'PostAnnotation', {
      jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels') }, functionName: 'consolidation',
    }))).toThrow(/functionName "consolidation": Ground Truth's managed role invokes only functions whose name contains SageMaker/);
  });
});

const places = (stack: import('aws-cdk-lib').Stack): ScaleOutPlaces => ({
  jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels'), prefix: 'ground-truth/' },
  work: { bucket: Bucket.fromBucketName(stack, 'Work', 'acme-work'), prefix: 'shards/' },
  consolidatedOutput: { bucket: Bucket.fromBucketName(stack, 'Out', 'acme-labels'), prefix: 'consolidated/' },
});
const scaleOutStatements = [
  { actions: ['s3:GetObject'], resources: [s3('acme-labels/ground-truth/*'), s3('acme-work/shards/*')] },
  { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [s3('acme-work/shards/*'), s3('acme-labels/consolidated/*')] },
  { actions: ['s3:ListBucket'], resources: [s3('acme-labels'), s3('acme-work')] },
];

describe('ScaleOutStateMachine', () => {
  it('maps shard and decide over the shard indexes with bounded concurrency, fits and merges once', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new ScaleOutStateMachine(stack, 'ScaleOut', { taskFunction: scaleOutTaskFunction(stack, 'Task', places(stack)) }));
    const [definition, ...others] = Object.values(stateMachineDefinitions(template));
    expect(others).toEqual([]);
    const { States: states } = definition!;
    expect(definition!.StartAt).toBe('Shards');
    expect(states.Shards).toMatchObject({ Type: 'Pass', Parameters: { 'shards.$': 'States.ArrayRange(0, States.MathAdd($.count, -1), 1)' }, Next: 'Shard' });
    // Shards fetch: 5 at about 1,100 objects/s each fill S3's 5,500 GETs/s of a fresh prefix. Deciders fetch nothing.
    for (const [map, task, next, concurrency] of [['Shard', 'ShardTask', 'Fit', 5], ['Decide', 'DecideTask', 'Merge', 100]] as const) {
      expect(states[map]).toMatchObject({
        Type: 'Map', ItemsPath: '$.shards', MaxConcurrency: concurrency, ResultPath: null, Next: next,
        ItemSelector: { 'index.$': '$$.Map.Item.Value', 'count.$': '$.count', 'job.$': '$.job' },
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: task },
      });
      // Tolerated failures 0 is the default, which CDK leaves out; no reader: the items are the indexes.
      expect(Object.keys(states[map]!)).not.toEqual(expect.arrayContaining(['ItemReader']));
      expect(Object.keys(states[map]!).filter((key) => key.startsWith('ToleratedFailure'))).toEqual([]);
    }
    expect(states.Fit).toMatchObject({ Type: 'Task', ResultPath: null, Parameters: { step: 'fit', 'count.$': '$.count', 'job.$': '$.job' }, Next: 'Decide' });
    expect(states.Merge).toMatchObject({ Type: 'Task', Parameters: { step: 'merge' }, End: true });
    const validation = validateAsl(definition);
    expect(validation.errorsText()).toBe('');
    expect(validation.isValid).toBe(true);
    const { properties, statements } = functionWith(template, 'handler');
    expect(properties).toMatchObject({ Runtime: 'nodejs22.x', MemorySize: 4096, Timeout: 900 });
    expect(statements).toEqual(scaleOutStatements);
  });

  it('takes the concurrency of each Map on its own, and refuses one out of range', { timeout: synthTimeout }, () => {
    const machine = (props: { shardConcurrency?: number; decideConcurrency?: number }) => synthesise((stack) =>
      new ScaleOutStateMachine(stack, 'ScaleOut', { taskFunction: scaleOutTaskFunction(stack, 'Task', places(stack)), ...props }));
    const { States: states } = Object.values(stateMachineDefinitions(machine({ shardConcurrency: 40, decideConcurrency: 300 })))[0]!;
    expect([states.Shard!.MaxConcurrency, states.Decide!.MaxConcurrency]).toEqual([40, 300]);
    expect(() => machine({ shardConcurrency: 0 })).toThrow(/shardConcurrency 0: give a whole number from 1 to 10,000/);
    expect(() => machine({ decideConcurrency: 10_001 })).toThrow(/decideConcurrency 10001: give a whole number from 1 to 10,000/);
  });
});

describe('ScaleOutBatch', () => {
  it('runs shard and decide as array jobs of count children and fit and merge once, one container command', { timeout: synthTimeout }, () => {
    const template = synthesise((stack) => new ScaleOutBatch(stack, 'Batch', {
      ...places(stack), vpc: new Vpc(stack, 'Vpc'), image: ContainerImage.fromRegistry('example.com/gt-consolidate:1'), maxvCpus: 64, memory: Size.gibibytes(8),
    }));
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { Type: 'managed', ComputeResources: Match.objectLike({ Type: 'FARGATE', MaxvCpus: 64 }) });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      PlatformCapabilities: ['FARGATE'],
      RetryStrategy: { Attempts: 3, EvaluateOnExit: [{ Action: 'EXIT', OnExitCode: '2' }] },
      ContainerProperties: Match.objectLike({ Command: batchTaskCommand, Image: 'example.com/gt-consolidate:1' }),
    });
    const { States: states, StartAt } = Object.values(stateMachineDefinitions(template))[0]!;
    expect(StartAt).toBe('Shard');
    const environment = (step: string) => ({
      Environment: [{ Name: 'GT_CONSOLIDATE_STEP', Value: step }, { Name: 'GT_CONSOLIDATE_COUNT', 'Value.$': "States.Format('{}', $.count)" }, { Name: 'GT_CONSOLIDATE_JOB', 'Value.$': 'States.JsonToString($.job)' }],
    });
    for (const [state, step, next, array] of [['Shard', 'shard', 'Fit', true], ['Fit', 'fit', 'Decide', false], ['Decide', 'decide', 'Merge', true], ['Merge', 'merge', undefined, false]] as const) {
      expect(states[state]).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::batch:submitJob.sync', Parameters: { ContainerOverrides: environment(step) }, ...(next ? { Next: next } : { End: true }) });
      expect((states[state]!.Parameters as Record<string, unknown>).ArrayProperties).toEqual(array ? { 'Size.$': '$.count' } : undefined);
    }
    expect(validateAsl(Object.values(stateMachineDefinitions(template))[0]).errorsText()).toBe('');
    const [jobRole] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs-tasks.amazonaws.com' } })] } } }))
      .filter((id) => id.startsWith('BatchJobRole'));
    expect(roleStatements(template, jobRole!)).toEqual(scaleOutStatements);
  });
});

describe('the CDK app (cdk.json)', () => {
  const runApp = async (context: Record<string, unknown>) => {
    const outdir = await tempDir();
    // How the cdk CLI runs the app: the command in cdk.json, the context and output folder in the environment.
    const { app } = JSON.parse(await readFile(path.join(repo, 'cdk.json'), 'utf8')) as { app: string };
    const result = await promisify(execFile)('sh', ['-c', app], {
      cwd: repo, env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }) },
    }).then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    return { ...result, outdir };
  };

  it('deploys the trigger, the post-annotation function and the Step Functions scale-out for a job bucket', { timeout: synthTimeout }, async () => {
    const { code, outdir } = await runApp({ jobBucket: 'acme-labels', jobPrefix: 'ground-truth/', fields: '{"sentiment":"dawid-skene"}' });
    expect(code).toBe(0);
    const template = Template.fromJSON(JSON.parse(await readFile(path.join(outdir, 'GtConsolidate.template.json'), 'utf8')));
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { GT_CONSOLIDATE_FIELDS: '{"sentiment":"dawid-skene"}' } } });
    // The trigger starts the scale-out state machine for large jobs, with the places its steps may write.
    const [machine] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    const { properties, statements } = functionWith(template, 'labelingJobStateChangeHandler');
    expect(resolved(properties.Environment, template)).toMatchObject({ Variables: {
      GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: `arn:aws:stepfunctions:${region}:${account}:${machine}`,
      GT_CONSOLIDATE_SCALE_OUT_WORK: 's3://acme-labels/gt-consolidate/work/', GT_CONSOLIDATE_SCALE_OUT_OUTPUT: 's3://acme-labels/gt-consolidate/consolidated/',
    } });
    expect(statements).toContainEqual({ actions: ['states:StartExecution'], resources: [`arn:aws:stepfunctions:${region}:${account}:${machine}`] });
    expect(Object.keys(template.findOutputs('*'))).toEqual(['TriggerFunction', 'PostAnnotationLambdaArn', 'ScaleOutStateMachineArn']);
    expect(JSON.parse(await readFile(path.join(repo, 'cdk.json'), 'utf8')).context).toEqual({ '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true });
  });

  it('names the missing bucket', { timeout: synthTimeout }, async () => {
    const { code, stderr } = await runApp({});
    expect(code).not.toBe(0);
    expect(stderr).toContain('give the bucket Ground Truth writes your jobs to: -c jobBucket=<bucket>');
  });
});
