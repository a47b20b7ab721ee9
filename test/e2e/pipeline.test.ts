import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { consolidate, registerStrategy, UsageError, type Summary } from '../../src/index.js';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';

const readJsonLines = async (file: string) =>
  (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
const vote = (label: string, n: number) => ({ workerId: worker(n), answerContent: { sentiment: { label } } });

describe('consolidate: output format', () => {
  let dir: string;
  let manifest: string;
  let summary: Summary;
  let lines: Record<string, any>[];

  beforeAll(async () => {
    dir = await tempDir();
    const objects: JobObject[] = [
      { data: { source: 'great', id: 0 }, answers: [vote('positive', 1), vote('positive', 2), vote('negative', 3)] },
      { data: { source: 'expired', id: 1 } },
      {
        data: { 'source-ref': 's3://b/img.jpg', id: 2 },
        answers: [
          { workerId: worker(1), answerContent: { score: 4, tags: { blurry: true, dark: false }, note: 'A long enough free text comment here.', boxes: { boundingBoxes: [{ left: 1 }] } } },
          { workerId: worker(2), answerContent: { score: '5', tags: { blurry: true, dark: true }, boxes: { boundingBoxes: [{ top: 2 }] } } },
        ],
      },
      { data: { source: 'nobody', id: 3 }, answers: [] },
    ];
    manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'out' }, objects);
    summary = await consolidate({ manifest, out: path.join(dir, 'result/output.manifest') });
    lines = await readJsonLines(path.join(dir, 'result/output.manifest'));
  });

  it('writes one line per consolidated or failed object, in input order, keeping every input key', () => {
    expect(lines.map((line) => line.id)).toEqual([0, 1, 2, 3]);
    expect(lines[0]!.source).toBe('great');
    expect(lines[2]!['source-ref']).toBe('s3://b/img.jpg');
  });

  it('writes each field in the shape workers submitted, with per-field consolidation metadata', () => {
    expect(lines[0]!.job).toEqual({ sentiment: { label: 'positive' } });
    const metadata = lines[0]!['job-metadata'];
    expect(metadata['job-name']).toBe('job');
    expect(metadata['worker-response-ref']).toMatch(/^s3:\/\/bucket\/out\/job\/annotations\/worker-response\/iteration-1\/0\//);
    // The automatic pick for a categorical field: a posterior over both labels, never certain from three workers.
    expect(metadata.consolidation.sentiment).toMatchObject({ strategy: 'hierarchical-ds', answers: 3 });
    expect(Object.keys(metadata.consolidation.sentiment.posterior).sort()).toEqual(['negative', 'positive']);
    expect(metadata.consolidation.sentiment.confidence).toBeGreaterThan(0.5);
    expect(metadata.consolidation.sentiment.confidence).toBeLessThan(1);
    // The object is as sure as its least sure decided field.
    const decided = Object.values(lines[2]!['job-metadata'].consolidation as Record<string, { strategy: string | null; confidence?: number }>)
      .filter(({ strategy }) => strategy !== null && strategy !== 'collect');
    expect(lines[2]!['job-metadata'].confidence).toBe(Math.min(...decided.map(({ confidence }) => confidence!)));
    expect(lines[2]!.job).toEqual({ score: 4.5, tags: { blurry: true, dark: false }, note: ['A long enough free text comment here.'] });
  });

  it('passes failed objects through unchanged', async () => {
    const input = (await readFile(manifest, 'utf8')).split('\n');
    expect(JSON.stringify(lines[1])).toBe(input[1]);
  });

  it('keeps unknown shapes verbatim and reports them', () => {
    expect(lines[2]!['job-metadata'].consolidation.boxes).toEqual({
      strategy: null, answers: 0, unknownShape: [{ boundingBoxes: [{ left: 1 }] }, { boundingBoxes: [{ top: 2 }] }],
    });
    expect(summary.unknownShapes).toEqual({ boxes: 2 });
  });

  it('with unknownAnswers: ref, counts them and points at the worker response instead of copying them', async () => {
    const out = path.join(dir, 'unknown-ref.manifest');
    await consolidate({ manifest, out, unknownAnswers: 'ref' });
    const [, , line] = await readJsonLines(out);
    expect(line!['job-metadata'].consolidation.boxes).toEqual({ strategy: null, answers: 0, unknownShape: { answers: 2, in: 'worker-response-ref' } });
    expect(line!['job-metadata']['worker-response-ref']).toBe(lines[2]!['job-metadata']['worker-response-ref']);
  });

  it('consolidates an object without answers to an empty label with confidence 0', () => {
    expect(lines[3]!.job).toEqual({});
    expect(lines[3]!['job-metadata']).toMatchObject({ consolidation: {}, confidence: 0 });
    expect(summary.objectsWithoutAnswers).toBe(1);
  });

  it('summarises counts that add up, strategies picked per field, and writes the summary file', async () => {
    expect(summary.lines).toEqual({ read: 4, consolidated: 3, failedInJob: 1, rejected: 0, blank: 0 });
    expect(summary.fields.sentiment).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical', objects: 1 });
    expect(summary.fields.score).toMatchObject({ strategy: 'mean', pickedFor: 'numeric', answers: 2 });
    expect(summary.fields.tags).toMatchObject({ strategy: 'multi-label-vote', pickedFor: 'multi-label' });
    expect(summary.fields.note).toMatchObject({ strategy: 'collect', pickedFor: 'text' });
    expect(summary.answers).toBe(5);
    expect(summary.workers).toBe(3);
    const written = JSON.parse(await readFile(path.join(dir, 'result/output.summary.json'), 'utf8'));
    expect(written.lines).toEqual(summary.lines);
    expect(await readFile(path.join(dir, 'result/output.rejects.jsonl'), 'utf8')).toBe('');
  });
});

