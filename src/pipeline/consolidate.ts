/**
 * The consolidation run: stream the output manifest, fetch and parse worker responses concurrently, decide each field
 * in input order, and write the consolidated manifest, the rejects and the summary, each all-or-nothing.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../errors.js';
import { readLines } from '../io/lines.js';
import { jobMirror, parseMirror } from '../io/mirror.js';
import { parseAllowedPrefix, RefResolver } from '../io/refs.js';
import { checkS3Access } from '../io/s3/preflight.js';
import { defaultRetryPolicy, type RetryPolicy } from '../io/s3/retry.js';
import { createS3Client, type S3Settings } from '../io/s3/s3-client.js';
import { isS3Uri, parseS3Uri } from '../io/s3/s3-uri.js';
import { Storages } from '../io/storages.js';
import { withOutputs } from '../io/output-group.js';
import type { OutputWriter } from '../io/storage.js';
import { jobFacts } from '../manifest/record.js';
import { parseGold } from '../report/gold.js';
import { emptySummary, type Summary } from '../report/summary.js';
import { formatWorkerReport, WorkerStats } from '../report/worker-report.js';
import { normaliseValue } from '../responses/normalise.js';
import { AnswerTableBuilder } from '../../strategies/answer-table.js';
import { voteKey } from '../../strategies/submitted-form.js';
import type { AnswerKind, FieldAnswer } from '../../strategies/types.js';
import { FieldPlanner, type FieldSetting } from './field-plan.js';
import { mapOrdered } from './ordered-map.js';
import { prepareLine, type Prepared } from './prepare.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import { seededRandom } from './random.js';
import { Spill } from './spill.js';
import { PreparePool, type PrepareSettings } from './prepare-pool.js';

export interface ConsolidateOptions {
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
  /** How to reach S3 (region, profile, endpoint, timeouts); ignored when `s3Client` is given. */
  s3?: S3Settings;
  /** An S3 client to use instead of one built from `s3`. */
  s3Client?: S3Client;
  /** How pairwise-choice and per-response rating fields map onto responses (see `src/responses/preferences.ts`). */
  preferences?: PreferenceMapping;
  /** Whole-read retries for S3 (attempts, backoff). */
  retry?: Partial<RetryPolicy>;
  /** Per-worker report, `.csv` or `.jsonl` (a path or `s3://`). */
  workersReport?: string;
  /** Gold labels, `.csv` or `.jsonl`: object key → true label (a path or `s3://`). */
  gold?: string;
  /** Manifest field holding the object's gold key (default `source-ref` when a line has it, else `source`). */
  goldKey?: string;
  /** The field gold labels are for (default: every categorical field). */
  goldField?: string;
  /** Strategy and options per field; fields not named get a strategy picked from their answers. */
  fields?: Readonly<Record<string, FieldSetting>>;
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
  /** Called after every line with the running counts. */
  onProgress?: (summary: Readonly<Summary>) => void;
}

export const defaults = { concurrency: 64, maxResponseBytes: 16 * 1024 * 1024, seed: 1 } as const;

const goldMaxBytes = 256 * 1024 * 1024;

/** `out/output.manifest` → `out/output.rejects.jsonl` (and `.summary.json`). */
export function besideOutput(out: string, suffix: string): string {
  const extension = path.extname(out);
  return `${extension ? out.slice(0, -extension.length) : out}${suffix}`;
}

export function consolidate(options: ConsolidateOptions): Promise<Summary> {
  return runJob(options);
}

/** What a job run writes besides the rejects: the consolidated manifest (`out`), and/or each line to `sink`. */
export interface JobOptions extends Omit<ConsolidateOptions, 'out'> {
  out?: string;
  /** Receives every consolidated object, in input order, with the line as it would be written. */
  sink?: (prepared: Extract<Prepared, { type: 'object' }>, consolidated: Record<string, unknown>) => Promise<void>;
}

export async function runJob(options: JobOptions): Promise<Summary> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const concurrency = options.concurrency ?? defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('concurrency must be a positive integer');
  const planner = new FieldPlanner(options.fields ?? {}, (field, plan) =>
    log(`field "${field}": no strategy configured; ${plan.pickedFor} answers → ${plan.strategy.name}`));
  const refs = refPolicyFor(options, log);
  const retry = { ...defaultRetryPolicy, ...options.retry };
  const storages = new Storages(options.s3Client ?? (() => createS3Client({ maxSockets: concurrency, ...options.s3 }, retry)), retry);
  try {
    return await run(options, { concurrency, planner, refs, storages, retry, started });
  } finally {
    storages.close();
  }
}

