/**
 * A frozen model: `run --save-model` writes what the fit learned; `run --model` and the post-annotation Lambda
 * (`GT_CONSOLIDATE_MODEL`) decide other objects with it, without fitting, by Dawid-Skene's E-step on the saved
 * parameters; a model that does not fit the job is refused (exit 2) with the fix.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as runCli } from '../helpers/cli.js';
import { postAnnotationHandler, settingsFromEnvironment, type ConsolidationRequestEvent } from '../../src/lambda/handler.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { startS3Server, type TestS3 } from '../../sample-output/s3-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const topics = ['billing', 'returns', 'shipping'];
const careful = ['w0', 'w1', 'w2'];
/** The fitted job: three careful workers who agree, and a spammer who always answers "billing". */
const fittedJob: JobObject[] = Array.from({ length: 60 }, (_, i) => ({
  data: { id: i },
  answers: [...careful.map((workerId, w) => ({ workerId, answerContent: { topic: { label: topics[(i + (w === 2 && i % 10 === 0 ? 1 : 0)) % 3]! } } })),
    { workerId: 'spammer', answerContent: { topic: { label: 'billing' } } }],
}));
/** Objects the fit never saw: the careful w0 against the spammer, and a worker the fit never saw alone. */
const newJob: JobObject[] = [
  { data: { id: 'a' }, answers: [{ workerId: 'w0', answerContent: { topic: { label: 'returns' } } }, { workerId: 'spammer', answerContent: { topic: { label: 'billing' } } }] },
  { data: { id: 'b' }, answers: [{ workerId: 'newcomer', answerContent: { topic: { label: 'shipping' } } }] },
];

let dir: string;

/** The built command (`npm test` builds it first), quiet: only errors on stderr. */
async function cli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const { code, stderr } = await runCli([...args, '--quiet']);
  return { code, stderr };
}

async function job(name: string, objects: JobObject[]): Promise<string> {
  return writeJobTree({ root: path.join(dir, name), jobName: 'job', bucket: 'labels', prefix: name }, objects);
}

const linesOf = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));

interface SavedEm { labels: string[]; workers: string[]; priors: number[]; errors: number[] }

/** P(true c | answers) ∝ prior[c] · Π P(given | c), the confusion of an unseen worker being the workers' mean. */
function expectedPosterior(model: SavedEm, answers: [worker: string, label: string][]): Record<string, number> {
  const k = model.labels.length;
  const confusion = (worker: string, given: number, truth: number) => {
    const w = model.workers.indexOf(worker);
    const of = (at: number) => model.errors[(at * k + given) * k + truth]!;
    return w >= 0 ? of(w) : model.workers.reduce((sum, _, at) => sum + of(at), 0) / model.workers.length;
  };
  const joint = model.labels.map((_, c) => answers.reduce((product, [worker, label]) => product * confusion(worker, model.labels.indexOf(label), c), model.priors[c]!));
  const total = joint.reduce((sum, p) => sum + p, 0);
  return Object.fromEntries(model.labels.map((label, c) => [label, joint[c]! / total]));
}

let modelFile: string;
let saved: SavedEm;

beforeAll(async () => {
  dir = await tempDir();
  modelFile = path.join(dir, 'model.json');
  const fitted = await cli(['run', await job('fitted', fittedJob), '--out', path.join(dir, 'fitted/output.manifest'), '-s', 'topic=dawid-skene', '--save-model', modelFile]);
  expect(fitted.stderr).toBe('');
  saved = JSON.parse(await readFile(modelFile, 'utf8')).fields.topic.saved;
});