describe('consolidate: bad input is rejected with its line number and reason, and nothing is lost', () => {
  it('routes every kind of bad line to the rejects file', async () => {
    const dir = await tempDir();
    const root = path.join(dir, 'sync');
    const good = await writeJobTree({ root, jobName: 'job', bucket: 'bucket', prefix: 'out' },
      [{ data: { id: 'good' }, answers: [vote('a', 1)] }]);
    const annotations = path.join(root, 'job/annotations/worker-response/iteration-1');
    const response = async (name: string, body: string) => {
      await mkdir(path.join(annotations, name), { recursive: true });
      await writeFile(path.join(annotations, name, 'r.json'), body);
      return `s3://bucket/out/job/annotations/worker-response/iteration-1/${name}/r.json`;
    };
    const line = (id: string, ref: string) => JSON.stringify({ id, job: {}, 'job-metadata': { 'worker-response-ref': ref } });
    const goodLine = (await readFile(good, 'utf8')).trim();
    const manifestLines = [
      goodLine, //                                                    1
      '{"id": "truncated", ', //                                      2 invalid-json
      '[1, 2, 3]', //                                                 3 not-an-object
      '{"id": "unlabeled", "source": "x"}', //                        4 no-label-metadata
      '', //                                                          5 blank
      line('traversal', 's3://bucket/out/job/../../../../etc/passwd'), // 6 invalid-ref
      line('other-bucket', 's3://attacker/out/job/x.json'), //        7 ref-not-allowed
      line('missing', 's3://bucket/out/job/annotations/nope.json'), // 8 response-missing
      line('large', await response('large', JSON.stringify({ answers: [vote('a', 1)], pad: 'x'.repeat(5000) }))), // 9
      line('not-json', await response('not-json', '{"answers": [')), // 10 invalid-response
      line('no-answers', await response('no-answers', '{"responses": []}')), // 11 invalid-response
      line('no-worker', await response('no-worker', '{"answers": [{"answerContent": {}}]}')), // 12 invalid-response
      line('hostile', await response('hostile', '{"answers": [{"workerId": "w", "answerContent": {"__proto__": {"x": 1}}}]}')), // 13
      goodLine.replace('"good"', '"good-again"'), //                  14
      line('directory', 's3://bucket/out/job/annotations/worker-response'), // 15 response-unreadable (EISDIR)
    ];
    const manifest = path.join(root, 'manifest.jsonl');
    await writeFile(manifest, manifestLines.join('\r\n'));
    const out = path.join(dir, 'out.manifest');
    const summary = await consolidate({ manifest, out, mirrors: [`s3://bucket/out/=${root}`], maxResponseBytes: 4096 });

    const rejects = await readJsonLines(path.join(dir, 'out.rejects.jsonl'));
    expect(rejects.map(({ line, code }) => [line, code])).toEqual([
      [2, 'invalid-json'], [3, 'not-an-object'], [4, 'no-label-metadata'], [6, 'invalid-ref'], [7, 'ref-not-allowed'],
      [8, 'response-missing'], [9, 'response-too-large'], [10, 'invalid-response'], [11, 'invalid-response'],
      [12, 'invalid-response'], [13, 'hostile-key'], [15, 'response-unreadable'],
    ]);
    for (const reject of rejects) {
      expect(reject.text).toBe(manifestLines[reject.line - 1]);
      expect(reject.reason.length).toBeGreaterThan(10);
    }
    expect(summary.lines).toEqual({ read: 14, consolidated: 2, failedInJob: 0, rejected: 12, blank: 1 });
    const { read, consolidated, failedInJob, rejected } = summary.lines;
    expect(consolidated + failedInJob + rejected).toBe(read);
    expect((await readJsonLines(out)).map((l) => l.id)).toEqual(['good', 'good-again']);
    expect(summary.rejectedBy).toEqual({
      'invalid-json': 1, 'not-an-object': 1, 'no-label-metadata': 1, 'invalid-ref': 1, 'ref-not-allowed': 1,
      'response-missing': 1, 'response-too-large': 1, 'invalid-response': 3, 'hostile-key': 1, 'response-unreadable': 1,
    });
  });
});

