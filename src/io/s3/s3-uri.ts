/** `s3://bucket/key` locations. */
export interface S3Location {
  bucket: string;
  key: string;
}

export const isS3Uri = (location: string): boolean => location.startsWith('s3://');

/** Splits `s3://bucket/key`; `undefined` if it is not one (a bucket and a non-empty key are required). */
export function parseS3Uri(uri: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}
