import { Readable } from 'node:stream';
import { readLines as readNew } from '../src/io/lines.js';
import { readLines as readOld } from './.old-lines.js';
const line = JSON.stringify({ source: 'Thanks for the quick reply, but the issue is still not fixé.', job: {}, 'job-metadata': { 'job-name': 'job', type: 'groundtruth/custom', 'human-annotated': 'yes', 'creation-date': '2025-03-08T23:06:49.000000', 'worker-response-ref': 's3://bucket/out/job/annotations/worker-response/iteration-1/123456/2025-03-08_23:06:49.json' } });
const body = Buffer.from((line + '\n').repeat(200_000));
const chunks: Buffer[] = [];
for (let i = 0; i < body.length; i += 65536) chunks.push(body.subarray(i, i + 65536));
for (let round = 0; round < 3; round++) {
  for (const [name, read] of [['readline', readOld], ['new', readNew]] as const) {
    const t = performance.now(); let n = 0;
    for await (const _ of read(Readable.from(chunks))) n++;
    const ms = performance.now() - t;
    console.log(name, n, `${ms.toFixed(0)} ms`, `${(ms * 1000 / n).toFixed(3)} µs/line`, `line ${line.length} B`);
  }
}
