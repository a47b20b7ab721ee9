/**
 * Hostile manifests and worker responses through the whole run: each becomes a reject with its line number and a
 * reason, the run goes on, and nothing the tool writes changes the data it copies.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidate } from '../../src/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const annotations = 'job/annotations/worker-response/iteration-1';

/** A mirror folder to which the test adds responses and manifest lines as raw text or bytes. */
async function hostileJob() {
  const root = path.join(await tempDir(), 'sync');
  const lines: (string | Buffer)[] = [];
  return {
    root,
    lines,
    /** Writes a response file and returns a manifest line pointing at it. */
    async object(id: string, response: string, extra = '') {
      await mkdir(path.join(root, annotations, id), { recursive: true });
      await writeFile(path.join(root, annotations, id, 'r.json'), response);
      return `{"id":"${id}",${extra}"job":{},"job-metadata":{"worker-response-ref":"s3://bucket/out/${annotations}/${id}/r.json"}}`;
    },
    async run() {
      const manifest = path.join(root, 'manifest.jsonl');
      await writeFile(manifest, Buffer.concat(lines.map((line) => Buffer.concat([Buffer.from(line), Buffer.from('\n')]))));
      const out = path.join(root, 'out.manifest');
      const summary = await consolidate({ manifest, out, mirrors: [`s3://bucket/out/=${root}`] });
      const jsonLines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
      return { summary, output: await readFile(out, 'utf8'), rejects: await jsonLines(path.join(root, 'out.rejects.jsonl')) };
    },
  };
}

const answers = (content: string) => `{"answers":[{"workerId":"w1","answerContent":${content}}]}`;

describe('hostile input through consolidate()', () => {
  it('rejects a worker response nested 5,000 levels deep as too-deep and consolidates the next line', async () => {
    const job = await hostileJob();
    job.lines.push(
      await job.object('deep', answers(`{"f":${'['.repeat(5000)}${']'.repeat(5000)}}`)),
      await job.object('fine', answers('{"f":{"label":"a"}}')),
    );
    const { summary, rejects, output } = await job.run();
    expect(rejects.map(({ line, code, reason }) => [line, code, reason])).toEqual([
      [1, 'too-deep', 'worker response is nested deeper than 64 levels'],
    ]);
    expect(summary.lines).toMatchObject({ read: 2, consolidated: 1, rejected: 1 });
    expect(output).toContain('"fine"');
  });

  it('rejects an over-long line and a line of invalid UTF-8 with their line numbers, and reads on', async () => {
    const job = await hostileJob();
    job.lines.push(
      await job.object('before', answers('{"f":{"label":"a"}}')),
      `{"id":"huge","pad":"${'x'.repeat(64 * 1024 * 1024)}"}`,
      Buffer.concat([Buffer.from('{"id":"latin1","name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
      await job.object('after', answers('{"f":{"label":"b"}}')),
    );
    const { summary, rejects } = await job.run();
    expect(rejects.map(({ line, code }) => [line, code])).toEqual([[2, 'line-too-long'], [3, 'invalid-utf8']]);
    expect(rejects[0]!.text.length).toBeLessThanOrEqual(1024);
    expect(summary.lines).toEqual({ read: 4, consolidated: 2, failedInJob: 0, rejected: 2, blank: 0 });
  });

  it('rejects numbers a double cannot hold in lines and responses, and copies a failed line byte for byte', async () => {
    const job = await hostileJob();
    const failed = '{"id":12345678901234567890,"n":1e400,"job-metadata":{"failure-reason":"ClientError: expired"}}';
    job.lines.push(
      await job.object('in-line', answers('{"f":{"label":"a"}}'), '"n":1e-400,'),
      await job.object('in-response', answers('{"f":12345678901234567890}')),
      failed,
    );
    const { summary, rejects, output } = await job.run();
    expect(rejects.map(({ line, code }) => [line, code])).toEqual([[1, 'unsafe-number'], [2, 'unsafe-number']]);
    expect(output).toBe(`${failed}\n`);
    expect(summary.lines).toMatchObject({ read: 3, failedInJob: 1, rejected: 2 });
  });

  it('counts fields named constructor, toString and valueOf like any other field', async () => {
    const job = await hostileJob();
    const content = '{"constructor":{"label":"a"},"toString":{"label":"b"},"valueOf":3}';
    job.lines.push(await job.object('one', answers(content)), await job.object('two', answers(content)));
    const { summary, output } = await job.run();
    expect(summary.lines).toMatchObject({ consolidated: 2, rejected: 0 });
    for (const name of ['constructor', 'toString', 'valueOf']) expect(summary.fields[name]).toMatchObject({ objects: 2, answers: 2 });
    expect(JSON.parse(output.split('\n')[0]!).job).toEqual({ constructor: { label: 'a' }, toString: { label: 'b' }, valueOf: 3 });
  });

  it('never writes a key it refuses to read: a label "__proto__" is rejected, not turned into a vote key', async () => {
    const job = await hostileJob();
    job.lines.push(
      await job.object('one', answers('{"sentiment":{"label":"__proto__"}}')),
      await job.object('two', answers('{"tags":{"labels":["a","__proto__"]}}')),
      await job.object('three', answers('{"sentiment":{"label":"fine"}}')),
    );
    const { summary, output, rejects } = await job.run();
    expect(rejects.map(({ line, code }) => [line, code])).toEqual([[1, 'hostile-key'], [2, 'hostile-key']]);
    expect(summary.lines).toMatchObject({ read: 3, consolidated: 1, rejected: 2 });
    expect(output).not.toContain('__proto__');
  });
});
