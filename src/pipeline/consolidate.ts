/**
 * A consolidation run, as its stages: read the manifest → prepare each line (fetch, parse, normalise) → table (count,
 * and for model-based fields keep the answers and fit) → decide each object → write. Each stage is its own module and
 * can be called alone; `runStages` is Node's `stream.pipeline`, so the first error tears every stage down, and
 * `withOutputs` commits every output or none.
 */
import os from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { checkOptions } from '../config/config.js';
import { JobIO, refPolicyFor, type RefPolicy } from '../io/job-io.js';
import { withOutputs, type OutputGroup } from '../io/output-group.js';
import type { RetryPolicy } from '../io/s3/retry.js';
import type { S3Settings } from '../io/s3/s3-settings.js';
import { loadGold, type GoldLabels } from '../report/gold.js';
import { ReviewQueue, reviewCandidateOf } from '../report/review.js';
import { forTerminal } from '../text/escape.js';
import { emptySummary, finishSummary, type Summary } from '../report/summary.js';
import { WorkerStats } from '../report/worker-report.js';
import type { FieldSchemaOptions } from '../responses/field-schema.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import { decideStage, ObjectDecider, type UnknownAnswers } from './decide.js';
import type { FieldSetting } from '../config/field-setting.js';
import { FieldPlanner } from './field-plan.js';
import { checkLocations, openOutputs, outputPaths, type OutputPaths } from './outputs.js';
import { defaultMaxResponseBytes, openPreparer } from './prepare-pool.js';
import { prepareStage } from './prepare.js';
import { checkpointDirectory, Reuse, type ReuseSettings } from './reuse.js';
import { ProgressTracker, type Progress } from './progress.js';
import { seededRandom } from '../random.js';
import { runStages } from './stage.js';
import { countingTally, tableStage, type JobModel } from './table.js';
import { writeStage, writeReports, type ObjectSink } from './write.js';
import { frozenFit, loadFrozenModel, modelOf } from '../scale-out/model.js';

export { besideOutput } from './outputs.js';

