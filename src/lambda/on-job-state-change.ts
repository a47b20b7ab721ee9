/**
 * Consolidates a labeling job when it completes: the target of an EventBridge rule on Ground Truth's
 * `SageMaker Ground Truth Labeling Job State Change` event (wave2-anchors.md D):
 *
 *   {"source": "aws.sagemaker", "detail-type": "SageMaker Ground Truth Labeling Job State Change",
 *    "resources": ["arn:aws:sagemaker:us-east-1:111122223333:labeling-job/test-labeling-job"],
 *    "detail": {"LabelingJobStatus": "Completed"}, …}
 *
 * The event names the job only by its ARN, so `DescribeLabelingJob` supplies the output manifest
 * (`LabelingJobOutput.OutputDatasetS3Uri`) and the label attribute. Only `Completed` runs; `Failed` and `Stopped`
 * (and any other status) are logged and ignored. The outputs go beside the job's own output
 * (`s3://…/<job>/consolidated/output.manifest`, rejects and summary beside it) or under a configured prefix. A job too
 * large for the Lambda's 15 minutes can go to a sharded run instead (`scaleOut`, `start-scale-out.ts`).
 *
 * EventBridge may deliver an event more than once, so the run is idempotent on job ARN + status: a marker
 * (`trigger-<status>.json` in the output folder, naming the job) is checked before the run and written after its outputs
 * commit. Checked-then-written rather than claimed first with a conditional put (`IfNoneMatch: '*'`):
 * - a claim taken before a run that then fails (timeout, throttling) would make every retry skip the job; a marker
 *   written after success lets EventBridge's and Lambda's retries redo a failed run;
 * - two deliveries racing inside one run's duration both run, but a run is deterministic (seeded) and commits its
 *   outputs all-or-nothing, so the second writes the same bytes: wasted work, never a wrong or half-written result;
 * - s3rver, the S3 server of the tests, ignores `If-None-Match` on PUT (it honours it only on GET), so a claim could
 *   not be tested offline.
 */
// Types only: the SDK clients (~30 MiB) are imported when an event arrives, so that importing the package for a local
// run does not load them (test/e2e/lazy-modules.test.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import type { DescribeLabelingJobCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { FieldSetting } from '../config/field-setting.js';
import { RejectError, UsageError } from '../errors.js';
import { JobIO } from '../io/job-io.js';
import type { S3Settings } from '../io/s3/s3-settings.js';
import { parseS3Uri } from '../io/s3/s3-uri.js';
import { isRecord } from '../json.js';
import { consolidate } from '../pipeline/consolidate.js';
import type { Summary } from '../report/summary.js';
import { parseUntrustedJson } from '../responses/safe-json.js';
import { settingsFromEnvironment } from './handler.js';
import { checkScaleOutTrigger, objectCount, scaleOutFromEnvironment, startScaleOut, type ScaleOutTrigger } from './start-scale-out.js';

export const jobStateChangeDetailType = 'SageMaker Ground Truth Labeling Job State Change';

export interface JobStateChangeSettings {
  /** Strategy and options per field, as `consolidate()` takes them; model strategies are fine (the whole job is there). */
  fields?: Readonly<Record<string, FieldSetting | string>>;
  /** S3 prefixes worker responses may be read from besides the output manifest's own bucket. */
  allowedPrefixes?: readonly string[];
  /**
   * Where the outputs go: a folder relative to the job's output folder (default `consolidated/`), or an `s3://` prefix
   * under which each job gets `<job name>/`.
   */
  outputPrefix?: string;
  /** Jobs with more objects than `scaleOut.aboveObjects` start a sharded run instead of running here. */
  scaleOut?: ScaleOutTrigger;
  s3?: S3Settings;
  s3Client?: S3Client;
  sagemakerClient?: SageMakerClient;
  sfnClient?: SFNClient;
  /** What the handler did and why (ignored statuses, repeated deliveries); default: `console.log`, i.e. CloudWatch. */
  log?: (message: string) => void;
}

export interface JobStateChangeEvent {
  source: string;
  'detail-type': string;
  resources: string[];
  detail: { LabelingJobStatus: string };
  [key: string]: unknown;
}

export type JobStateChangeResult =
  | { action: 'consolidated'; jobArn: string; output: string; marker: string; lines: Summary['lines'] }
  | { action: 'already-consolidated'; jobArn: string; marker: string }
  | { action: 'scaled-out'; jobArn: string; executionArn: string; started: boolean; count: number; output: string }
  | { action: 'ignored'; jobArn: string; reason: string };

export type JobStateChangeHandler = (event: JobStateChangeEvent) => Promise<JobStateChangeResult>;

const defaultOutputPrefix = 'consolidated/';
/** Markers are a few hundred bytes; anything larger is not ours. */
const markerMaxBytes = 64 * 1024;
// Job names: 1–63 characters, alphanumerics and hyphens, starting with an alphanumeric (SageMaker API).
const jobArnPattern = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:labeling-job\/([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})$/;

