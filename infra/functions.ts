/**
 * The Lambda functions of the constructs, all built the same way: a handler of this repository's source bundled by
 * esbuild (ESM, like the package) onto the Node.js 22 runtime. Node 20 is not offered: the AWS SDK's releases from
 * January 2027 need Node 22, and Lambda's `nodejs20.x` runtime is deprecated.
 */
import path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

export const repoRoot = path.resolve(import.meta.dirname, '..');

export interface HandlerFunctionProps {
  /** The handler's module, relative to the repository (`src/lambda/handler.ts`). */
  entry: string;
  /** The handler's export. */
  handler: string;
  functionName?: string;
  environment?: Record<string, string>;
  /** MiB (default 1024); Lambda gives CPU in proportion, and a run's fetches are CPU-bound on the parse. */
  memorySize?: number;
  /** Default 15 minutes, Lambda's cap. */
  timeout?: Duration;
}

export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: path.join(repoRoot, props.entry),
    handler: props.handler,
    functionName: props.functionName,
    environment: props.environment,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize ?? 1024,
    timeout: props.timeout ?? Duration.minutes(15),
    projectRoot: repoRoot,
    depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      // The package's CommonJS dependencies call `require`, which an ES module does not have.
      banner: "import { createRequire as bannerCreateRequire } from 'node:module'; const require = bannerCreateRequire(import.meta.url);",
    },
  });
}
