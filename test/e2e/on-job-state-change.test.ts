/**
 * The job-completion trigger against the documented EventBridge event (wave2-anchors.md D, verbatim, status varied),
 * a real S3-protocol server holding the job, and a mocked SageMaker client answering DescribeLabelingJob.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeLabelingJobCommand, SageMakerClient, type DescribeLabelingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { consolidate, UsageError } from '../../src/index.js';
import { JobIO } from '../../src/io/job-io.js';
import { jobStateChangeHandler, triggerSettingsFromEnvironment, type JobStateChangeEvent, type JobStateChangeSettings } from '../../src/lambda/on-job-state-change.js';
import { scaleOutDefaults } from '../../src/lambda/start-scale-out.js';
import { handleTask } from '../../src/scale-out/task-handler.js';
import { tempDir } from '../helpers/temp-dir.js';

const bucket = 'labels';
const jobArn = 'arn:aws:sagemaker:us-east-1:111122223333:labeling-job/test-labeling-job';
const documentedEvent = (status: string): JobStateChangeEvent => ({
  version: '0', id: '4c1f3a57-7f6b-4c2b-9d6d-2b3f0d8b8e1a', 'detail-type': 'SageMaker Ground Truth Labeling Job State Change', source: 'aws.sagemaker',
  account: '123456789012', time: '2018-10-06T12:26:13Z', region: 'us-east-1', resources: [jobArn], detail: { LabelingJobStatus: status },
});

const objects: JobObject[] = [0, 1, 2, 3].map((i) => ({
  data: { source: `ticket ${i}` },
  answers: ['a', 'b', 'c'].map((worker, w) => ({ workerId: `private.us-east-1.${worker}`, answerContent: { sentiment: { label: w === i ? 'negative' : 'positive' } } })),
}));

let s3: TestS3;
let client: S3Client;
let localManifest: string;
const sagemaker = new SageMakerClient({ region: 'us-east-1' });
const describeMock = mockClient(sagemaker);
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

/** Uploads the job under `s3://labels/<prefix>/test-labeling-job/` and answers DescribeLabelingJob with its output. */
async function uploadJob(prefix: string, described: Partial<DescribeLabelingJobCommandOutput> = {}): Promise<string> {
  const root = path.join(await tempDir(), prefix);
  localManifest = await writeJobTree({ root, jobName: 'test-labeling-job', bucket, prefix }, [...objects, { data: { source: 'expired' } }]);
  await s3.uploadTree(root, bucket, `${prefix}/`);
  const manifest = `s3://${bucket}/${prefix}/test-labeling-job/manifests/output/output.manifest`;
  describeMock.on(DescribeLabelingJobCommand).resolves({
    LabelingJobArn: jobArn, LabelingJobName: 'test-labeling-job', LabelingJobStatus: 'Completed', LabelAttributeName: 'test-labeling-job',
    LabelingJobOutput: { OutputDatasetS3Uri: manifest }, ...described,
  });
  return manifest;
}

