/**
 * The deployed state machines, executed offline: the definitions the CDK constructs synthesise (`infra/scale-out.ts`),
 * run by aws-local-stepfunctions with their tasks calling the real steps — the Lambda task handler for Step
 * Functions, the `gt-consolidate-task` container command (`runBatchTask`) with the environment each Batch job gets for
 * Batch — and checked equal to a one-machine run of the same job. aws-local-stepfunctions needs Node 22: on Node 20
 * these tests skip, and `.ci/run` runs them in its Node 22 pass.
 */
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScaleOutBatch, ScaleOutStateMachine, scaleOutTaskFunction, type ScaleOutPlaces } from '../../infra/scale-out.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { consolidate } from '../../src/index.js';
import { runBatchTask } from '../../src/scale-out/batch-task.js';
import { handleTask } from '../../src/scale-out/task-handler.js';
import { stateMachineDefinitions, synthesise, type StateMachineDefinition } from '../helpers/cdk.js';
import { tempDir } from '../helpers/temp-dir.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);
const synthTimeout = 240_000;
const labels = ['positive', 'negative', 'neutral'];

/** Dawid-Skene, majority vote and a numeric field; failed objects, and lines a run rejects. */
const objects: JobObject[] = Array.from({ length: 40 }, (_, i) => (i % 13 === 4
  ? { data: { id: i } }
  : {
    data: { id: i, source: `ticket ${i}` },
    answers: Array.from({ length: 2 + (i % 3) }, (_, w) => ({
      workerId: `private.us-east-1.${(i + w * 5) % 7}`,
      answerContent: { sentiment: { label: labels[(i + (w === 1 ? 1 : 0)) % 3]! }, urgency: { label: (i + w) % 4 ? 'low' : 'high' }, score: 1 + ((i + w) % 5) },
    })),
  }));
const fields = { sentiment: 'dawid-skene', urgency: 'majority-vote', score: 'mean' };

let dir: string;
let manifest: string;
let expected: { manifest: string; rejects: string; summary: unknown };

/** The summary without what differs between any two runs: the duration and the outputs' own names. */
function comparable(summary: string): unknown {
  const { durationMs: _, output: __, rejects: ___, ...rest } = JSON.parse(summary) as Record<string, unknown>;
  return rest;
}

async function outputsOf(out: string) {
  const base = out.replace(/\.manifest$/, '');
  return {
    manifest: await readFile(out, 'utf8'),
    rejects: await readFile(`${base}.rejects.jsonl`, 'utf8'),
    summary: comparable(await readFile(`${base}.summary.json`, 'utf8')),
  };
}

const places = (stack: import('aws-cdk-lib').Stack): ScaleOutPlaces => ({
  jobOutput: { bucket: Bucket.fromBucketName(stack, 'Jobs', 'labels') },
  work: { bucket: Bucket.fromBucketName(stack, 'Work', 'labels'), prefix: 'work/' },
  consolidatedOutput: { bucket: Bucket.fromBucketName(stack, 'Out', 'labels'), prefix: 'consolidated/' },
});

async function execute(definition: StateMachineDefinition, input: object, handlers: Record<string, (input: never) => Promise<unknown>>) {
  const { StateMachine } = await import('aws-local-stepfunctions');
  // The definition as deployed; only where the tasks run changes.
  const machine = new StateMachine(definition as never);
  return machine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers as never } }).result;
}

beforeAll(async () => {
  dir = await tempDir();
  manifest = await writeJobTree({ root: path.join(dir, 'job'), jobName: 'job', bucket: 'labels', prefix: '' }, objects);
  await appendFile(manifest, ['{"source": "no label metadata"}', 'not json', ''].join('\n') + '\n');
  const out = path.join(dir, 'one-machine', 'output.manifest');
  await consolidate({ manifest, out, fields });
  expected = await outputsOf(out);
  expect(expected.summary).toMatchObject({ lines: { rejected: 2, failedInJob: 3 } });
});

