/**
 * Generated hostile manifests and worker responses (seeded, bounded in count) through `consolidate()`: whatever the
 * input, the run finishes, its counts add up, every reject names its line, and every output line parses.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidate } from '../../src/index.js';
import { seededRandom } from '../../src/random.js';
import { tempDir } from '../helpers/temp-dir.js';

const linesPerRun = 250;
const seeds = [1, 2, 3];
const prefix = 's3://bucket/out/';

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const labels = ['a', 'b', 'constructor', 'toString', 'valueOf', '=HYPERLINK("x")', '\x1b[31mred', '\u202Eevil', 'é😀', 'x'.repeat(300)];
const fieldNames = ['sentiment', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '\x1b]0;t\x07', '@x', ''];
const hostileNumbers = ['1e400', '-1e400', '1e-400', '12345678901234567890', '-9007199254740993'];

/** One worker response: mostly valid, with hostile values, or broken in one of the ways a file can be. */
function response(random: Random): string {
  const answer = () => {
    const content: Record<string, unknown> = {};
    for (let i = 0; i < 1 + Math.floor(random() * 3); i += 1) {
      content[pick(random, fieldNames)] = pick<unknown>(random, [
        { label: pick(random, labels) }, { labels: [pick(random, labels)] }, Math.floor(random() * 5), String(random()),
        { [pick(random, labels)]: true }, JSON.stringify({ label: pick(random, labels) }), null, [1, { x: 2 }],
      ]);
    }
    return { workerId: pick(random, ['w1', 'w2', '=cmd|calc', '\x9b2J', '@w']), answerContent: content, timeSpentInSeconds: random() * 60 };
  };
  const valid = JSON.stringify({ answers: Array.from({ length: Math.floor(random() * 4) }, answer) });
  const depth = 40 + Math.floor(random() * 3000);
  return pick(random, [
    valid, valid, valid,
    valid.slice(0, Math.floor(random() * valid.length)),
    `{"answers":[{"workerId":"w","answerContent":{"f":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`,
    `{"answers":[{"workerId":"w","answerContent":{"f":${pick(random, hostileNumbers)}}}]}`,
    '{"answers":[{"workerId":"w","answerContent":{"\\u005f_proto__":{"polluted":true}}}]}',
    '{"answers":{}}', '[]', 'root:x:0:0:root:/root:/bin/bash',
    JSON.stringify({ answers: [], pad: 'x'.repeat(70_000) }),
  ]);
}

/** One manifest line as bytes, and the response file it needs, if any. */
function line(random: Random, index: number): { bytes: Buffer; response?: string } {
  const ref = `${prefix}job/annotations/${index}.json`;
  const metadata = (extra: Record<string, unknown>) => `"job-metadata":${JSON.stringify({ 'job-name': 'job', ...extra })}`;
  const object = (data: string) => `{"id":${index},${data}"job":{},${metadata({ 'worker-response-ref': ref })}}`;
  const text = (value: string) => ({ bytes: Buffer.from(value) });
  const kind = pick(random, ['object', 'object', 'object', 'failed', 'broken', 'bytes', 'deep', 'number', 'ref', 'blank', 'proto']);
  switch (kind) {
    case 'object': return { bytes: Buffer.from(object('')), response: response(random) };
    case 'failed': return text(`{"id":${index},"n":${pick(random, ['1', ...hostileNumbers])},${metadata({ 'failure-reason': 'ClientError' })}}`);
    case 'broken': { const whole = object(''); return text(whole.slice(0, Math.floor(random() * whole.length))); }
    case 'bytes': return { bytes: Buffer.concat([Buffer.from(object('"s":"')), Buffer.from([pick(random, [0xff, 0xc3, 0xed, 0x80]), 0x22, 0x2c])]).subarray(0, -2) };
    case 'deep': { const depth = 60 + Math.floor(random() * 3000); return text(object(`"d":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},`)); }
    case 'number': return { bytes: Buffer.from(object(`"n":${pick(random, hostileNumbers)},`)), response: response(random) };
    case 'ref': {
      const bad = pick(random, [`${prefix}job/../../etc/passwd`, 's3://other/x.json', `${prefix}${'k'.repeat(1100)}`,
        `${prefix}job/annotations/missing-${index}.json`, `${prefix}job/annotations/fifo`, `${prefix}job/annotations`, '/etc/passwd']);
      return text(`{"id":${index},"job":{},${metadata({ 'worker-response-ref': bad })}}`);
    }
    case 'blank': return text(pick(random, ['', '   ', '\t']));
    default: return text(object(pick(random, ['"__proto__":{"x":1},', '"\\u005f_proto__":1,', '"a":{"b":[{"__proto__":2}]},'])));
  }
}

describe('hostile manifests and responses, generated', () => {
  it.each(seeds)('seed %i: the run finishes, counts add up, every output line parses', async (seed) => {
    const random = seededRandom(seed);
    const root = path.join(await tempDir(), 'sync');
    const annotations = path.join(root, 'job/annotations');
    await mkdir(annotations, { recursive: true });
    if (process.platform !== 'win32') execFileSync('mkfifo', [path.join(annotations, 'fifo')]);
    const manifestParts: Buffer[] = [];
    let lineEnd = '\n';
    for (let index = 0; index < linesPerRun; index += 1) {
      const { bytes, response: body } = line(random, index);
      if (body !== undefined) await writeFile(path.join(annotations, `${index}.json`), body);
      // An empty line after a bare CR would turn that CR into a CRLF: one line end, one line less.
      manifestParts.push(bytes.length === 0 && lineEnd === '\r' ? Buffer.from(' ') : bytes);
      lineEnd = pick(random, ['\n', '\r\n', '\r']);
      manifestParts.push(Buffer.from(lineEnd));
    }
    const manifest = path.join(root, 'manifest.jsonl');
    await writeFile(manifest, Buffer.concat(manifestParts));
    const out = path.join(root, 'out.manifest');

    const summary = await consolidate({ manifest, out, mirrors: [`${prefix}=${root}`], maxResponseBytes: 64 * 1024 });

    const { read, consolidated, failedInJob, rejected, blank } = summary.lines;
    expect(read + blank).toBe(linesPerRun);
    expect(consolidated + failedInJob + rejected).toBe(read);
    expect(Object.values(summary.rejectedBy).reduce((a, b) => a + b, 0)).toBe(rejected);
    const output = (await readFile(out, 'utf8')).split('\n').filter(Boolean);
    expect(output).toHaveLength(consolidated + failedInJob);
    for (const text of output) expect(() => JSON.parse(text)).not.toThrow();
    const rejects = (await readFile(path.join(root, 'out.rejects.jsonl'), 'utf8')).split('\n').filter(Boolean)
      .map((text) => JSON.parse(text) as { line: number; code: string; reason: string });
    expect(rejects).toHaveLength(rejected);
    expect(new Set(rejects.map((reject) => reject.line)).size).toBe(rejected);
    for (const reject of rejects) {
      expect(reject.line).toBeGreaterThanOrEqual(1);
      expect(reject.line).toBeLessThanOrEqual(linesPerRun);
      expect(reject.reason).not.toMatch(/root:x|bin\/bash/);
    }
  });
});
