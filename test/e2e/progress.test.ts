/** Progress a person can read: the terminal line of a real run, the heartbeat off a terminal, and `run --json`. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeJobTree } from '../../sample-output/job-tree.js';
import { bin, cli, repo } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const vote = (label: string, n: number) => ({ workerId: `private.us-east-1.${n}`, answerContent: { sentiment: { label } } });

describe('progress', () => {
  let dir: string;
  let manifest: string;
  beforeAll(async () => {
    dir = await tempDir();
    manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'b', prefix: 'p' },
      Array.from({ length: 300 }, (_, id) => ({ data: { id }, answers: [vote('pos', 1), vote(id % 3 ? 'pos' : 'neg', 2), vote('neg', 3)] })));
  });

  it('draws one line on a terminal through every phase, notices on lines of their own', async () => {
    const writes: string[] = [];
    const terminal = { isTTY: true, columns: 120, write: (text: string) => writes.push(text) > 0 };
    // The built CLI, as the other tests run it (it finds package.json from dist/).
    const { main } = (await import(path.join(repo, 'dist/src/cli/main.js'))) as typeof import('../../src/cli/main.js');
    const code = await main(['run', manifest, '--out', path.join(dir, 'tty.manifest')], terminal as unknown as NodeJS.WritableStream);
    expect(code).toBe(0);
    const output = writes.join('');
    const phases = [...output.matchAll(/\r(reading|fitting|deciding|writing) /g)].map(([, phase]) => phase);
    expect([...new Set(phases)]).toEqual(['reading', 'fitting', 'deciding', 'writing']);
    expect(output).toMatch(/\rreading [\d,]+ objects, [\d.]+\/[\d.]+ MB \([\d.]+%\), [\d,]+ objects\/s, elapsed \d+ s(, ETA \d+ s)?\x1b\[K/);
    expect(output).toMatch(/\rdeciding [\d,]+\/300 objects \([\d.]+%\)/);
    // The strategy pick, printed while reading, clears the line and is followed by the line redrawn.
    expect(output).toMatch(/\r\x1b\[Kfield "sentiment": no strategy configured; categorical answers → hierarchical-ds\nreading [^\r\n]*\x1b\[K/);
    // The line is gone before the summary.
    expect(output).toMatch(/\r\x1b\[K300 lines read: 300 consolidated/);
  });

  it('prints a heartbeat line when stderr is not a terminal', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'run', manifest, '--out', path.join(dir, 'plain.manifest')], {
        cwd: repo, env: { ...process.env, GT_CONSOLIDATE_HEARTBEAT_MS: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^progress: (reading [\d,]+ objects, [\d.]+\/[\d.]+ MB|deciding [\d,]+\/300 objects|fitting|writing)/m);
    expect(await cli(['run', manifest, '--out', path.join(dir, 'quiet.manifest'), '--no-progress'])).toMatchObject({ stderr: expect.not.stringContaining('progress:') });
  });

  it('prints the summary as JSON on stdout with --json, and says where each output went', async () => {
    const out = path.join(dir, 'json.manifest');
    const run = await cli(['run', manifest, '--out', out, '--json', '--review', path.join(dir, 'review.manifest'), '--report', path.join(dir, 'report.html')]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(await readFile(path.join(dir, 'json.summary.json'), 'utf8')));
    expect(run.stderr).toContain(`written: manifest ${out}, rejects ${path.join(dir, 'json.rejects.jsonl')}, summary ${path.join(dir, 'json.summary.json')}, ` +
      `review queue ${path.join(dir, 'review.manifest')}, report ${path.join(dir, 'report.html')}\n`);
  });

  it('names the folder of the files the lines refer to (masks) among the outputs', async () => {
    const png = (cars: number) => {
      const data = new Uint8Array(8);
      for (let pixel = 0; pixel < cars; pixel += 1) data.set([0x1f, 0x77, 0xb4, 255], pixel * 4);
      return Buffer.from(encode({ width: 2, height: 1, data, channels: 4, depth: 8 })).toString('base64');
    };
    const masks = await writeJobTree({ root: path.join(dir, 'masks'), jobName: 'masks', bucket: 'b', prefix: 'p' }, [1, 2].map(() => ({
      data: { 'source-ref': 's3://b/street.jpg' },
      answers: [1, 2, 1].map((cars, w) => ({ workerId: `private.us-east-1.${w}`, answerContent: {
        segmentation: { inputImageProperties: { width: 2, height: 1 }, labelMappings: { car: { color: '#1f77b4' } }, labeledImage: { pngImageData: png(cars) } },
      } })),
    })));
    const out = path.join(dir, 'masks-out', 'output.manifest');
    const run = await cli(['run', masks, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`summary ${path.join(dir, 'masks-out', 'output.summary.json')}, files the lines refer to ${path.join(dir, 'masks-out', 'output')}/ (2)\n`);
  });
});
