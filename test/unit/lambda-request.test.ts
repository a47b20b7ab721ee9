/** The post-annotation Lambda's request event and environment settings, without S3. */
import { describe, expect, it } from 'vitest';
import { settingsFromEnvironment } from '../../src/lambda/handler.js';
import { datasetObjectAt, parseRequest } from '../../src/lambda/payload.js';

describe('post-annotation request', () => {
  it('reads the documented event schema (version 2018-10-16, labelCategories null) and ignores extra keys', () => {
    const event = {
      version: '2018-10-16', labelingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:labeling-job/job', labelCategories: null,
      labelAttributeName: 'Job', roleArn: 'arn:aws:iam::111122223333:role/r', payload: { s3Uri: 's3://b/p.json' }, kmsKeyId: 'k',
    };
    expect(parseRequest(event)).toEqual({ labelAttributeName: 'Job', payloadUri: 's3://b/p.json' });
  });

  it('refuses events without a label attribute or payload URI, and a "__proto__" label attribute', () => {
    expect(() => parseRequest({ labelAttributeName: 'x' })).toThrow(/expected \{labelAttributeName, payload: \{s3Uri\}\}/);
    expect(() => parseRequest({ payload: { s3Uri: 's3://b/k' } })).toThrow(/not a post-annotation Lambda event/);
    expect(() => parseRequest({ labelAttributeName: '__proto__', payload: { s3Uri: 's3://b/k' } })).toThrow(/"__proto__"/);
  });

  it('keeps a worker\'s last submission and normalises answers as a run does', () => {
    const object = datasetObjectAt({
      datasetObjectId: '3',
      annotations: [
        { workerId: 'w', annotationData: { content: '{"q": {"label": "a"}}' } },
        { workerId: 'w', annotationData: { content: '{"q": {"label": "b"}}' } },
      ],
    }, 0, { labelAttribute: 'L', preferences: {} });
    expect('prepared' in object && object.prepared).toMatchObject({
      duplicates: 1, labelAttribute: 'L', fields: new Map([['q', { answers: [{ workerId: 'w', value: { kind: 'categorical', value: 'b', shape: 'classifier' } }], unknown: [] }]]),
    });
  });

  it('rejects an object whose content is deeper than allowed or not an object', () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    const rejected = (content: string) => datasetObjectAt({ datasetObjectId: '0', annotations: [{ workerId: 'w', annotationData: { content } }] }, 0, { labelAttribute: 'L', preferences: {} });
    expect(rejected(`{"q": ${deep}}`)).toMatchObject({ rejected: { code: 'too-deep' } });
    expect(rejected('"text"')).toMatchObject({ rejected: { code: 'invalid-response', reason: 'annotations[0].annotationData.content is not a JSON object' } });
  });
});

describe('settings from the environment', () => {
  it('reads fields as JSON and allowed prefixes as a comma-separated list', () => {
    expect(settingsFromEnvironment({ GT_CONSOLIDATE_FIELDS: '{"sentiment": "majority-vote"}', GT_CONSOLIDATE_ALLOWED_PREFIXES: 's3://a/x/, s3://b/' }))
      .toEqual({ fields: { sentiment: { strategy: 'majority-vote' } }, allowedPrefixes: ['s3://a/x/', 's3://b/'] });
    expect(settingsFromEnvironment({})).toEqual({});
    expect(() => settingsFromEnvironment({ GT_CONSOLIDATE_FIELDS: '{' })).toThrow(/GT_CONSOLIDATE_FIELDS is not valid JSON/);
  });
});
