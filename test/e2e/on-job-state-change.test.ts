/**
 * The job-completion trigger against the documented EventBridge event (wave2-anchors.md D, verbatim, status varied),
 * a real S3-protocol server holding the job, and a mocked SageMaker client answering DescribeLabelingJob.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeLabelingJobCommand, SageMakerClient, type DescribeLabelingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { consolidate, UsageError } from '../../src/index.js';
import { jobStateChangeHandler, triggerSettingsFromEnvironment, type JobStateChangeEvent, type JobStateChangeSettings } from '../../src/lambda/on-job-state-change.js';
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
  return { log, handle: jobStateChangeHandler({ s3Client: client, sagemakerClient: sagemaker, log: (line) => log.push(line), ...settings }) };
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