export interface ConsolidateOptions extends ReuseSettings {
  /** The job's output manifest: a path, `s3://bucket/key`, or `-` for standard input. */
  manifest: string;
  /** Where the consolidated manifest goes (a path or `s3://bucket/key`; so do `rejects` and `summary`). */
  out: string;
  /** Rejected lines, as JSON Lines (default: `<out without extension>.rejects.jsonl`). */
  rejects?: string;
  /** The run summary as JSON (default: `<out without extension>.summary.json`). */
  summary?: string;
  /** The label attribute `K` whose `K-metadata` holds the refs (default: detected per line). */
  labelAttribute?: string;
  /** `s3://bucket/prefix/=./dir/` mappings onto a local copy of the job. */
  mirrors?: readonly string[];
  /** S3 prefixes refs may be read from besides the manifest's own bucket. */
  allowRefPrefixes?: readonly string[];
  /**
   * How to reach S3 (region, profile, endpoint, timeouts). With `s3Client`, only the sockets and timeouts of whole-object
   * reads (worker responses, config, gold: signed GETs outside the client) apply.
   */
  s3?: S3Settings;
  /** An S3 client to use instead of one built from `s3`. */
  s3Client?: S3Client;
  /** How pairwise-choice and per-response rating fields map onto responses (see `src/responses/preferences.ts`). */
  preferences?: PreferenceMapping;
  /** Whole-read retries for S3 (attempts, backoff). */
  retry?: Partial<RetryPolicy>;
  /** Per-worker report, `.csv` or `.jsonl` (a path or `s3://`). */
  workersReport?: string;
  /**
   * A review queue: the objects that need another look (the least confident `reviewShare`, those below
   * `reviewBelow`, ties, unresolved fields, gold disagreements) as a Ground Truth input manifest, least confident first
   * (a path or `s3://`; see `src/report/review.ts`).
   */
  review?: string;
  /**
   * The HTML report the caller writes once the run is done (the CLI's `--report`): the run writes nothing there, but
   * checks it like its own outputs before the first line (no other output or the input may be the same file; S3 access).
   */
  report?: string;
  /** Share of the consolidated objects, least confident first, that go to the review queue (default 0.1). */
  reviewShare?: number;
  /** Objects less confident than this go to the review queue too. */
  reviewBelow?: number;
  /** Gold labels, `.csv` or `.jsonl`: object key → true label (a path or `s3://`). */
  gold?: string;
  /** Manifest field holding the object's gold key (default `source-ref` when a line has it, else `source`). */
  goldKey?: string;
  /** The field gold labels are for (default: every categorical field). */
  goldField?: string;
  /** Radio groups across names and key patterns (`translation(\\d+)` → one field per row); see `field-schema.ts`. */
  schema?: FieldSchemaOptions;
  /** Strategy and options per field (or just the strategy's name); fields not named get one picked from their answers. */
  fields?: Readonly<Record<string, FieldSetting | string>>;
  /** Answers of a shape no strategy decides: copied onto each output line (`copy`, default) or only referenced (`ref`). */
  unknownAnswers?: UnknownAnswers;
  /**
   * A frozen model (`model.json` from `saveModel` or the sharded `fit`; a path or `s3://`): model-based fields are
   * decided from its parameters instead of a fit on this job (refused when the job's fields, strategies or labels are
   * not the model's; see `src/scale-out/model.ts`).
   */
  model?: string;
  /** Also write the fitted models there, as a frozen model for `model` (a path or `s3://`). */
  saveModel?: string;
  /** Seeds the random tie-breaking (default 1: runs are reproducible). */
  seed?: number;
  /** Worker responses fetched and parsed at once (default 64). */
  concurrency?: number;
  /**
   * Worker threads for the fetch-and-parse stage (default 0: it runs on the main thread). Each builds its own S3 client
   * from `s3` (a client object cannot cross threads); deciding and writing stay on the main thread.
   */
  workers?: number;
  /** Larger worker responses are rejected unread (default 16 MiB). */
  maxResponseBytes?: number;
  /** Notices for people (strategy picks, inferred mirrors). */
  log?: (message: string) => void;
  /** Stops the run: every stage is torn down and every output aborted (nothing published), as on any failure. */
  signal?: AbortSignal;
  /** Called after every line and at the start of each phase (reading, fitting, deciding, writing); see `progress.ts`. */
  onProgress?: (progress: Readonly<Progress>) => void;
}

export const defaults = { concurrency: 64, maxResponseBytes: defaultMaxResponseBytes, seed: 1, reviewShare: 0.1 } as const;

export function consolidate(options: ConsolidateOptions, io?: JobIO): Promise<Summary> {
  return runJob(options, io);
}

/** What a job run writes besides the rejects: the consolidated manifest (`out`), and/or each object to `sink`. */
export interface JobOptions extends Omit<ConsolidateOptions, 'out'> {
  out?: string;
  sink?: ObjectSink;
  /** The output group of a caller (the export) whose outputs commit together with the run's. */
  outputs?: OutputGroup;
}

/**
 * The I/O a job's options describe; the S3 connection pool matches the fetch concurrency unless set. Mirrored responses
 * are read on a thread of their own wherever there is a second core: a 100k-object mirror run took 0.68× the time
 * (BENCHMARKS.md); on one core the thread would only take turns with the main one.
 */
export function openJobIO(options: Pick<ConsolidateOptions, 's3' | 's3Client' | 'retry' | 'concurrency'>): JobIO {
  return new JobIO({
    s3: { maxSockets: options.concurrency ?? defaults.concurrency, ...options.s3 },
    s3Client: options.s3Client,
    retry: options.retry,
    mirrorThread: os.availableParallelism() > 1,
  });
}

/** Runs a job with `io` (the caller's, which it keeps) or I/O of its own, closed at the end. */
export async function runJob(options: JobOptions, io?: JobIO): Promise<Summary> {
  const checked = checkOptions(options);
  const own = io ?? openJobIO(checked);
  try {
    return await run(checked, own, checked.concurrency ?? defaults.concurrency);
  } finally {
    if (!io) own.close();
  }
}