describe('consolidate: order and concurrency', () => {
  it('keeps input order with many objects fetched concurrently', async () => {
    const dir = await tempDir();
    const objects: JobObject[] = Array.from({ length: 600 }, (_, i) => ({
      data: { id: i },
      answers: Array.from({ length: 1 + (i % 5) }, (_, w) => vote(['x', 'y', 'z'][(i + w) % 3]!, w)),
    }));
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: '' }, objects);
    for (const concurrency of [1, 7, 64]) {
      const out = path.join(dir, `out-${concurrency}.manifest`);
      const summary = await consolidate({ manifest, out, concurrency });
      expect(summary.lines.consolidated).toBe(600);
      const lines = await readJsonLines(out);
      expect(lines.map((line) => line.id)).toEqual(objects.map((o) => o.data.id));
    }
    const [one, many] = await Promise.all([1, 64].map((c) => readFile(path.join(dir, `out-${c}.manifest`), 'utf8')));
    expect(many).toBe(one);
    // The same with the fetch-and-parse stage on two worker threads, and with a model that makes the run two-pass.
    const threaded = await consolidate({ manifest, out: path.join(dir, 'threads.manifest'), concurrency: 16, workers: 2 });
    expect(threaded.lines).toEqual((await consolidate({ manifest, out: path.join(dir, 'main.manifest') })).lines);
    expect(await readFile(path.join(dir, 'threads.manifest'), 'utf8')).toBe(one);
    const fields = { sentiment: { strategy: 'dawid-skene' } };
    await consolidate({ manifest, out: path.join(dir, 'ds-threads.manifest'), fields, workers: 2 });
    await consolidate({ manifest, out: path.join(dir, 'ds-main.manifest'), fields });
    expect(await readFile(path.join(dir, 'ds-threads.manifest'), 'utf8')).toBe(await readFile(path.join(dir, 'ds-main.manifest'), 'utf8'));
  });
});