/** A handler with `settings`; a bad configuration throws here, before any event. */
export function jobStateChangeHandler(settings: JobStateChangeSettings = {}): JobStateChangeHandler {
  const outputPrefix = checkOutputPrefix(settings.outputPrefix ?? defaultOutputPrefix);
  const scaleOut = settings.scaleOut && checkScaleOutTrigger(settings.scaleOut);
  const log = settings.log ?? console.log;
  return async (event) => {
    const { jobArn, jobName, status } = parseEvent(event);
    if (status !== 'Completed') {
      const reason = `labeling job ${jobArn} is ${status}: only a Completed job is consolidated`;
      log(reason);
      return { action: 'ignored', jobArn, reason };
    }
    const { DescribeLabelingJobCommand, SageMakerClient } = await import('@aws-sdk/client-sagemaker');
    const sagemaker = settings.sagemakerClient ?? new SageMakerClient({ region: regionOf(jobArn) });
    try {
      const job = describedJob(await sagemaker.send(new DescribeLabelingJobCommand({ LabelingJobName: jobName })), jobArn);
      if (scaleOut && job.objects > scaleOut.aboveObjects) {
        const run = await startScaleOut(job, scaleOut, settings, settings.sfnClient);
        log(`labeling job ${jobArn}: ${job.objects} objects, above ${scaleOut.aboveObjects}: `
          + `${run.started ? 'started' : 'already ran'} the sharded run ${run.executionArn} (${run.count} shards) into ${run.output}`);
        return { action: 'scaled-out', jobArn, ...run };
      }
      const folder = outputFolder(job, outputPrefix);
      const marker = `${folder}trigger-${status.toLowerCase()}.json`;
      const io = new JobIO({ s3: settings.s3, s3Client: settings.s3Client });
      try {
        if (await markerExists(io, marker, jobArn)) {
          log(`labeling job ${jobArn} was already consolidated (${marker}): a repeated delivery, nothing to do`);
          return { action: 'already-consolidated', jobArn, marker };
        }
        const output = `${folder}output.manifest`;
        const summary = await consolidate({
          manifest: job.manifest, out: output, labelAttribute: job.labelAttribute, fields: settings.fields,
          allowRefPrefixes: settings.allowedPrefixes, log,
        }, io);
        await writeMarker(io, marker, { jobArn, status, eventId: event.id, output, lines: summary.lines, finishedAt: new Date().toISOString() });
        log(`labeling job ${jobArn}: ${summary.lines.consolidated} objects consolidated into ${output}, ${summary.lines.rejected} lines rejected`);
        return { action: 'consolidated', jobArn, output, marker, lines: summary.lines };
      } finally {
        io.close();
      }
    } finally {
      if (!settings.sagemakerClient) sagemaker.destroy();
    }
  };
}

/**
 * The handler to deploy (`dist/src/lambda/on-job-state-change.labelingJobStateChangeHandler`), configured by the
 * environment: `GT_CONSOLIDATE_FIELDS` and `GT_CONSOLIDATE_ALLOWED_PREFIXES` as the post-annotation Lambda reads them,
 * `GT_CONSOLIDATE_OUTPUT_PREFIX` (see `outputPrefix`), and `GT_CONSOLIDATE_SCALE_OUT_STATE_MACHINE`, `_WORK`, `_OUTPUT`,
 * `_ABOVE`, `_OBJECTS_PER_SHARD` (see `scaleOut`).
 */
export const labelingJobStateChangeHandler: JobStateChangeHandler = (event) =>
  (fromEnvironment ??= jobStateChangeHandler(triggerSettingsFromEnvironment(process.env)))(event);
let fromEnvironment: JobStateChangeHandler | undefined;

export function triggerSettingsFromEnvironment(env: NodeJS.ProcessEnv): JobStateChangeSettings {
  const { fields, allowedPrefixes } = settingsFromEnvironment(env);
  const scaleOut = scaleOutFromEnvironment(env);
  return {
    fields, allowedPrefixes, ...(env.GT_CONSOLIDATE_OUTPUT_PREFIX && { outputPrefix: env.GT_CONSOLIDATE_OUTPUT_PREFIX }), ...(scaleOut && { scaleOut }),
  };
}

/** The job and its status from an event that must be Ground Truth's job state change (it arrives from outside). */
export function parseEvent(event: unknown): { jobArn: string; jobName: string; status: string } {
  const expected = `expected an EventBridge "${jobStateChangeDetailType}" event from aws.sagemaker`;
  if (!isRecord(event)) throw new UsageError(`not an event: ${expected}`);
  if (event.source !== 'aws.sagemaker' || event['detail-type'] !== jobStateChangeDetailType) {
    throw new UsageError(`source ${JSON.stringify(event.source)}, detail-type ${JSON.stringify(event['detail-type'])}: ${expected}; `
      + 'check the rule\'s event pattern');
  }
  const resources = event.resources;
  const jobArn: unknown = Array.isArray(resources) ? resources[0] : undefined;
  const name = typeof jobArn === 'string' ? jobArnPattern.exec(jobArn)?.[1] : undefined;
  if (typeof jobArn !== 'string' || name === undefined) {
    throw new UsageError(`resources[0] ${JSON.stringify(jobArn)?.slice(0, 200)} is not a labeling job ARN (arn:aws:sagemaker:<region>:<account>:labeling-job/<name>)`);
  }
  const status = isRecord(event.detail) ? event.detail.LabelingJobStatus : undefined;
  if (typeof status !== 'string' || status === '') throw new UsageError('detail.LabelingJobStatus is missing: ' + expected);
  return { jobArn, jobName: name, status };
}