async function run(options: JobOptions & { fields: Record<string, FieldSetting> }, io: JobIO, concurrency: number): Promise<Summary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const planner = new FieldPlanner(options.fields, (field, plan) =>
    log(`field "${forTerminal(field)}": no strategy configured; ${plan.pickedFor} answers → ${plan.strategy.name}`));
  const paths = await outputPaths(options.manifest, { ...options, hasSink: options.sink !== undefined });
  const refs = refPolicyFor(options.manifest, options, log);
  const reuseOptions = { ...options, responsesAreLocal: refs.mirrors.length > 0 || refs.job !== undefined };
  await checkLocations(io, options.manifest, paths, checkpointDirectory(reuseOptions, paths));
  const frozen = options.model === undefined ? undefined : await loadFrozenModel(io, options.model);
  const gold = await goldFor(options, io);
  const summary = emptySummary(options.manifest, paths.out ?? null, paths.rejects);
  const workers = new WorkerStats(paths.workersReport !== undefined);
  const model: JobModel = { fittedLabels: new Map() };
  const tally = countingTally(options, summary, (object) => workers.observe(object.workers));

  const reuse = await Reuse.open(reuseOptions, paths, io, log);
  const input = await io.storageFor(options.manifest).openRead(options.manifest);
  const progress = new ProgressTracker(options.onProgress, summary, input);
  const prepare = openPreparer(options, io, refs, concurrency);
  try {
    return await reuse.around(() => withOutputs((location) => io.storageFor(location), async (group) => {
      const writers = await openOutputs(group, paths);
      const decider = new ObjectDecider({
        planner, random: seededRandom(options.seed ?? defaults.seed), seed: options.seed ?? defaults.seed, summary, workers, gold, model,
        unknownAnswers: options.unknownAnswers,
        sideFiles: writers.sideFiles && { folder: paths.sideFiles!, locationOf: (name) => writers.sideFiles!.locationOf(name) },
      });
      await reuse.openOutputs(group);
      const modelWriter = options.saveModel === undefined ? undefined : await group.open(options.saveModel);
      const review = reviewQueueFor(paths, options);
      try {
        await runStages(
          input,
          progress.lines,
          reuse.prepareStage(prepareStage(concurrency, reuse.preparer(prepare.line))),
          tableStage(planner, tally, model, options.schema, progress, frozen && frozenFit(frozen)),
          decideStage(decider),
          writeStage({ ...writers, sink: reuse.sink(reviewing(review, gold, options.sink)) }),
          { signal: options.signal },
        );
        progress.enter('writing');
        if (review) summary.review = await review.write(writers.review!);
      } finally {
        await review?.discard();
      }
      decider.finish();
      await reuse.finish(summary, log);
      finishSummary(summary, { workers: workers.size, retries: io.counter.retries + prepare.retries(), durationMs: Math.round(performance.now() - started) });
      await writeReports(writers, paths, { summary, workers, planner, model });
      await modelWriter?.write(JSON.stringify(modelOf(options, 1, model.schemaStats!, planner, model)));
      return summary;
    }, options.outputs));
  } finally {
    input.destroy();
    await prepare.close();
  }
}

/** The gold labels the options name, read through `io` (none unless `gold` is set). */
export async function goldFor(options: Pick<ConsolidateOptions, 'gold' | 'goldKey' | 'goldField'>, io: JobIO): Promise<GoldLabels | undefined> {
  if (!options.gold) return undefined;
  return loadGold(options.gold, (location, max) => io.storageFor(location).readAll(location, max), { key: options.goldKey, field: options.goldField });
}

/** The review queue of a run whose paths name one. */
export function reviewQueueFor(paths: OutputPaths, options: Pick<ConsolidateOptions, 'reviewShare' | 'reviewBelow'>): ReviewQueue | undefined {
  return paths.review === undefined ? undefined : new ReviewQueue({ share: options.reviewShare ?? defaults.reviewShare, threshold: options.reviewBelow });
}

/** `sink`, with each object also offered to the review queue first. */
export function reviewing(review: ReviewQueue | undefined, gold: GoldLabels | undefined, sink: ObjectSink | undefined): ObjectSink | undefined {
  if (!review) return sink;
  return async (object) => {
    await review.add(reviewCandidateOf(object, gold));
    await sink?.(object);
  };
}