describe('consolidate: configuration and failure path', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    dir = await tempDir();
    manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' }, [
      { data: { id: 0 }, answers: [vote('b', 1), vote('a', 2)] },
      { data: { id: 1 }, answers: [vote('a', 1), vote('a', 2)] },
    ]);
  });

  it('applies configured strategies and options', async () => {
    const out = path.join(dir, 'none.manifest');
    const summary = await consolidate({ manifest, out, fields: { sentiment: { strategy: 'majority-vote', tie: 'none' } } });
    const lines = await readJsonLines(out);
    expect(lines[0]!.job).toEqual({});
    expect(lines[0]!['job-metadata'].consolidation.sentiment).toMatchObject({ resolved: false, tie: true, confidence: 0.5 });
    expect(lines[1]!.job).toEqual({ sentiment: { label: 'a' } });
    expect(summary.fields.sentiment).toMatchObject({ unresolved: 1, objects: 2 });
    expect(summary.fields.sentiment!.pickedFor).toBeUndefined();
  });

  it('refuses bad configuration before reading anything, naming the bad key', async () => {
    const out = path.join(dir, 'bad.manifest');
    await expect(consolidate({ manifest, out, fields: { sentiment: { strategy: 'majority-vote', tei: 'none' } } }))
      .rejects.toThrow(/fields\.sentiment.*tei/);
    await expect(consolidate({ manifest, out, fields: { sentiment: { strategy: 'majority-vote', tie: 'coin' } } }))
      .rejects.toThrow(/fields\.sentiment\.tie/);
    await expect(consolidate({ manifest, out, fields: { sentiment: { strategy: 'mode' } } }))
      .rejects.toThrow(UsageError);
    await expect(consolidate({ manifest, out, fields: { sentiment: { strategy: 'weighted-vote', weights: path.join(dir, 'none.csv') } } }))
      .rejects.toThrow(/^fields\.sentiment: .*ENOENT/);
    expect(existsSync(out)).toBe(false);
  });

  it('leaves no output and no temporary file behind when a run fails, and keeps a previous output intact', async () => {
    const runDir = path.join(dir, 'failing');
    await mkdir(runDir);
    const out = path.join(runDir, 'output.manifest');
    await writeFile(out, 'previous run\n');
    registerStrategy({
      name: 'explodes-on-second-object',
      summary: 'test strategy',
      kinds: ['categorical'],
      options: z.strictObject({}),
      create: () => {
        let calls = 0;
        return {
          decide() {
            calls += 1;
            if (calls === 2) throw new Error('strategy failure');
            return { value: 'x', confidence: 1 };
          },
        };
      },
    });
    await expect(consolidate({ manifest, out, fields: { sentiment: { strategy: 'explodes-on-second-object' } } }))
      .rejects.toThrow('strategy failure');
    // Nothing stays: the responses are a local copy, cheap to read again, so the run kept no checkpoint.
    expect(await readdir(runDir)).toEqual(['output.manifest']);
    expect(await readFile(out, 'utf8')).toBe('previous run\n');
  });

  it('uses strategies registered from user code', async () => {
    registerStrategy({
      name: 'longest-label',
      summary: 'test strategy',
      kinds: ['categorical'],
      options: z.strictObject({}),
      create: () => ({
        decide: (answers) => ({ value: answers.map((a) => (a.value.kind === 'categorical' ? a.value.value : '')).sort().at(-1), confidence: 1 }),
      }),
    });
    const out = path.join(dir, 'custom.manifest');
    await consolidate({ manifest, out, fields: { sentiment: { strategy: 'longest-label' } } });
    expect((await readJsonLines(out)).map((line) => line.job.sentiment)).toEqual(['b', 'a']);
  });
});

describe('consolidate: two passes for model-based strategies', () => {
  it('spills to a private temporary directory and removes it, also when the fit fails', async () => {
    const dir = await tempDir();
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' },
      Array.from({ length: 50 }, (_, i) => ({ data: { id: i }, answers: [vote(i % 3 ? 'a' : 'b', 1), vote('a', 2), vote(i % 2 ? 'b' : 'a', 3)] })));
    const spillRoot = path.join(dir, 'tmp');
    await mkdir(spillRoot);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = spillRoot; // os.tmpdir() reads it on every call
    // Under the TypeScript sources, the mirror reader's thread starts through tsx, which keeps its cache there.
    const leftInSpillRoot = async () => (await readdir(spillRoot)).filter((name) => !name.startsWith('tsx-'));
    try {
      const summary = await consolidate({ manifest, out: path.join(dir, 'ds.manifest'), fields: { sentiment: { strategy: 'dawid-skene' } } });
      expect(summary.lines.consolidated).toBe(50);
      expect(await leftInSpillRoot()).toEqual([]);
      registerStrategy({
        name: 'fit-fails',
        summary: 'test strategy',
        kinds: ['categorical'],
        options: z.strictObject({}),
        create: () => ({
          fit() {
            throw new Error('fit failure');
          },
          decide: () => ({ value: 'x', confidence: 1 }),
        }),
      });
      await expect(consolidate({ manifest, out: path.join(dir, 'failed.manifest'), fields: { sentiment: { strategy: 'fit-fails' } } }))
        .rejects.toThrow('fit failure');
      expect(await leftInSpillRoot()).toEqual([]);
      expect(existsSync(path.join(dir, 'failed.manifest'))).toBe(false);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });
});
