/** A bucket and a key prefix, as the constructs take S3 locations and turn them into IAM resources and `s3://` URIs. */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

export interface S3Place {
  bucket: IBucket;
  /** A key prefix: empty (the whole bucket) or a folder ending in `/` (default empty). */
  prefix?: string;
}

export function checkedPrefix(place: S3Place, what: string): string {
  const prefix = place.prefix ?? '';
  if (prefix !== '' && (!prefix.endsWith('/') || prefix.startsWith('/'))) {
    throw new Error(`${what}.prefix "${prefix}" must be empty or a folder like "jobs/" (no leading "/", a trailing "/")`);
  }
  return prefix;
}

/** The IAM resource for the objects under `place`, then `more` (`*` matches across `/`). */
export function objectsUnder(place: S3Place, what: string, more = '*'): string {
  return place.bucket.arnForObjects(`${checkedPrefix(place, what)}${more}`);
}

export function s3UriOf(place: S3Place, what: string): string {
  return `s3://${place.bucket.bucketName}/${checkedPrefix(place, what)}`;
}

/**
 * The least S3 access of a run: read the objects of `read` (IAM resources from `objectsUnder`), write those of `write`
 * (`s3:AbortMultipartUpload` lets a failed run clean up its multipart upload), and list `buckets`, so that a missing
 * key is a 404 rather than a 403 and the run's bucket check works.
 */
export function s3Statements(read: readonly string[], write: readonly string[], places: readonly S3Place[]): PolicyStatement[] {
  return [
    new PolicyStatement({ actions: ['s3:GetObject'], resources: [...new Set(read)] }),
    new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [...new Set(write)] }),
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [...new Set(places.map(({ bucket }) => bucket.bucketArn))] }),
  ];
}