describe.skipIf(nodeMajor < 22)('the synthesised state machines, executed by aws-local-stepfunctions (Node 22+)', () => {
  it('Step Functions (Lambda tasks): the same outputs as one machine, for 3 shards', { timeout: synthTimeout }, async () => {
    const template = synthesise((stack) => new ScaleOutStateMachine(stack, 'ScaleOut', { taskFunction: scaleOutTaskFunction(stack, 'Task', places(stack)) }));
    const [definition] = Object.values(stateMachineDefinitions(template));
    expect(JSON.stringify(definition)).not.toContain('ItemReader'); // the Maps read their items from the input: nothing to rewrite
    const calls: string[] = [];
    const task = async (event: { step: string; index?: number }) => {
      calls.push(`${event.step}${event.index ?? ''}`);
      return handleTask(event);
    };
    const out = path.join(dir, 'step-functions', 'output.manifest');
    const job = { manifest, out, work: path.join(dir, 'step-functions', 'work'), fields };
    const result = await execute(definition!, { count: 3, job }, { ShardTask: task, Fit: task, DecideTask: task, Merge: task });
    expect(calls.sort()).toEqual(['decide0', 'decide1', 'decide2', 'fit', 'merge', 'shard0', 'shard1', 'shard2']);
    expect(result).toMatchObject({ step: 'merge', count: 3, output: out, lines: (expected.summary as { lines: object }).lines });
    expect(await outputsOf(out)).toEqual(expected);
  });

  it('AWS Batch (array jobs, one container command): the same outputs as one machine, for 4 shards', { timeout: synthTimeout }, async () => {
    const template = synthesise((stack) => new ScaleOutBatch(stack, 'Batch', { ...places(stack), vpc: new Vpc(stack, 'Vpc'), image: ContainerImage.fromRegistry('gt-consolidate') }));
    const [definition] = Object.values(stateMachineDefinitions(template));
    const jobs: string[] = [];
    // What Batch does with a SubmitJob request: one container, or `Size` children, each with the overrides' environment
    // and, in an array, its index and the array's size.
    const submitJob = async (request: { ArrayProperties?: { Size: number }; ContainerOverrides: { Environment: { Name: string; Value: string }[] } }) => {
      const environment = Object.fromEntries(request.ContainerOverrides.Environment.map(({ Name, Value }) => [Name, Value]));
      const size = request.ArrayProperties?.Size;
      const children: Record<string, string>[] = size === undefined ? [{}] : Array.from({ length: size }, (_, index) => ({ AWS_BATCH_JOB_ARRAY_INDEX: String(index), AWS_BATCH_JOB_ARRAY_SIZE: String(size) }));
      const codes = await Promise.all(children.map(async (batch) => {
        const stdout: string[] = [];
        const code = await runBatchTask({ ...environment, ...batch }, { write: (line: string) => stdout.push(line) } as never, process.stderr);
        jobs.push(`${environment.GT_CONSOLIDATE_STEP}${batch.AWS_BATCH_JOB_ARRAY_INDEX ?? ''} → ${code}`);
        return code;
      }));
      if (codes.some((code) => code !== 0)) throw new Error(`a ${environment.GT_CONSOLIDATE_STEP} job failed`);
      return { Status: 'SUCCEEDED' };
    };
    const out = path.join(dir, 'batch', 'output.manifest');
    const job = { manifest, out, work: path.join(dir, 'batch', 'work'), fields };
    await execute(definition!, { count: 4, job }, { Shard: submitJob, Fit: submitJob, Decide: submitJob, Merge: submitJob });
    expect(jobs.sort()).toEqual(['decide0 → 0', 'decide1 → 0', 'decide2 → 0', 'decide3 → 0', 'fit → 0', 'merge → 0', 'shard0 → 0', 'shard1 → 0', 'shard2 → 0', 'shard3 → 0']);
    expect(await outputsOf(out)).toEqual(expected);
  });
});