/** Where refs may be read: mirrors (explicit, or the synced job's own folder), then S3 under allowed prefixes. */
function refPolicyFor(options: JobOptions, log: (message: string) => void): RefPolicy {
  const mirrors = (options.mirrors ?? []).map(parseMirror);
  const manifestIsLocal = options.manifest !== '-' && !isS3Uri(options.manifest);
  const job = manifestIsLocal && mirrors.length === 0 ? jobMirror(options.manifest) : undefined;
  if (job) log(`worker responses: s3://…/${job.job}/annotations/ read from ${path.join(job.directory, 'annotations')}`);
  const manifestBucket = isS3Uri(options.manifest) ? parseS3Uri(options.manifest)?.bucket : undefined;
  return {
    mirrors,
    ...(job && { job }),
    allowedPrefixes: [...(manifestBucket ? [`s3://${manifestBucket}/`] : []), ...(options.allowRefPrefixes ?? []).map(parseAllowedPrefix)],
  };
}

type RefPolicy = Pick<PrepareSettings, 'mirrors' | 'job' | 'allowedPrefixes'>;

interface RunParts {
  concurrency: number;
  planner: FieldPlanner;
  refs: RefPolicy;
  storages: Storages;
  retry: RetryPolicy;
  started: number;
}

async function run(options: JobOptions, { concurrency, planner, refs, storages, retry, started }: RunParts): Promise<Summary> {
  const resolver = new RefResolver(refs.mirrors, refs.job, refs.allowedPrefixes);
  if (options.out === undefined && (options.rejects === undefined || options.sink === undefined)) {
    throw new UsageError('a run needs an output: out, or rejects and a sink');
  }
  const rejectsPath = options.rejects ?? besideOutput(options.out!, '.rejects.jsonl');
  const summaryPath = options.summary ?? (options.out === undefined ? undefined : besideOutput(options.out, '.summary.json'));
  const outputs = [options.out, rejectsPath, summaryPath, options.workersReport].filter((o): o is string => o !== undefined);
  const s3Outputs = outputs.filter(isS3Uri);
  if (isS3Uri(options.manifest) || s3Outputs.length > 0) {
    await checkS3Access(storages.client(), isS3Uri(options.manifest) ? options.manifest : undefined, s3Outputs);
  }
  const gold = options.gold
    ? parseGold(options.gold, (await storages.for(options.gold).readAll(options.gold, goldMaxBytes)).toString('utf8'))
    : undefined;
  const summary = emptySummary(options.manifest, options.out ?? null, rejectsPath);
  const workers = new WorkerStats(options.workersReport !== undefined);
  const decider = new ObjectDecider(planner, seededRandom(options.seed ?? defaults.seed), summary, workers,
    gold && { labels: gold, key: options.goldKey, field: options.goldField });

  const input = await storages.for(options.manifest).openRead(options.manifest);
  // What the prepare stage needs, on the main thread or (as plain data) on worker threads.
  const prepareSettings = {
    labelAttribute: options.labelAttribute,
    preferences: options.preferences,
    maxResponseBytes: options.maxResponseBytes ?? defaults.maxResponseBytes,
  };
  const workerThreads = options.workers ?? 0;
  const pool = workerThreads > 0
    ? new PreparePool(workerThreads, {
      ...refs,
      ...prepareSettings,
      s3: { maxSockets: Math.ceil(concurrency / workerThreads), ...options.s3 },
      retry,
    })
    : undefined;
  try {
    return await withOutputs((location) => storages.for(location), (open) => runWithOutputs(open));
  } finally {
    input.destroy();
    await pool?.close();
  }

  async function runWithOutputs(open: (location: string) => Promise<OutputWriter>): Promise<Summary> {
    const output = options.out === undefined ? undefined : await open(options.out);
    const rejects = await open(rejectsPath);
    const context = {
      ...prepareSettings,
      readResponse: (ref: string, maxBytes: number) => {
        const location = resolver.resolve(ref);
        return storages.for(location).readAll(location, maxBytes);
      },
    };
    const prepared = mapOrdered(readLines(input), concurrency, pool ? (line) => pool.prepare(line) : (line) => prepareLine(line, context));

    /** Counts a line into the summary; rejects are written at once (their file is in line order either way). */
    const count = async (line: Prepared): Promise<void> => {
      if (line.type === 'blank') {
        summary.lines.blank += 1;
        return;
      }
      summary.lines.read += 1;
      if (line.type === 'failed') summary.lines.failedInJob += 1;
      if (line.type === 'rejected') {
        summary.lines.rejected += 1;
        summary.rejectedBy[line.code] = (summary.rejectedBy[line.code] ?? 0) + 1;
        const { line: number, code, reason, text } = line;
        await rejects.write(JSON.stringify({ line: number, code, reason, text }) + '\n');
      }
      if (line.type === 'object') {
        summary.lines.consolidated += 1;
        summary.answers += line.workers.length;
        if (line.workers.length === 0) summary.objectsWithoutAnswers += 1;
        workers.observe(line.workers);
        summary.job ??= jobFacts(line.json[`${line.labelAttribute}-metadata`] as Record<string, unknown>).jobName;
      }
      options.onProgress?.(summary);
    };
    /** Decides and writes a line, in input order. */
    const emit = async (line: Prepared): Promise<void> => {
      if (line.type === 'failed') await output?.write(line.text + '\n');
      if (line.type === 'object') {
        const consolidated = decider.decide(line);
        await output?.write(JSON.stringify(consolidated) + '\n');
        await options.sink?.(line, consolidated);
      }
    };

    const models = planner.fittedFields();
    const fittedLabels = new Map<string, readonly string[]>();
    if (models.length === 0) {
      for await (const line of prepared) {
        await count(line);
        await emit(line);
      }
    } else {
      // Model-based strategies see every answer before deciding any object: a first pass fetches each response once,
      // keeps the fitted fields' answers in compact tables and spills the prepared lines; a second pass decides.
      const spill = await Spill.create();
      try {
        const tables = new Map(models.map(([field]) => [field, new AnswerTableBuilder()]));
        for await (const line of prepared) {
          await count(line);
          if (line.type === 'object') {
            for (const [field, table] of tables) {
              const usable = planner.usableAnswers(field, line.fields.get(field)?.answers ?? []);
              if (usable.length > 0) table.addObject(usable.map(({ workerId, value }) => [workerId, voteKey(value)] as const));
            }
          }
          await spill.write(line);
        }
        for (const [field, plan] of models) {
          const table = tables.get(field)!.build();
          fittedLabels.set(field, table.labels);
          plan.consolidator.fit!(table);
        }
        for await (const line of spill.read()) await emit(line);
      } finally {
        await spill.remove();
      }
    }

    summary.workers = workers.size;
    summary.retries = storages.counter.retries + (pool?.retries ?? 0);
    summary.durationMs = Math.round(performance.now() - started);
    for (const field of Object.values(summary.fields)) {
      field.meanConfidence = field.objects ? field.meanConfidence / field.objects : 0;
    }
    if (options.workersReport) {
      const fitted = new Map(models.map(([field, plan]) =>
        [field, { labels: fittedLabels.get(field)!, skills: plan.consolidator.skills?.() ?? new Map() }]));
      const report = await open(options.workersReport);
      await report.write(formatWorkerReport(options.workersReport, workers.rows(fitted)));
    }
    if (summaryPath !== undefined) {
      const summaryWriter = await open(summaryPath);
      await summaryWriter.write(JSON.stringify(summary, null, 2) + '\n');
    }
    return summary;
  }
}

