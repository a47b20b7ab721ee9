/**
 * The Lambda code as `cdk deploy` uploads it: each construct's function bundled by esbuild (what the constructs'
 * `handlerFunction` configures: ESM, Node 22), the bundle imported on this Node, its handler found under the name the
 * function's configuration gives, and refusing a bad event as the source does. No AWS account needed.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { JobCompletionTrigger } from '../../infra/job-completion-trigger.js';
import { PostAnnotationFunction } from '../../infra/post-annotation-function.js';
import { scaleOutTaskFunction } from '../../infra/scale-out.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('the bundled Lambda handlers', () => {
  it('load from their bundles and refuse a bad event', { timeout: 600_000 }, async () => {
    const outdir = await tempDir();
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundles');
    const jobOutput = { bucket: Bucket.fromBucketName(stack, 'Jobs', 'acme-labels') };
    new JobCompletionTrigger(stack, 'Trigger', { jobOutput });
    new PostAnnotationFunction(stack, 'PostAnnotation', { jobOutput });
    scaleOutTaskFunction(stack, 'Task', { jobOutput, work: jobOutput, consolidatedOutput: { ...jobOutput, prefix: 'out/' } });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function') as Record<string, { Properties: { Handler: string; Code: { S3Key: string } } }>;
    const assets = await readdir(outdir);
    const refusals: Record<string, string> = {};
    for (const { Properties: { Handler, Code } } of Object.values(functions)) {
      const [file, exported] = Handler.split('.') as [string, string];
      const asset = `asset.${Code.S3Key.replace(/\.zip$/, '')}`;
      expect(assets).toContain(asset);
      const module = await import(pathToFileURL(path.join(outdir, asset, `${file}.mjs`)).href) as Record<string, unknown>;
      expect(typeof module[exported]).toBe('function');
      const failure = await (module[exported] as (event: unknown) => Promise<unknown>)({ source: 'aws.s3' }).then(() => 'answered', (error: Error) => error.message);
      refusals[exported] = failure;
    }
    expect(refusals).toEqual({
      labelingJobStateChangeHandler: expect.stringMatching(/^source "aws\.s3", detail-type undefined: expected an EventBridge/),
      annotationConsolidationHandler: 'not a post-annotation Lambda event: expected {labelAttributeName, payload: {s3Uri}}',
      handler: expect.stringMatching(/^the task event is not valid at step/),
    });
  });
});