describe('run --model', () => {
  it('decides objects the fit never saw from the saved parameters, without fitting', async () => {
    const out = path.join(dir, 'new/output.manifest');
    expect(await cli(['run', await job('new', newJob), '--out', out, '-s', 'topic=dawid-skene', '--model', modelFile])).toEqual({ code: 0, stderr: '' });
    const [a, b] = await linesOf(out);
    // w0 against the spammer: a tie for majority vote, decided for the careful worker by the model.
    expect(a.job.topic).toEqual({ label: 'returns' });
    const posteriorA = a['job-metadata'].consolidation.topic.posterior;
    const expectedA = expectedPosterior(saved, [['w0', 'returns'], ['spammer', 'billing']]);
    for (const label of topics) expect(posteriorA[label]).toBeCloseTo(expectedA[label]!, 12);
    const posteriorB = b['job-metadata'].consolidation.topic.posterior;
    const expectedB = expectedPosterior(saved, [['newcomer', 'shipping']]);
    for (const label of topics) expect(posteriorB[label]).toBeCloseTo(expectedB[label]!, 12);
  });

  it('decides the fitted job\'s own objects as the fit did', async () => {
    const out = path.join(dir, 'again/output.manifest');
    expect((await cli(['run', await job('again', fittedJob), '--out', out, '-s', 'topic=dawid-skene', '--model', modelFile])).code).toBe(0);
    const labels = (lines: { job: { topic: unknown } }[]) => lines.map((line) => line.job.topic);
    expect(labels(await linesOf(out))).toEqual(labels(await linesOf(path.join(dir, 'fitted/output.manifest'))));
  });

  it('refuses a model that does not fit the job, before writing anything (exit 2)', async () => {
    const manifest = await job('refused', newJob);
    const out = path.join(dir, 'refused/output.manifest');
    const withModel = (model: string, ...more: string[]) => cli(['run', manifest, '--out', out, '--model', model, ...more]);
    const other = await withModel(modelFile, '-s', 'topic=hierarchical-ds');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('the model has a dawid-skene model for field "topic", which this job decides with hierarchical-ds');

    const unknownLabel = await cli(['run', await job('unknown-label', [{ data: { id: 'c' }, answers: [{ workerId: 'w0', answerContent: { topic: { label: 'refund' } } }] }]),
      '--out', out, '-s', 'topic=dawid-skene', '--model', modelFile]);
    expect(unknownLabel.code).toBe(2);
    expect(unknownLabel.stderr).toContain('field "topic" has labels the model was not fitted on (refund)');

    const tampered = JSON.parse(await readFile(modelFile, 'utf8'));
    tampered.fields.topic.saved.priors[0] = 7;
    await writeFile(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
    const bad = await withModel(path.join(dir, 'tampered.json'), '-s', 'topic=dawid-skene');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the saved EM model is not valid at priors\.0: .*fit it again/);

    await writeFile(path.join(dir, 'not-a-model.json'), '{"format": "something else"}');
    const notModel = await withModel(path.join(dir, 'not-a-model.json'), '-s', 'topic=dawid-skene');
    expect(notModel.code).toBe(2);
    expect(notModel.stderr).toContain('is not what this step wrote');
    await expect(readFile(out, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('the post-annotation Lambda with GT_CONSOLIDATE_MODEL', () => {
  let s3: TestS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startS3Server(['gt']);
    client = s3.client();
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  const event = { labelAttributeName: 'topics', payload: { s3Uri: 's3://gt/job/payload.json' } } as ConsolidationRequestEvent;
  const annotation = (workerId: string, label: string) => ({ workerId, annotationData: { content: JSON.stringify({ topic: { label } }) } });

  it('decides a model strategy with the frozen model, as run --model does', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'gt', Key: 'models/model.json', Body: await readFile(modelFile) }));
    await client.send(new PutObjectCommand({
      Bucket: 'gt', Key: 'job/payload.json',
      Body: JSON.stringify([{ datasetObjectId: '0', dataObject: { content: 'x' }, annotations: [annotation('w0', 'returns'), annotation('spammer', 'billing')] }]),
    }));
    const settings = settingsFromEnvironment({ GT_CONSOLIDATE_FIELDS: '{"topic": "dawid-skene"}', GT_CONSOLIDATE_MODEL: 's3://gt/models/model.json' });
    const [entry] = await postAnnotationHandler({ ...settings, s3Client: client })(event);
    const content = entry!.consolidatedAnnotation.content.topics as { topic: unknown; consolidation: { fields: { topic: { strategy: string; posterior: object } } } };
    expect(content.topic).toEqual({ label: 'returns' });
    expect(content.consolidation.fields.topic.strategy).toBe('dawid-skene');
    const [fromRun] = await linesOf(path.join(dir, 'new/output.manifest'));
    expect(content.consolidation.fields.topic.posterior).toEqual(fromRun['job-metadata'].consolidation.topic.posterior);
  });

  it('still refuses a model strategy when no model is given', () => {
    expect(() => postAnnotationHandler({ fields: { topic: 'dawid-skene' }, s3Client: client })).toThrow(/has no frozen model to load.*GT_CONSOLIDATE_MODEL/);
  });
});
