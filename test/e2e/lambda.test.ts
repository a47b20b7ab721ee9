/**
 * The post-annotation Lambda against Ground Truth's documented contract (ground-truth-formats.md §3): the documented
 * request event, a payload file of the documented shape on a real S3-protocol server, the exact response.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';
import { consolidate, postAnnotationHandler, type ConsolidationRequestEvent, type PostAnnotationSettings } from '../../src/index.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';

// The bucket and keys of the documented event (R-comp's test event, §3.1).
const bucket = 'comprehend-semi-structured-docs-us-west-2-123456789010';
const payloadKey = 'output/test-labeling-job-20211118T021255/annotations/consolidated-annotation/consolidation-request/iteration-1/2021-11-18_02:19:51.json';
const documentedEvent = {
  version: '2018-10-06',
  labelingJobArn: 'arn:aws:sagemaker:us-west-2:123456789010:labeling-job/test-labeling-job-20211118t021255',
  payload: { s3Uri: `s3://${bucket}/${payloadKey}` },
  labelAttributeName: 'test-labeling-job-20211118T021255',
  roleArn: 'arn:aws:iam::123456789010:role/sam-app-SageMakerExecutionRole-1RO6FGQ6YVEF5',
  outputConfig: `s3://${bucket}/output/test-labeling-job-20211118T021255/annotations`,
  maxHumanWorkersPerDataObject: 1,
  vpcEnabled: false,
};
const label = documentedEvent.labelAttributeName;

const annotation = (workerId: string, answerContent: unknown) => ({ workerId, annotationData: { content: JSON.stringify(answerContent) } });
const sentiment = (value: string) => ({ sentiment: { label: value } });
// The documented NER object (§3.2), verbatim.
const documentedNerObject = {
  datasetObjectId: '1',
  dataObject: { content: 'Sift 3 cups of flour into the bowl.' },
  annotations: [{
    workerId: 'private.us-west-2.ef7294f850a3d9d1',
    annotationData: {
      content: '{"crowd-entity-annotation":{"entities":[{"endOffset":4,"label":"verb","startOffset":0},{"endOffset":6,"label":"number","startOffset":5},{"endOffset":20,"label":"object","startOffset":15},{"endOffset":34,"label":"object","startOffset":30}]}}',
    },
  }],
};

let s3: TestS3;
let client: S3Client;

async function upload(key: string, payload: unknown, into = bucket): Promise<string> {
  await client.send(new PutObjectCommand({ Bucket: into, Key: key, Body: JSON.stringify(payload) }));
  return `s3://${into}/${key}`;
}

async function invoke(payload: unknown, settings: PostAnnotationSettings = {}) {
  await upload(payloadKey, payload);
  return postAnnotationHandler({ s3Client: client, ...settings })(documentedEvent as ConsolidationRequestEvent);
}

beforeAll(async () => {
  s3 = await startS3Server([bucket, 'other-bucket']);
  client = s3.client();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('post-annotation Lambda', () => {
  it('answers the documented request with one entry per dataset object, in order, ids as strings', async () => {
    const response = await invoke([
      {
        datasetObjectId: '0',
        dataObject: { content: 'Great service' },
        annotations: [
          annotation('private.us-west-2.a', sentiment('positive')),
          annotation('private.us-west-2.b', sentiment('positive')),
          annotation('private.us-west-2.c', sentiment('negative')),
        ],
      },
      documentedNerObject,
      { datasetObjectId: '2', dataObject: { content: 'x' }, annotations: [{ workerId: 'private.us-west-2.a', annotationData: { content: '{"sentiment": ' } }] },
    ]);
    expect(response).toEqual([
      {
        datasetObjectId: '0',
        consolidatedAnnotation: {
          content: {
            [label]: {
              sentiment: { label: 'positive' },
              consolidation: {
                confidence: 2 / 3,
                fields: { sentiment: expect.objectContaining({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 }) },
              },
            },
          },
        },
      },
      {
        datasetObjectId: '1',
        consolidatedAnnotation: {
          content: {
            [label]: {
              'crowd-entity-annotation': {
                annotations: {
                  ...JSON.parse(documentedNerObject.annotations[0]!.annotationData.content)['crowd-entity-annotation'],
                  labels: [{ label: 'number' }, { label: 'object' }, { label: 'verb' }],
                },
              },
              consolidation: { confidence: 0, fields: { 'crowd-entity-annotation': expect.objectContaining({ strategy: 'spans', answers: 1 }) } },
            },
          },
        },
      },
      {
        datasetObjectId: '2',
        consolidatedAnnotation: {
          content: {
            [label]: { consolidation: { rejected: { code: 'invalid-response', reason: expect.stringMatching(/^annotations\[0\]\.annotationData\.content is not valid JSON/) } } },
          },
        },
      },
    ]);
  });

  it('writes the label and the consolidation metadata a run writes for the same answers', async () => {
    const objects: JobObject[] = [0, 1, 2].map((i) => ({
      data: { source: `text ${i}` },
      answers: ['a', 'b', 'c'].map((worker, w) => ({
        workerId: `private.us-west-2.${worker}`,
        answerContent: { ...sentiment(w === i ? 'negative' : 'positive'), score: 1 + w + i, ...JSON.parse(documentedNerObject.annotations[0]!.annotationData.content) },
      })),
    }));
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: label, bucket, prefix: 'output' }, objects);
    const fields = { sentiment: 'majority-vote' };
    await consolidate({ manifest, out: path.join(dir, 'out.manifest'), fields });
    const lines = (await readFile(path.join(dir, 'out.manifest'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    const response = await invoke(objects.map(({ answers }, i) => ({
      datasetObjectId: String(i),
      annotations: answers!.map(({ workerId, answerContent }) => annotation(workerId, answerContent)),
    })), { fields });
    expect(response.map(({ consolidatedAnnotation: { content } }) => content[label])).toEqual(lines.map((line) => ({
      ...line[label],
      consolidation: { confidence: line[`${label}-metadata`].confidence, fields: line[`${label}-metadata`].consolidation },
    })));
  });

  it('gives an object with hostile or unreadable annotations an entry with the reason, and numeric ids as strings', async () => {
    const response = await invoke([
      { datasetObjectId: 7, annotations: [annotation('w1', sentiment('positive'))] },
      { datasetObjectId: '8', annotations: [{ workerId: 'w1', annotationData: { content: '{"__proto__": {"label": "x"}}' } }] },
      { datasetObjectId: '9', annotations: [{ workerId: 'w1', annotationData: { s3Uri: `s3://${bucket}/a.json` } }] },
      { datasetObjectId: '10', annotations: 'none' },
      { datasetObjectId: '11', annotations: [] },
    ]);
    expect(response.map(({ datasetObjectId }) => datasetObjectId)).toEqual(['7', '8', '9', '10', '11']);
    const rejected = response.map(({ consolidatedAnnotation: { content } }) => (content[label]!.consolidation as { rejected?: { code: string } }).rejected?.code);
    expect(rejected).toEqual([undefined, 'hostile-key', 'invalid-response', 'invalid-response', undefined]);
    expect(response[0]!.consolidatedAnnotation.content[label]!.sentiment).toEqual({ label: 'positive' });
    expect(response[4]!.consolidatedAnnotation.content[label]).toEqual({ consolidation: { confidence: 0, fields: {} } });
  });

  it('runs a configured per-object strategy with its options', async () => {
    const response = await invoke([{
      datasetObjectId: '0',
      annotations: [annotation('a', sentiment('positive')), annotation('b', sentiment('negative'))],
    }], { fields: { sentiment: { strategy: 'majority-vote', tie: 'none' } } });
    expect(response[0]!.consolidatedAnnotation.content[label]).toEqual({
      consolidation: { confidence: expect.any(Number), fields: { sentiment: expect.objectContaining({ strategy: 'majority-vote', resolved: false, tie: true }) } },
    });
  });

  it('refuses a model strategy when the handler is made, naming the fix', () => {
    expect(() => postAnnotationHandler({ fields: { sentiment: 'dawid-skene' } })).toThrow(
      'fields.sentiment: strategy "dawid-skene" fits a model on every answer of the job, but a post-annotation Lambda sees one batch at a time '
      + 'and has no frozen model to load; configure a per-object strategy such as majority-vote for "sentiment"');
    for (const strategy of ['hierarchical-ds', 'one-coin', 'wawa']) {
      expect(() => postAnnotationHandler({ fields: { x: strategy } })).toThrow(/configure a per-object strategy such as majority-vote/);
    }
  });

  it('refuses a payload outside the allowed prefixes, unread', async () => {
    const elsewhere = await upload('payload.json', [documentedNerObject], 'other-bucket');
    const handler = postAnnotationHandler({ s3Client: client, allowedPrefixes: [`s3://${bucket}/output`] });
    await expect(handler({ ...documentedEvent, payload: { s3Uri: elsewhere } })).rejects.toThrow(
      `payload.s3Uri ${elsewhere} is not under an allowed prefix (s3://${bucket}/output/); add its prefix to allowedPrefixes`);
    await expect(handler({ ...documentedEvent, payload: { s3Uri: `s3://${bucket}/output/../x.json` } })).rejects.toThrow(/unsafe key/);
  });

  it('refuses an oversized payload, a payload that is not an array, and an object without an id', async () => {
    await expect(invoke([documentedNerObject], { maxPayloadBytes: 100 })).rejects.toThrow(/payload\.s3Uri .*: .*100/);
    await expect(invoke({ datasetObjectId: '0' })).rejects.toThrow(/expected a JSON array of dataset objects/);
    await expect(invoke([{ annotations: [] }])).rejects.toThrow('payload[0] has no datasetObjectId (a string)');
  });
});