interface GoldLabels {
  labels: ReadonlyMap<string, string>;
  /** Manifest field holding the object's key (default `source-ref`, else `source`). */
  key?: string;
  /** The field gold labels are for (default: every categorical field). */
  field?: string;
}

/**
 * Builds the consolidated line: every input key kept, `<label>` = each field's consolidated value in the submitted
 * shape, `<label>-metadata` = Ground Truth's metadata plus `consolidation` (per field) and `confidence` (the lowest
 * confidence of its decided fields: an object is as sure as its least sure label; free text kept by `collect` does not
 * count; 0 when nothing was decided). Also scores decisions against gold and workers against both.
 */
class ObjectDecider {
  /** Per field, how many objects have been decided: the row a fitted model knows the object by. */
  private readonly rows = new Map<string, number>();

  constructor(
    private readonly planner: FieldPlanner,
    private readonly random: () => number,
    private readonly summary: Summary,
    private readonly workers: WorkerStats,
    private readonly gold: GoldLabels | undefined,
  ) {}

  decide(prepared: Extract<Prepared, { type: 'object' }>): Record<string, unknown> {
    const { summary } = this;
    const label: Record<string, unknown> = {};
    const consolidation: Record<string, unknown> = {};
    let confidence: number | undefined;
    const goldKey = this.gold && prepared.json[this.gold.key ?? ('source-ref' in prepared.json ? 'source-ref' : 'source')];
    const goldLabel = typeof goldKey === 'string' || typeof goldKey === 'number' ? this.gold?.labels.get(String(goldKey)) : undefined;
    for (const [name, { answers, unknown }] of prepared.fields) {
      if (unknown.length > 0) summary.unknownShapes[name] = (summary.unknownShapes[name] ?? 0) + unknown.length;
      const kept = unknown.length > 0 ? { unknownShape: unknown } : {};
      if (answers.length === 0) {
        consolidation[name] = { strategy: null, answers: 0, ...kept };
        continue;
      }
      const plan = this.planner.planFor(name, answers);
      const usable = this.planner.usableAnswers(name, answers);
      const object = this.rows.get(name) ?? 0;
      if (usable.length > 0) this.rows.set(name, object + 1);
      const decision = usable.length > 0
        ? plan.consolidator.decide(usable, { random: this.random, object })
        : { value: undefined, confidence: 0 };
      const resolved = decision.value !== undefined;
      if (resolved) label[name] = decision.value;
      consolidation[name] = {
        strategy: plan.strategy.name,
        confidence: decision.confidence,
        answers: usable.length,
        ...(usable.length < answers.length && { ignored: answers.length - usable.length }),
        ...(!resolved && { resolved: false }),
        ...decision.details,
        ...kept,
      };
      if (!plan.strategy.keepsAnswers) {
        confidence = Math.min(confidence ?? 1, decision.confidence);
        this.score(name, usable, decision.value, this.gold?.field === undefined || this.gold.field === name ? goldLabel : undefined);
      }
      const field = (summary.fields[name] ??= {
        strategy: plan.strategy.name,
        ...(plan.pickedFor && { pickedFor: plan.pickedFor }),
        objects: 0, answers: 0, unresolved: 0, meanConfidence: 0,
      });
      field.objects += 1;
      field.answers += usable.length;
      field.unresolved += resolved ? 0 : 1;
      field.meanConfidence += decision.confidence; // a sum until the run ends
    }
    const metadataKey = `${prepared.labelAttribute}-metadata`;
    return {
      ...prepared.json,
      [prepared.labelAttribute]: label,
      [metadataKey]: {
        ...(prepared.json[metadataKey] as Record<string, unknown>),
        consolidation,
        confidence: confidence ?? 0,
      },
    };
  }

  /** Agreement of each categorical answer with the decision, and of both with the gold label, if any. */
  private score(field: string, answers: readonly FieldAnswer[], value: unknown, gold: string | undefined): void {
    const normalised = value === undefined ? undefined : normaliseValue(value);
    if (normalised?.type !== 'answer' || !categoricalKinds.has(normalised.value.kind)) {
      if (gold !== undefined) this.goldTally(field).objects += 1; // unresolved: counted, never correct
      return;
    }
    const decided = voteKey(normalised.value);
    for (const { workerId, value: answer } of answers) {
      if (categoricalKinds.has(answer.kind)) this.workers.compare(workerId, voteKey(answer), decided, gold);
    }
    if (gold !== undefined) {
      const tally = this.goldTally(field);
      tally.objects += 1;
      if (decided === gold) tally.correct += 1;
      tally.accuracy = tally.correct / tally.objects;
    }
  }

  private goldTally(field: string) {
    return ((this.summary.gold ??= {})[field] ??= { objects: 0, correct: 0, accuracy: 0 });
  }
}

const categoricalKinds = new Set<AnswerKind>(['categorical', 'boolean']);
