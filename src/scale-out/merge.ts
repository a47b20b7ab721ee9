/**
 * `merge`: the final outputs of a sharded run, as a run names and commits them (`outputs.ts`, all or nothing): the
 * consolidated manifest and the rejects are the decide parts concatenated in index order, streamed through the
 * output's writer (on S3, lib-storage's multipart upload: `UploadPartCopy` would copy parts server-side, but the local
 * S3 server the tests run against, s3rver, answers it NotImplemented, and parts under 5 MiB would need coalescing
 * first). The summary, worker report and review queue are built by the run's own code over the job in input order:
 * its first pass's counts (`countingTally`) and its decider's measures, from the lines parts and the model, with no
 * fetch and no fit. They cannot be added up from per-shard sums: float sums depend on their order (mean confidence,
 * interval α's moments) and α's bootstrap samples the whole job with one seeded sequence, so shards' partial figures
 * would differ from a run's in the last bits. Deciding again costs CPU time only.
 */
import type { JobIO } from '../io/job-io.js';
import type { OutputWriter } from '../io/storage.js';
import { withOutputs } from '../io/output-group.js';
import { goldFor, reviewing, reviewQueueFor } from '../pipeline/consolidate.js';
import { decideStage } from '../pipeline/decide.js';
import { checkLocations, openOutputs, outputPaths } from '../pipeline/outputs.js';
import { countingTally, type Tally } from '../pipeline/table.js';
import type { Prepared } from '../pipeline/prepare.js';
import { writeReports } from '../pipeline/write.js';
import { emptySummary, finishSummary, type Summary } from '../report/summary.js';
import { WorkerStats } from '../report/worker-report.js';
import { openDecider, tabledPart } from './decide.js';
import { checkJob, withJobIO, type ScaleOutJob } from './job.js';
import { readModel } from './model.js';
import { checkShard, decideMarker, layout, readShardMarkers, readWorkJson } from './parts.js';

export function merge(job: ScaleOutJob, { count }: { count: number }, io?: JobIO): Promise<Summary> {
  checkShard(undefined, count);
  const checked = checkJob(job);
  return withJobIO(checked, io, async (io) => {
    const started = performance.now();
    const shards = await readShardMarkers(io, checked.work, checked.manifest, count);
    await Promise.all(shards.map((_, index) =>
      readWorkJson(io, layout.decideMarker(checked.work, index), decideMarker, `run decide --index ${index} --count ${count} first`)));
    const file = await readModel(io, checked, count);
    const paths = await outputPaths(checked.manifest, { ...checked, hasSink: false });
    await checkLocations(io, checked.manifest, paths);
    const gold = await goldFor(checked, io);
    const summary = emptySummary(checked.manifest, paths.out ?? null, paths.rejects);
    const workers = new WorkerStats(paths.workersReport !== undefined);
    const { decider, planner, model, schema } = openDecider(checked, file, { summary, workers, gold });
    const tally = countingTally(checked, summary, (object) => workers.observe(object.workers));
    return withOutputs((location) => io.storageFor(location), async (group) => {
      const writers = await openOutputs(group, paths);
      const review = reviewQueueFor(paths, checked);
      const sink = reviewing(review, gold, undefined);
      try {
        for (let index = 0; index < count; index += 1) {
          if (writers.output) await copyPart(io, layout.out(checked.work, index), writers.output);
          await copyPart(io, layout.rejects(checked.work, index), writers.rejects);
          const decided = decideStage(decider)(counted(tabledPart(io, checked, index, { planner, schema, file }), tally));
          for await (const line of decided) if (line.type === 'object') await sink?.(line);
        }
        tally.end();
        if (review) summary.review = await review.write(writers.review!);
      } finally {
        await review?.discard();
      }
      decider.finish();
      const retries = shards.reduce((sum, shard) => sum + shard.retries, 0);
      finishSummary(summary, { workers: workers.size, retries, durationMs: Math.round(performance.now() - started) });
      await writeReports(writers, paths, { summary, workers, planner, model });
      return summary;
    });
  });
}

/** The lines, each counted by the run's first-pass tally on its way. */
async function* counted(lines: AsyncIterable<Prepared>, tally: Tally): AsyncGenerator<Prepared> {
  for await (const line of lines) {
    tally.line(line);
    yield line;
  }
}

/** Streams a part into `writer`; decoded as UTF-8 across chunk boundaries, so a character split between chunks stays whole. */
async function copyPart(io: JobIO, location: string, writer: OutputWriter): Promise<void> {
  const input = await io.storageFor(location).openRead(location);
  try {
    input.setEncoding('utf8');
    for await (const text of input as AsyncIterable<string>) await writer.write(text);
  } finally {
    input.destroy();
  }
}
