/**
 * `run --resume`: the built CLI is killed with SIGKILL at several points, resumed, and must write the outputs of an
 * uninterrupted run byte for byte, without fetching again what it had checkpointed. The job is in S3 (s3rver, started
 * here) behind a proxy that delays every request, so a run lasts long enough to be killed midway; outputs go to local
 * files and to S3, the checkpoint to a local folder or to S3. A two-pass run is also killed after its last checkpoint,
 * while it fits, decides and writes (behind a proxy that slows uploads).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { s3rverEnv, startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const bucket = 'resume';
const labels = ['cat', 'dog', 'bird'];
const objects: JobObject[] = Array.from({ length: 160 }, (_, i) => (i % 61 === 7
  ? { data: { id: i } }
  : {
    data: { id: i, 'source-ref': `s3://${bucket}/images/${i}.jpg` },
    answers: Array.from({ length: 3 }, (_, w) => ({
      workerId: `private.us-east-1.w${w}`,
      answerContent: { animal: { label: labels[(i + (w === 2 && i % 3 === 0 ? 1 : 0)) % 3]! } },
    })),
  }));

let s3: TestS3;
let client: S3Client;
let slow: FaultProxy;
let slowWrites: FaultProxy;
let dir: string;
let manifest: string;

beforeAll(async () => {
  dir = await tempDir();
  s3 = await startS3Server([bucket]);
  client = s3.client();
  const root = path.join(dir, 'job');
  await writeJobTree({ root, jobName: 'job', bucket, prefix: 'job' }, objects);
  await s3.uploadTree(root, bucket, 'job/');
  manifest = `s3://${bucket}/job/job/manifests/output/output.manifest`;
  slow = await startFaultProxy(s3.port, { rate: 0, seed: 1, delayMs: 5 });
  slowWrites = await startFaultProxy(s3.port, { rate: 0, seed: 1, writeDelayMs: 1000 });
});
afterAll(async () => {
  client?.destroy();
  await slow?.close();
  await slowWrites?.close();
  await s3?.stop();
});

const env = { ...process.env, ...s3rverEnv };
const runArgs = (strategy: string, out: string, more: string[]) =>
  ['run', manifest, '-o', out, '-s', `animal=${strategy}`, '--endpoint-url', slow.endpoint, '--concurrency', '4', '--progress', 'none', ...more];

/**
 * Starts the CLI and kills it with SIGKILL once its checkpoint (the folder or S3 prefix `checkpoint`) holds at least
 * `lines` lines; resolves the lines it held.
 */