async function text(key: string): Promise<string> {
  return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

async function keysUnder(prefix: string): Promise<string[]> {
  return ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(({ Key }) => Key!).sort();
}

function handler(settings: JobStateChangeSettings = {}) {
  const log: string[] = [];
  return { log, handle: jobStateChangeHandler({ s3Client: client, sagemakerClient: sagemaker, sfnClient: sfn, log: (line) => log.push(line), ...settings }) };
}

beforeAll(async () => {
  s3 = await startS3Server([bucket]);
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});
beforeEach(() => {
  describeMock.reset();
  sfnMock.reset();
});

describe('job-completion trigger', () => {
  it('consolidates a Completed job beside its output, as a run of its manifest does, and records the run', async () => {
    await uploadJob('completed');
    const { handle } = handler({ fields: { sentiment: 'dawid-skene' } });
    const result = await handle(documentedEvent('Completed'));
    const folder = 'completed/test-labeling-job/consolidated/';
    expect(result).toEqual({
      action: 'consolidated', jobArn, output: `s3://${bucket}/${folder}output.manifest`, marker: `s3://${bucket}/${folder}trigger-completed.json`,
      lines: { read: 5, consolidated: 4, failedInJob: 1, rejected: 0, blank: 0 },
    });
    expect(describeMock.commandCalls(DescribeLabelingJobCommand).map(({ args }) => args[0].input)).toEqual([{ LabelingJobName: 'test-labeling-job' }]);
    expect(await keysUnder(folder)).toEqual(['output.manifest', 'output.rejects.jsonl', 'output.summary.json', 'trigger-completed.json'].map((key) => folder + key));
    // The same manifest consolidated on this machine (its worker responses read from the local copy).
    const local = path.join(path.dirname(localManifest), 'local.manifest');
    await consolidate({ manifest: localManifest, out: local, fields: { sentiment: 'dawid-skene' }, labelAttribute: 'test-labeling-job' });
    expect(await text(`${folder}output.manifest`)).toBe(await readFile(local, 'utf8'));
    expect(JSON.parse(await text(`${folder}trigger-completed.json`))).toMatchObject({ jobArn, status: 'Completed', eventId: documentedEvent('Completed').id });
  });

  it('runs once when the same event is delivered twice', async () => {
    await uploadJob('twice');
    const { handle, log } = handler();
    const first = await handle(documentedEvent('Completed'));
    expect(first.action).toBe('consolidated');
    // Had the second delivery run again, it would overwrite this.
    const output = 'twice/test-labeling-job/consolidated/output.manifest';
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: output, Body: 'left alone\n' }));
    const second = await handle(documentedEvent('Completed'));
    expect(second).toEqual({ action: 'already-consolidated', jobArn, marker: `s3://${bucket}/twice/test-labeling-job/consolidated/trigger-completed.json` });
    expect(await text(output)).toBe('left alone\n');
    expect(log.at(-1)).toMatch(/already consolidated .*a repeated delivery/);
  });

  it.each(['Failed', 'Stopped'])('ignores a %s job with the reason logged, without describing it or writing anything', async (status) => {
    await uploadJob(status.toLowerCase());
    const { handle, log } = handler();
    const reason = `labeling job ${jobArn} is ${status}: only a Completed job is consolidated`;
    expect(await handle(documentedEvent(status))).toEqual({ action: 'ignored', jobArn, reason });
    expect(log).toEqual([reason]);
    expect(describeMock.calls()).toHaveLength(0);
    expect(await keysUnder(`${status.toLowerCase()}/test-labeling-job/consolidated/`)).toEqual([]);
  });

  it('writes no marker when the run fails, so a redelivery runs it', async () => {
    const manifest = await uploadJob('retried');
    describeMock.on(DescribeLabelingJobCommand).resolves({
      LabelingJobArn: jobArn, LabelingJobName: 'test-labeling-job', LabelingJobStatus: 'Completed', LabelAttributeName: 'test-labeling-job',
      LabelingJobOutput: { OutputDatasetS3Uri: manifest.replace('output.manifest', 'not-yet.manifest') },
    });
    const { handle } = handler();
    await expect(handle(documentedEvent('Completed'))).rejects.toThrow(/not-yet\.manifest/);
    expect(await keysUnder('retried/test-labeling-job/consolidated/')).toEqual([]);
    await uploadJob('retried');
    expect((await handle(documentedEvent('Completed'))).action).toBe('consolidated');
  });

  it('writes under an s3:// output prefix, one folder per job', async () => {
    await uploadJob('elsewhere');
    const { handle } = handler(triggerSettingsFromEnvironment({ GT_CONSOLIDATE_OUTPUT_PREFIX: `s3://${bucket}/consolidated/`, GT_CONSOLIDATE_FIELDS: '{"sentiment": "majority-vote"}' }));
    const result = await handle(documentedEvent('Completed'));
    expect(result).toMatchObject({ action: 'consolidated', output: `s3://${bucket}/consolidated/test-labeling-job/output.manifest` });
    expect(JSON.parse(await text('consolidated/test-labeling-job/output.summary.json')).fields.sentiment.strategy).toBe('majority-vote');
  });

  it('refuses a marker of another job in its output folder', async () => {
    await uploadJob('shared');
    await client.send(new PutObjectCommand({
      Bucket: bucket, Key: 'shared/test-labeling-job/consolidated/trigger-completed.json',
      Body: JSON.stringify({ jobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:labeling-job/test-labeling-job' }),
    }));
    await expect(handler().handle(documentedEvent('Completed'))).rejects.toThrow(/belongs to arn:aws:sagemaker:eu-west-1.*give each its own GT_CONSOLIDATE_OUTPUT_PREFIX/);
    expect(await keysUnder('shared/test-labeling-job/consolidated/')).toEqual(['shared/test-labeling-job/consolidated/trigger-completed.json']);
  });

  it('refuses a DescribeLabelingJob answer without a Completed status or an s3:// output', async () => {
    await uploadJob('described', { LabelingJobStatus: 'InProgress' });
    await expect(handler().handle(documentedEvent('Completed'))).rejects.toThrow(`DescribeLabelingJob says ${jobArn} is InProgress, not Completed`);
    await uploadJob('described', { LabelingJobOutput: { OutputDatasetS3Uri: 'https://example.com/output.manifest' } });
    await expect(handler().handle(documentedEvent('Completed'))).rejects.toThrow(/no s3:\/\/ output manifest/);
  });

  it.each<[string, unknown, RegExp]>([
    ['another source', { ...documentedEvent('Completed'), source: 'aws.s3' }, /source "aws\.s3".*check the rule's event pattern/],
    ['another detail-type', { ...documentedEvent('Completed'), 'detail-type': 'SageMaker Training Job State Change' }, /detail-type "SageMaker Training Job State Change"/],
    ['an ARN of another resource', { ...documentedEvent('Completed'), resources: ['arn:aws:sagemaker:us-east-1:111122223333:training-job/x'] }, /resources\[0\] .* is not a labeling job ARN/],
    ['no resources', { ...documentedEvent('Completed'), resources: [] }, /resources\[0\] undefined is not a labeling job ARN/],
    ['no status', { ...documentedEvent('Completed'), detail: {} }, /detail\.LabelingJobStatus is missing/],
    ['not an object', 'Completed', /not an event/],
  ])('refuses an event with %s, before calling anything', async (_, event, message) => {
    const { handle } = handler();
    const failure = handle(event as JobStateChangeEvent);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
    expect(describeMock.calls()).toHaveLength(0);
  });

  it.each(['consolidated', '../x/', 's3://labels/', 'a//b/'])('refuses the output prefix %j when the handler is made', (prefix) => {
    expect(() => jobStateChangeHandler({ outputPrefix: prefix })).toThrow(/must be a folder ending in "\/"/);
  });
});

describe('job-completion trigger: jobs too large for the Lambda go to a sharded run', () => {
  const stateMachineArn = 'arn:aws:states:us-east-1:111122223333:stateMachine:ScaleOut';
  const executionArn = 'arn:aws:states:us-east-1:111122223333:execution:ScaleOut:gt-consolidate-test-labeling-job';
  const environment = {
    GT_CONSOLIDATE_FIELDS: '{"sentiment": "dawid-skene"}', GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: stateMachineArn,
    GT_CONSOLIDATE_SCALE_OUT_WORK: `s3://${bucket}/work/`, GT_CONSOLIDATE_SCALE_OUT_OUTPUT: `s3://${bucket}/scaled/`,
  };
  // Ground Truth's counters of a job of 450,010 objects (the job in the bucket is the small one; the counters decide).
  const large = { LabelCounters: { TotalLabeled: 450_000, HumanLabeled: 450_000, MachineLabeled: 0, FailedNonRetryableError: 10, Unlabeled: 0 } };

  it('starts the state machine with the job, one shard per 200,000 objects, and runs nothing here', async () => {
    const manifest = await uploadJob('large', large);
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const { handle, log } = handler(triggerSettingsFromEnvironment(environment));
    const output = `s3://${bucket}/scaled/test-labeling-job/output.manifest`;
    expect(await handle(documentedEvent('Completed'))).toEqual({ action: 'scaled-out', jobArn, executionArn, started: true, count: 3, output });
    const [call, ...more] = sfnMock.commandCalls(StartExecutionCommand).map(({ args }) => args[0].input);
    expect(more).toEqual([]);
    expect(call).toMatchObject({ stateMachineArn, name: 'gt-consolidate-test-labeling-job' });
    expect(JSON.parse(call!.input!)).toEqual({
      count: 3,
      job: { manifest, out: output, work: `s3://${bucket}/work/test-labeling-job/`, labelAttribute: 'test-labeling-job', fields: { sentiment: { strategy: 'dawid-skene' } } },
    });
    expect(await keysUnder('large/test-labeling-job/consolidated/')).toEqual([]);
    expect(log.at(-1)).toBe(`labeling job ${jobArn}: 450010 objects, above 300000: started the sharded run ${executionArn} (3 shards) into ${output}`);

    // The input is what the engines' steps take: run them as the state machine would, and get a one-machine run's manifest.
    const { count, job } = JSON.parse(call!.input!) as { count: number; job: Record<string, unknown> };
    const io = new JobIO({ s3Client: client });
    try {
      const shards = Array.from({ length: count }, (_, index) => index);
      for (const index of shards) await handleTask({ step: 'shard', index, count, job }, io);
      await handleTask({ step: 'fit', count, job }, io);
      for (const index of shards) await handleTask({ step: 'decide', index, count, job }, io);
      await handleTask({ step: 'merge', count, job }, io);
    } finally {
      io.close();
    }
    const local = path.join(path.dirname(localManifest), 'local.manifest');
    await consolidate({ manifest: localManifest, out: local, fields: { sentiment: 'dawid-skene' }, labelAttribute: 'test-labeling-job' });
    expect(await text('scaled/test-labeling-job/output.manifest')).toBe(await readFile(local, 'utf8'));
  });

  it('starts it once when the event comes again after the execution closed', async () => {
    await uploadJob('large-again', large);
    sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const { handle, log } = handler(triggerSettingsFromEnvironment(environment));
    expect(await handle(documentedEvent('Completed'))).toMatchObject({ action: 'scaled-out', executionArn, started: false, count: 3 });
    expect(log.at(-1)).toMatch(/already ran the sharded run/);
    expect(await keysUnder('large-again/test-labeling-job/consolidated/')).toEqual([]);
  });

  it('consolidates a job at or under the threshold in the Lambda, as before', async () => {
    await uploadJob('small', { LabelCounters: { TotalLabeled: 4, FailedNonRetryableError: 1, HumanLabeled: 4, MachineLabeled: 0, Unlabeled: 0 } });
    const { handle } = handler(triggerSettingsFromEnvironment({ ...environment, GT_CONSOLIDATE_SCALE_OUT_ABOVE: '5' }));
    expect((await handle(documentedEvent('Completed'))).action).toBe('consolidated');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('caps the shards at 1,000 and gives at least 2 (Batch arrays)', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date() });
    const settings = triggerSettingsFromEnvironment({ ...environment, GT_CONSOLIDATE_SCALE_OUT_ABOVE: '1', GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD: '1000' });
    await uploadJob('huge', { LabelCounters: { TotalLabeled: 5_000_000 } as never });
    expect(await handler(settings).handle(documentedEvent('Completed'))).toMatchObject({ count: 1000 });
    await uploadJob('just-above', { LabelCounters: { TotalLabeled: 2 } as never });
    expect(await handler(settings).handle(documentedEvent('Completed'))).toMatchObject({ count: 2 });
  });

  it('refuses LabelCounters that are not counts', async () => {
    await uploadJob('counters', { LabelCounters: { TotalLabeled: -1 } as never });
    await expect(handler(triggerSettingsFromEnvironment(environment)).handle(documentedEvent('Completed'))).rejects.toThrow(/LabelCounters that are not counts/);
  });

  it('reads its defaults, and refuses a misconfiguration when the handler is made, naming the variable', () => {
    expect(triggerSettingsFromEnvironment(environment).scaleOut).toEqual({
      stateMachineArn, work: `s3://${bucket}/work/`, output: `s3://${bucket}/scaled/`, ...scaleOutDefaults,
    });
    expect(triggerSettingsFromEnvironment({}).scaleOut).toBeUndefined();
    expect(() => triggerSettingsFromEnvironment({ GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE: stateMachineArn })).toThrow(/needs GT_CONSOLIDATE_SCALE_OUT_WORK and GT_CONSOLIDATE_SCALE_OUT_OUTPUT/);
    for (const [variable, value, message] of [
      ['GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE', 'arn:aws:lambda:us-east-1:111122223333:function:x', /is not a state machine ARN/],
      ['GT_CONSOLIDATE_SCALE_OUT_ABOVE', 'many', /GT_CONSOLIDATE_SCALE_OUT_ABOVE must be a whole number/],
      ['GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD', '0', /GT_CONSOLIDATE_SCALE_OUT_OBJECTS_PER_SHARD must be a whole number/],
      ['GT_CONSOLIDATE_SCALE_OUT_WORK', `s3://${bucket}/work`, /GT_CONSOLIDATE_SCALE_OUT_WORK .* ending in "\/"/],
      ['GT_CONSOLIDATE_SCALE_OUT_OUTPUT', '/tmp/out/', /GT_CONSOLIDATE_SCALE_OUT_OUTPUT .* must be an s3:\/\//],
    ] as const) {
      expect(() => jobStateChangeHandler(triggerSettingsFromEnvironment({ ...environment, [variable]: value }))).toThrow(message);
    }
  });
});
