/**
 * Writes a Ground Truth custom-job output tree exactly as the service lays it out in S3
 * (`<job>/manifests/output/output.manifest` and
 * `<job>/annotations/worker-response/iteration-<n>/<datasetObjectId>/<yyyy-mm-dd_hh:mm:ss>.json`),
 * with `worker-response-ref`s written as `s3://` URIs. Used by tests, the sample jobs and the benchmarks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface JobAnswer {
  workerId: string;
  answerContent: Record<string, unknown>;
  acceptanceTime?: string;
  submissionTime?: string;
  timeSpentInSeconds?: number;
  workerMetadata?: { identityData: { identityProviderType: string; issuer: string; sub: string } };
}

export interface JobObject {
  /** The input-manifest line's own fields (`source`, `source-ref`, …). */
  data: Record<string, unknown>;
  /** Worker answers; `undefined` makes Ground Truth's failed-object line instead. */
  answers?: JobAnswer[];
  failureReason?: string;
}

export interface JobTreeOptions {
  /** Folder that plays the role of `s3://<bucket>/<prefix>`. */
  root: string;
  jobName: string;
  bucket: string;
  prefix: string;
  labelAttribute?: string;
  /** Completion time of the first object; later objects are a few seconds apart. */
  start?: Date;
}

/** `2021-03-08_23:06:49`, the file-name format of worker-response files. */
export function responseFileStamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', '_');
}

export async function writeJobTree(options: JobTreeOptions, objects: readonly JobObject[]): Promise<string> {
  const { root, jobName, bucket, prefix } = options;
  const label = options.labelAttribute ?? jobName;
  const jobDir = path.join(root, jobName);
  const s3Job = `s3://${bucket}/${prefix ? `${prefix.replace(/\/$/, '')}/` : ''}${jobName}`;
  const start = options.start ?? new Date('2025-03-08T23:06:49Z');
  const lines: string[] = [];
  for (const [index, object] of objects.entries()) {
    const at = new Date(start.getTime() + index * 7_000);
    const creationDate = at.toISOString().replace('Z', '000');
    if (!object.answers) {
      lines.push(JSON.stringify({
        ...object.data,
        [`${label}-metadata`]: {
          'retry-count': 1,
          'failure-reason': object.failureReason ?? 'ClientError: Annotation tasks expired.',
          'human-annotated': 'true',
        },
      }));
      continue;
    }
    const relative = `annotations/worker-response/iteration-1/${index}/${responseFileStamp(at)}.json`;
    const file = path.join(jobDir, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ answers: object.answers }));
    lines.push(JSON.stringify({
      ...object.data,
      [label]: {},
      [`${label}-metadata`]: {
        'job-name': jobName,
        type: 'groundtruth/custom',
        'human-annotated': 'yes',
        'creation-date': creationDate,
        'worker-response-ref': `${s3Job}/${relative}`,
      },
    }));
  }
  const manifest = path.join(jobDir, 'manifests/output/output.manifest');
  await mkdir(path.dirname(manifest), { recursive: true });
  await writeFile(manifest, lines.join('\n') + '\n');
  return manifest;
}