async function killAfter(args: string[], checkpoint: string, lines: number): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { cwd: repo, env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      const held = await checkpointLines(checkpoint);
      if (held >= lines) {
        child.kill('SIGKILL');
        await exited;
        return checkpointLines(checkpoint);
      }
      if (child.exitCode !== null) throw new Error(`the run ended (${child.exitCode}) before its checkpoint held ${lines} lines`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

const s3Key = (uri: string) => uri.slice(`s3://${bucket}/`.length);

async function checkpointLines(checkpoint: string): Promise<number> {
  const read = checkpoint.startsWith('s3://') ? s3Text(`${s3Key(checkpoint)}checkpoint.json`) : readFile(path.join(checkpoint, 'checkpoint.json'), 'utf8');
  const text = await read.catch(() => undefined);
  if (text === undefined) return 0;
  try {
    return (JSON.parse(text) as { lines: number }).lines;
  } catch {
    return 0; // s3rver (unlike S3) serves an object being replaced as far as it is written: read it again
  }
}

async function runCli(args: string[]) {
  const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

async function s3Text(key: string): Promise<string> {
  return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/** The outputs of a run, the summary without what a resume may change (its duration, retries) or names its outputs. */
async function outputsOf(read: (suffix: string) => Promise<string>) {
  const { durationMs: _, retries: __, output: ___, rejects: ____, ...summary } = JSON.parse(await read('.summary.json'));
  return { manifest: await read('.manifest'), rejects: await read('.rejects.jsonl'), summary };
}

/** The outputs of an uninterrupted run with `strategy` (local; S3 outputs are the same bytes, s3.test.ts). */
const uninterruptedRuns = new Map<string, ReturnType<typeof outputsOf>>();
function uninterrupted(strategy: string): ReturnType<typeof outputsOf> {
  const outputs = uninterruptedRuns.get(strategy) ?? (async () => {
    const base = path.join(dir, `${strategy}-uninterrupted`, 'output');
    await runCli(runArgs(strategy, `${base}.manifest`, []));
    return outputsOf((suffix) => readFile(base + suffix, 'utf8'));
  })();
  uninterruptedRuns.set(strategy, outputs);
  return outputs;
}

const responseGets = (proxy: FaultProxy, from: number) => proxy.log.slice(from).filter((request) => request.startsWith('GET') && request.includes('/worker-response/'));

describe.each(['majority-vote', 'dawid-skene'])('a run with %s killed with SIGKILL and resumed', (strategy) => {
  it.each(['local', 's3'])('writes the outputs of an uninterrupted run (%s outputs)', async (where) => {
    const name = `${strategy}-${where}`;
    const local = (run: string) => path.join(dir, name, run, 'output');
    const outOf = (run: string) => (where === 'local' ? `${local(run)}.manifest` : `s3://${bucket}/out/${name}/${run}/output.manifest`);
    const read = (run: string) => (suffix: string) => (where === 'local' ? readFile(local(run) + suffix, 'utf8') : s3Text(`out/${name}/${run}/output${suffix}`));
    const checkpoint = where === 'local' ? `${local('killed')}.checkpoint` : path.join(dir, name, 'checkpoint');
    const killedArgs = runArgs(strategy, outOf('killed'), ['--checkpoint-every', '15', ...(where === 's3' ? ['--checkpoint', checkpoint] : [])]);

    const whole = await uninterrupted(strategy);

    // Killed after the first checkpoint, then again, resumed, after the fourth; nothing was published meanwhile.
    expect(await killAfter(killedArgs, checkpoint, 15)).toBeGreaterThanOrEqual(15);
    if (where === 'local') {
      const refused = await cli([...killedArgs, '--endpoint-url', slow.endpoint]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('add --resume');
    }
    const held = await killAfter([...killedArgs, '--resume'], checkpoint, 60);
    expect(held).toBeGreaterThanOrEqual(60);
    await expect(read('killed')('.manifest')).rejects.toThrow();

    const before = slow.log.length;
    const { stderr } = await runCli([...killedArgs, '--resume']);
    expect(stderr).toContain(`resuming: ${held} lines from the checkpoint`);
    expect(await outputsOf(read('killed'))).toEqual(whole);
    // Only the lines after the checkpoint were fetched again.
    const objectsAfter = objects.filter((object, i) => object.answers && i >= held).length;
    expect(responseGets(slow, before)).toHaveLength(objectsAfter);
    await expect(stat(checkpoint)).rejects.toThrow(); // removed once the run committed
  }, 180_000);
});

describe('a two-pass run killed after its last checkpoint', () => {
  it('resumes from every line, fetching no response again, and writes the outputs of an uninterrupted run (S3 outputs)', async () => {
    const name = 'dawid-skene-writing';
    const checkpoint = path.join(dir, name, 'checkpoint');
    // Every line prepared and checkpointed, the run is fitting, deciding or uploading (each upload request held 1 s).
    const args = runArgs('dawid-skene', `s3://${bucket}/out/${name}/output.manifest`,
      ['--endpoint-url', slowWrites.endpoint, '--checkpoint-every', '15', '--checkpoint', checkpoint]);
    const whole = await uninterrupted('dawid-skene');

    expect(await killAfter(args, checkpoint, objects.length)).toBe(objects.length);
    await expect(s3Text(`out/${name}/output.manifest`)).rejects.toThrow();

    const before = slowWrites.log.length;
    const { stderr } = await runCli([...args, '--resume']);
    expect(stderr).toContain(`resuming: ${objects.length} lines from the checkpoint`);
    expect(await outputsOf((suffix) => s3Text(`out/${name}/output${suffix}`))).toEqual(whole);
    expect(responseGets(slowWrites, before)).toEqual([]);
    await expect(stat(checkpoint)).rejects.toThrow();
  }, 180_000);
});

const keysUnder = async (prefix: string) =>
  ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(({ Key }) => Key!).sort();

describe('a run whose checkpoint is on S3 (--checkpoint s3://…)', () => {
  it('killed after a checkpoint and resumed, writes the outputs of an uninterrupted run and removes the checkpoint', async () => {
    const checkpoint = `s3://${bucket}/checkpoints/resumed/`;
    const out = (suffix: string) => s3Text(`out/s3-checkpoint/output${suffix}`);
    const args = runArgs('majority-vote', `s3://${bucket}/out/s3-checkpoint/output.manifest`, ['--checkpoint-every', '15', '--checkpoint', checkpoint]);
    const whole = await uninterrupted('majority-vote');

    const held = await killAfter(args, checkpoint, 30);
    expect(held).toBeGreaterThanOrEqual(30);
    expect(await keysUnder(s3Key(checkpoint))).toContain(`${s3Key(checkpoint)}prepared-000001.jsonl`);
    const refused = await cli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`an interrupted run left a checkpoint in ${checkpoint}: add --resume`);

    const before = slow.log.length;
    const { stderr } = await runCli([...args, '--resume']);
    expect(stderr).toContain(`resuming: ${held} lines from the checkpoint in ${checkpoint}`);
    expect(await outputsOf(out)).toEqual(whole);
    expect(responseGets(slow, before)).toHaveLength(objects.filter((object, i) => object.answers && i >= held).length);
    expect(await keysUnder(s3Key(checkpoint))).toEqual([]);
  }, 180_000);

  it('refuses a changed chunk and a checkpoint.json that is not one, keeping the checkpoint', async () => {
    const checkpoint = `s3://${bucket}/checkpoints/damaged`;
    const args = runArgs('majority-vote', `s3://${bucket}/out/damaged/output.manifest`, ['--checkpoint-every', '15', '--checkpoint', checkpoint]);
    await killAfter(args, `${checkpoint}/`, 15);
    const put = (name: string, Body: string) => client.send(new PutObjectCommand({ Bucket: bucket, Key: `${s3Key(checkpoint)}/${name}`, Body }));

    const chunk = await s3Text(`${s3Key(checkpoint)}/prepared-000001.jsonl`);
    await put('prepared-000001.jsonl', chunk.split('\n').slice(1).join('\n')); // its first line dropped
    const changed = await cli([...args, '--resume']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`${checkpoint}/prepared-000001.jsonl line 1 holds manifest line 2, not 1`);
    expect(await keysUnder(`${s3Key(checkpoint)}/`)).toContain(`${s3Key(checkpoint)}/checkpoint.json`);

    await put('checkpoint.json', JSON.stringify({ version: 1, fingerprint: 'x', lines: 15 }));
    const notOne = await cli([...args, '--resume']);
    expect(notOne.code).toBe(2);
    expect(notOne.stderr).toContain(`${checkpoint}/checkpoint.json is not a checkpoint`);
    expect(notOne.stderr).toContain(`delete ${checkpoint} to start over`);
    await expect(s3Text(`out/damaged/output.manifest`)).rejects.toThrow();
  }, 60_000);

  it('refuses, before reading a line, a checkpoint in a bucket that does not exist or that is a whole bucket', async () => {
    const out = path.join(dir, 'no-bucket', 'output.manifest');
    const missing = await cli(runArgs('majority-vote', out, ['--checkpoint', 's3://no-such-bucket/checkpoint/']));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('output bucket s3://no-such-bucket: the bucket does not exist');
    const whole = await cli(runArgs('majority-vote', out, ['--checkpoint', `s3://${bucket}/`]));
    expect(whole.code).toBe(2);
    expect(whole.stderr).toContain(`--checkpoint s3://${bucket}/: name a prefix inside the bucket, s3://bucket/prefix/`);
    await expect(stat(out)).rejects.toThrow();
  }, 30_000);
});

describe('resume refusals', () => {
  it('refuses a checkpoint made from another manifest, naming the fix', async () => {
    const out = path.join(dir, 'refusal', 'output.manifest');
    const args = runArgs('majority-vote', out, ['--checkpoint-every', '15']);
    await killAfter(args, path.join(dir, 'refusal', 'output.checkpoint'), 15);
    const other = await cli(['run', path.join(dir, 'job', 'job', 'manifests', 'output', 'output.manifest'), '-o', out, '--resume',
      '--checkpoint', path.join(dir, 'refusal', 'output.checkpoint'), '--progress', 'none']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/made with another manifest location.*delete that folder to start over/);
  }, 30_000);
});
