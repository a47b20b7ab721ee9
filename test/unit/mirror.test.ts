import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectError, UsageError } from '../../src/errors.js';
import { jobMirror, parseMirror } from '../../src/io/mirror.js';
import { parseAllowedPrefix, RefResolver } from '../../src/io/refs.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as RejectError).code;
  }
  return 'no error';
};

describe('mirrors', () => {
  const dir = path.resolve('/data/sync');
  const resolver = new RefResolver([parseMirror(`s3://bucket/out/=${dir}`)], undefined, []);

  it('maps refs under the prefix into the directory', () => {
    expect(resolver.resolve('s3://bucket/out/job/annotations/1.json')).toEqual({ file: path.join(dir, 'job/annotations/1.json'), within: dir });
  });

  it('refuses refs outside every mirror, non-s3 refs and keys that could escape', () => {
    expect(codeOf(() => resolver.resolve('s3://other-bucket/out/job/1.json'))).toBe('ref-not-allowed');
    expect(codeOf(() => resolver.resolve('s3://bucket/elsewhere/1.json'))).toBe('ref-not-allowed');
    expect(codeOf(() => resolver.resolve('/etc/passwd'))).toBe('invalid-ref');
    expect(codeOf(() => resolver.resolve('file:///etc/passwd'))).toBe('invalid-ref');
    expect(codeOf(() => resolver.resolve('s3://bucket/out/../../../etc/passwd'))).toBe('invalid-ref');
    expect(codeOf(() => resolver.resolve('s3://bucket/out/job/./x.json'))).toBe('invalid-ref');
    expect(codeOf(() => resolver.resolve('s3://bucket/out//etc/passwd'))).toBe('invalid-ref');
    expect(codeOf(() => resolver.resolve('s3://bucket/out/..\\..\\x.json'))).toBe('invalid-ref');
  });

  it('rejects malformed --mirror specs as usage errors', () => {
    expect(() => parseMirror('bucket/out=./x')).toThrow(UsageError);
    expect(() => parseMirror('s3://bucket/out/=')).toThrow(UsageError);
  });

  it('infers the job mirror from a manifest in Ground Truth layout, covering only that job\'s annotations', () => {
    const job = jobMirror('/data/sync/my-job/manifests/output/output.manifest');
    expect(job).toEqual({ job: 'my-job', directory: path.resolve('/data/sync/my-job') });
    const inferred = new RefResolver([], job, []);
    expect(inferred.resolve('s3://b/p/my-job/annotations/worker-response/iteration-1/0/x.json')).toEqual({
      file: path.resolve('/data/sync/my-job/annotations/worker-response/iteration-1/0/x.json'), within: path.resolve('/data/sync/my-job'),
    });
    expect(codeOf(() => inferred.resolve('s3://b/p/my-job/manifests/output/output.manifest'))).toBe('ref-not-allowed');
    expect(codeOf(() => inferred.resolve('s3://b/p/not-my-job/annotations/x.json'))).toBe('ref-not-allowed');
    expect(jobMirror('/data/elsewhere/output.manifest')).toBeUndefined();
  });
});

describe('allowed S3 prefixes', () => {
  const resolver = new RefResolver([], undefined, ['s3://job-bucket/', parseAllowedPrefix('s3://shared/responses')]);

  it('reads refs under an allowed prefix from S3', () => {
    expect(resolver.resolve('s3://job-bucket/any/key.json')).toBe('s3://job-bucket/any/key.json');
    expect(resolver.resolve('s3://shared/responses/1.json')).toBe('s3://shared/responses/1.json');
  });

  it('treats a prefix as a folder and refuses everything else', () => {
    expect(codeOf(() => resolver.resolve('s3://shared/responses-evil/1.json'))).toBe('ref-not-allowed');
    expect(codeOf(() => resolver.resolve('s3://job-bucket-2/key.json'))).toBe('ref-not-allowed');
    expect(codeOf(() => resolver.resolve('s3://job-bucket/a/../../other/key.json'))).toBe('invalid-ref');
    expect(() => parseAllowedPrefix('shared/responses')).toThrow(UsageError);
  });
});

describe('S3 key length', () => {
  const resolver = new RefResolver([], undefined, ['s3://bucket/']);

  it('rejects a key over 1,024 bytes of UTF-8 as invalid-ref, with S3\'s limit as the reason', () => {
    const error = (() => {
      try {
        resolver.resolve(`s3://bucket/${'é'.repeat(513)}`); // 1,026 bytes, 513 characters
      } catch (caught) {
        return caught as RejectError;
      }
    })();
    expect(error).toMatchObject({ code: 'invalid-ref', message: 'worker-response-ref has a key of 1026 bytes: S3 keys are at most 1,024 bytes' });
    expect(resolver.resolve(`s3://bucket/${'k'.repeat(1024)}`)).toBe(`s3://bucket/${'k'.repeat(1024)}`);
  });
});