interface DescribedJob {
  name: string;
  manifest: string;
  labelAttribute: string;
  /** Its manifest's lines, by `LabelCounters`. */
  objects: number;
}

/** What a run needs from DescribeLabelingJob's answer, checked: it is another service's data, and names S3 locations. */
function describedJob(described: DescribeLabelingJobCommandOutput, jobArn: string): DescribedJob {
  const { LabelingJobArn: arn, LabelingJobName: name, LabelingJobStatus: status, LabelAttributeName: labelAttribute } = described;
  const manifest = described.LabelingJobOutput?.OutputDatasetS3Uri;
  if (arn?.toLowerCase() !== jobArn.toLowerCase()) throw new Error(`DescribeLabelingJob answered for ${arn}, not ${jobArn}`);
  if (status !== 'Completed') throw new Error(`DescribeLabelingJob says ${jobArn} is ${status}, not Completed`);
  if (manifest === undefined || !parseS3Uri(manifest)) throw new Error(`DescribeLabelingJob gives ${jobArn} no s3:// output manifest (${manifest})`);
  if (!name || !labelAttribute) throw new Error(`DescribeLabelingJob gives ${jobArn} no job name or label attribute`);
  return { name, manifest, labelAttribute, objects: objectCount(described.LabelCounters as Record<string, unknown> | undefined, jobArn) };
}

function checkOutputPrefix(prefix: string): string {
  const absolute = prefix.startsWith('s3://');
  const segments = (absolute ? parseS3Uri(prefix)?.key ?? '' : prefix).split('/').slice(0, -1);
  if (!prefix.endsWith('/') || segments.length === 0 || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new UsageError(`GT_CONSOLIDATE_OUTPUT_PREFIX "${prefix}" must be a folder ending in "/", without empty, "." or ".." parts: `
      + 'relative to the job\'s output folder (consolidated/), or s3://bucket/prefix/');
  }
  return prefix;
}

/** The folder the outputs go to: `<job output folder><prefix>`, or `<prefix><job name>/` for an `s3://` prefix. */
function outputFolder(job: DescribedJob, outputPrefix: string): string {
  if (outputPrefix.startsWith('s3://')) return `${outputPrefix}${job.name}/`;
  // Ground Truth writes `<S3OutputPath>/<job>/manifests/output/output.manifest`; its job folder is three levels up.
  const jobFolder = /^(.*\/)manifests\/output\/[^/]+$/.exec(job.manifest)?.[1] ?? job.manifest.slice(0, job.manifest.lastIndexOf('/') + 1);
  return `${jobFolder}${outputPrefix}`;
}

/** Whether `marker` records this job's run; a marker of another job, or not ours, stops the handler (read back: untrusted). */
async function markerExists(io: JobIO, marker: string, jobArn: string): Promise<boolean> {
  let bytes: Buffer;
  try {
    bytes = await io.storageFor(marker).readAll(marker, markerMaxBytes);
  } catch (error) {
    if (error instanceof RejectError && error.code === 'response-missing') return false;
    throw error;
  }
  let recorded: unknown;
  try {
    recorded = parseUntrustedJson(bytes.toString('utf8'), marker);
  } catch (error) {
    throw new Error(`${marker} is not a marker this handler wrote (${(error as Error).message}); delete it to consolidate ${jobArn}`, { cause: error });
  }
  const recordedArn = isRecord(recorded) ? recorded.jobArn : undefined;
  if (typeof recordedArn !== 'string') throw new Error(`${marker} names no job; delete it to consolidate ${jobArn}`);
  if (recordedArn.toLowerCase() !== jobArn.toLowerCase()) {
    throw new UsageError(`${marker} belongs to ${recordedArn.slice(0, 200)}, not ${jobArn}: two jobs share an output folder; `
      + 'give each its own GT_CONSOLIDATE_OUTPUT_PREFIX');
  }
  return true;
}

async function writeMarker(io: JobIO, marker: string, content: Record<string, unknown>): Promise<void> {
  const { bucket, key } = parseS3Uri(marker)!;
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  await (await io.client()).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${JSON.stringify(content, null, 2)}\n`, ContentType: 'application/json' }));
}

function regionOf(jobArn: string): string {
  return jobArn.split(':')[3]!;
}
