/**
 * `shard --index i --count N`: the run's read and prepare stages (`prepare.ts`: fetch, parse, normalise) over the
 * manifest lines that start in the i-th of N equal byte ranges, written as `lines/part-i` with a marker. Every line
 * of the job lands in exactly one shard, in order, with its line number in the whole manifest: the shard reads the
 * manifest from its start (line numbers count every line before) but fetches only its own lines' responses, which are
 * the cost. Shard 0 also runs the run's check of the first lines, so a misconfigured job stops at once (exit 2).
 */
import type { JobIO } from '../io/job-io.js';
import { refPolicyFor } from '../io/job-io.js';
import { readLines, type Line } from '../io/lines.js';
import type { SizedReadable } from '../io/storage.js';
import { UsageError } from '../errors.js';
import { defaults } from '../pipeline/consolidate.js';
import { FirstLinesCheck } from '../pipeline/first-lines.js';
import { openPreparer } from '../pipeline/prepare-pool.js';
import { prepareStage, type Prepared } from '../pipeline/prepare.js';
import { runStages } from '../pipeline/stage.js';
import { checkJob, withJobIO, type ScaleOutJob } from './job.js';
import { byteRange, checkShard, encodeLine, layout, writeParts, type ShardMarker } from './parts.js';

export interface ShardStep {
  index: number;
  count: number;
}

export function shard(job: ScaleOutJob, { index, count }: ShardStep, io?: JobIO): Promise<ShardMarker> {
  checkShard(index, count);
  const checked = checkJob(job);
  const concurrency = checked.concurrency ?? defaults.concurrency;
  return withJobIO(checked, io, async (io) => {
    const refs = refPolicyFor(checked.manifest, checked, checked.log ?? (() => {}));
    const input = await io.storageFor(checked.manifest).openRead(checked.manifest);
    const prepare = openPreparer(checked, io, refs, concurrency);
    const range = { start: 0, end: 0 };
    const firstLines = index === 0 ? new FirstLinesCheck(checked.manifest, checked.labelAttribute) : undefined;
    const marker: ShardMarker = { index, count, manifest: checked.manifest, ...range, lines: 0, objects: 0, retries: 0 };
    try {
      await writeParts(io, [layout.lines(checked.work, index), layout.shardMarker(checked.work, index)], async ([lines, done]) => {
        await runStages(
          input,
          (source: SizedReadable) => ownLines(source, index, count, range),
          prepareStage(concurrency, prepare.line),
          async (prepared: AsyncIterable<Prepared>) => {
            for await (const line of prepared) {
              firstLines?.observe(line);
              marker.lines += 1;
              if (line.type === 'object') marker.objects += 1;
              await lines!.write(encodeLine(line) + '\n');
            }
          },
          { signal: checked.signal ?? new AbortController().signal },
        );
        firstLines?.finish();
        Object.assign(marker, range, { retries: io.counter.retries + prepare.retries() });
        await done!.write(JSON.stringify(marker) + '\n');
      });
      return marker;
    } finally {
      input.destroy();
      await prepare.close();
    }
  });
}

/**
 * The lines of shard `index`: those starting in its byte range of the manifest (`range` is filled in once the size is
 * known, with the first chunk). Reading stops after the range.
 */
async function* ownLines(input: SizedReadable, index: number, count: number, range: { start: number; end: number }): AsyncGenerator<Line> {
  for await (const line of readLines(input)) {
    if (input.totalBytes === undefined) throw new UsageError('the manifest\'s size is unknown: a sharded run needs a file or an s3:// object');
    Object.assign(range, byteRange(input.totalBytes, index, count));
    const start = line.start!;
    if (start >= range.end && index < count - 1) return;
    if (start >= range.start) yield line;
  }
}
