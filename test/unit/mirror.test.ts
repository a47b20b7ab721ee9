import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RejectError, UsageError } from '../../src/errors.js';
import { jobMirror, MirrorResolver, parseMirror } from '../../src/io/mirror.js';

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
  const resolver = new MirrorResolver([parseMirror(`s3://bucket/out/=${dir}`)]);

  it('maps refs under the prefix into the directory', () => {
    expect(resolver.resolve('s3://bucket/out/job/annotations/1.json')).toBe(path.join(dir, 'job/annotations/1.json'));
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
    const inferred = new MirrorResolver([], job);
    expect(inferred.resolve('s3://b/p/my-job/annotations/worker-response/iteration-1/0/x.json'))
      .toBe(path.resolve('/data/sync/my-job/annotations/worker-response/iteration-1/0/x.json'));
    expect(codeOf(() => inferred.resolve('s3://b/p/my-job/manifests/output/output.manifest'))).toBe('ref-not-allowed');
    expect(codeOf(() => inferred.resolve('s3://b/p/not-my-job/annotations/x.json'))).toBe('ref-not-allowed');
    expect(jobMirror('/data/elsewhere/output.manifest')).toBeUndefined();
  });
});
