import { describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { classifyLine, jobFacts } from '../../src/manifest/record.js';

const ref = 's3://bucket/job/annotations/worker-response/iteration-1/0/2021-03-08_23:06:49.json';

function rejectCode(text: string, label?: string): string {
  try {
    classifyLine(text, label);
  } catch (error) {
    expect(error).toBeInstanceOf(RejectError);
    return (error as RejectError).code;
  }
  throw new Error('expected a reject');
}

describe('classifyLine', () => {
  it('detects the label attribute from the metadata that holds a worker-response-ref', () => {
    const line = JSON.stringify({ source: 'x', 'other-metadata': { a: 1 }, job: {}, 'job-metadata': { 'worker-response-ref': ref } });
    expect(classifyLine(line)).toMatchObject({ type: 'object', labelAttribute: 'job', ref });
  });

  it('uses --label-attribute when given, and rejects a line without that metadata', () => {
    const line = JSON.stringify({ 'a-metadata': { 'worker-response-ref': ref }, 'b-metadata': { 'worker-response-ref': `${ref}2` } });
    expect(classifyLine(line, 'b')).toMatchObject({ labelAttribute: 'b', ref: `${ref}2` });
    expect(rejectCode(line)).toBe('no-label-metadata'); // ambiguous without the flag
    expect(rejectCode(line, 'c')).toBe('no-label-metadata');
  });

  it('passes through objects Ground Truth marked failed', () => {
    const line = JSON.stringify({ source: 'x', 'job-metadata': { 'retry-count': 1, 'failure-reason': 'ClientError: expired', 'human-annotated': 'true' } });
    expect(classifyLine(line)).toEqual({ type: 'failed' });
  });

  it('rejects invalid JSON, non-objects, lines without metadata, and __proto__ keys', () => {
    expect(rejectCode('{"source": ')).toBe('invalid-json');
    expect(rejectCode('[1,2]')).toBe('not-an-object');
    expect(rejectCode('"text"')).toBe('not-an-object');
    expect(rejectCode('{"source":"unlabeled"}')).toBe('no-label-metadata');
    expect(rejectCode(`{"__proto__":{"polluted":true},"job-metadata":{"worker-response-ref":"${ref}"}}`)).toBe('hostile-key');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('jobFacts', () => {
  it('reads both metadata spellings and any case of type', () => {
    expect(jobFacts({ job_name: 'a', creation_date: '2021-03-08T23:06:49.111000', type: 'groundTruth/custom' }))
      .toEqual({ jobName: 'a', creationDate: '2021-03-08T23:06:49.111000', type: 'groundtruth/custom' });
    expect(jobFacts({ 'job-name': 'b', 'creation-date': '2019-10-27T10:35:45+0000', type: 'groundtruth/custom' }))
      .toEqual({ jobName: 'b', creationDate: '2019-10-27T10:35:45+0000', type: 'groundtruth/custom' });
  });
});

describe('classifyLine: escaped keys', () => {
  it('refuses a __proto__ key spelled with \\u escapes', () => {
    expect(rejectCode(`{"\\u005f_proto__":{"polluted":true},"job-metadata":{"worker-response-ref":"${ref}"}}`)).toBe('hostile-key');
  });
});

describe('classifyLine: data the tool would change', () => {
  const object = (extra: string) => `{"source":"x",${extra}"job-metadata":{"worker-response-ref":"${ref}"}}`;

  it('rejects a line to consolidate whose numbers a double cannot hold (it would be written back changed)', () => {
    expect(rejectCode(object('"n":1e400,'))).toBe('unsafe-number');
    expect(rejectCode(object('"n":1e-400,'))).toBe('unsafe-number');
    expect(rejectCode(object('"id":12345678901234567890,'))).toBe('unsafe-number');
    expect(classifyLine(object('"id":9007199254740991,"big":1e300,'))).toMatchObject({ type: 'object' });
  });

  it('passes a failed-in-job line whatever its numbers: it is copied as text, never re-serialised', () => {
    expect(classifyLine('{"id":12345678901234567890,"n":1e400,"job-metadata":{"failure-reason":"expired"}}')).toEqual({ type: 'failed' });
  });

  it('rejects a nested-too-deep line as too-deep, not as invalid JSON', () => {
    expect(rejectCode(`{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`)).toBe('too-deep');
  });
});

describe('classifyLine: keys the tool would write but refuses to read', () => {
  it('rejects the label attribute __proto__ (its output would have a "__proto__" key)', () => {
    const line = `{"source":"x","__proto__-metadata":{"worker-response-ref":"${ref}"}}`;
    expect(rejectCode(line)).toBe('hostile-key');
    expect(rejectCode(line, '__proto__')).toBe('hostile-key');
  });
});
