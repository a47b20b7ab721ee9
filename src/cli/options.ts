/**
 * Every command-line option, declared once as typed data (vitest's `cli-config.ts` is the model). Each table is typed
 * against the library's options: every library option has a decision — a flag, the positional argument, or a reason
 * it is not on the command line — so adding a library option without deciding its flag is a compile error. `main.ts`
 * builds the commands from these tables and turns parsed flags back into library options with `optionsFrom`.
 */
import { InvalidArgumentError, Option } from 'commander';
import { parseStrategyFlag } from '../config/config.js';
import type { ExportOptions } from '../export/export.js';
import { exportFormats } from '../export/formats.js';
import { pairPolicies } from '../export/pairs.js';
import { shapeFormats } from '../export/shape-export.js';
import { defaultRetryPolicy } from '../io/s3/retry.js';
import { s3Defaults } from '../io/s3/s3-settings.js';
import { defaults, type ConsolidateOptions } from '../pipeline/consolidate.js';
import { checkpointDefaults } from '../pipeline/checkpoint.js';
import type { InspectOptions } from '../pipeline/inspect.js';
import type { ReuseSettings } from '../pipeline/reuse.js';
import type { ReportOptions } from '../report/html/report-input.js';
import type { ScaleOutJob } from '../scale-out/job.js';
import { strategyNames } from '../../strategies/registry.js';
import { progressModes, type ProgressMode } from './progress.js';

/** A flag as commander declares it; `toOption` turns what commander parsed into the library option's value. */
export interface Flag<Raw = unknown> {
  flags: string;
  description: string;
  parse?: (value: string, previous: Raw) => Raw;
  default?: Raw;
  choices?: readonly string[];
  required?: true;
  toOption?: (raw: Raw) => unknown;
}

/** The command's positional argument. */
export interface Positional {
  argument: string;
  description: string;
}

/** A library option the command line leaves out, and why. */
export interface NotOnCli {
  notOnCli: string;
}

type Decision<T> = Flag<any> | Positional | NotOnCli | (T extends (...args: never[]) => unknown ? never : T extends object ? Decisions<T> : never);

export type Decisions<Options> = { [K in keyof Options]-?: Decision<NonNullable<Options[K]>> };

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const integer = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
};
const number = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
};
/** `0.1` or `10%`: a share in [0, 1]. */
const share = (value: string): number => {
  const n = value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a share such as 0.1 or 10%');
  return n;
};
const repeatable = (flags: string, description: string): Flag<string[]> =>
  ({ flags, description, parse: (value, previous) => [...previous, value], default: [] });

/** The options a run and an export share. */
type SharedOptions = Omit<ConsolidateOptions, 'out' | 'summary' | 'workersReport' | 'gold' | 'goldKey' | 'goldField' | 'review' | 'reviewShare' | 'reviewBelow' | 'report'
  | keyof ReuseSettings>;

const shared: Decisions<SharedOptions> = {
  manifest: { argument: '<manifest>', description: 'the job\'s output.manifest (a path, s3://bucket/key, or - for stdin)' },
  rejects: { flags: '--rejects <file>', description: 'rejected lines with line number and reason (default: next to --out, .rejects.jsonl)' },
  fields: {
    ...repeatable('-s, --strategy <field=name[,opt=value…]>', `strategy for a field, repeatable (${strategyNames().join(', ')})`),
    toOption: (flags) => Object.fromEntries((flags as string[]).map(parseStrategyFlag)),
  },
  labelAttribute: { flags: '--label-attribute <name>', description: 'label attribute whose <name>-metadata holds the worker-response-ref (default: detected)' },
  mirrors: repeatable('--mirror <s3://bucket/prefix/=dir>', 'read refs under an S3 prefix from a local copy, repeatable'),
  allowRefPrefixes: repeatable('--allow-ref-prefix <s3://bucket/prefix/>', 'also read refs under this S3 prefix (default: only the manifest\'s bucket), repeatable'),
  s3: {
    region: { flags: '--region <region>', description: 'AWS region (default: the SDK\'s resolution: AWS_REGION, the profile, …)' },
    profile: { flags: '--profile <name>', description: 'AWS shared-config profile (default: AWS_PROFILE or default)' },
    endpointUrl: { flags: '--endpoint-url <url>', description: 'S3-compatible endpoint (MinIO, Ceph, …), path-style addressing' },
    connectionTimeoutMs: { flags: '--connect-timeout <ms>', description: `S3 connection timeout (default ${s3Defaults.connectionTimeoutMs})`, parse: positiveInt },
    requestTimeoutMs: { flags: '--request-timeout <ms>', description: `S3 time to first byte and longest silence mid-body (default ${s3Defaults.requestTimeoutMs})`, parse: positiveInt },
    bodyTimeoutMs: { flags: '--body-timeout <ms>', description: `longest silence while a worker response streams (default ${s3Defaults.bodyTimeoutMs})`, parse: positiveInt },
    maxSockets: { notOnCli: 'follows --concurrency' },
    sdkMaxAttempts: { notOnCli: 'the SDK\'s own retries; --max-attempts sets the whole-read retries' },
  },
  s3Client: { notOnCli: 'built from --region, --profile and --endpoint-url' },
  retry: {
    attempts: { flags: '--max-attempts <n>', description: `attempts per S3 read, the first included (default ${defaultRetryPolicy.attempts})`, parse: positiveInt },
    baseDelayMs: { notOnCli: 'library tuning' },
    maxDelayMs: { notOnCli: 'library tuning' },
  },
  model: { flags: '--model <model.json>', description: 'decide model-based fields with this frozen model instead of fitting one (a path or s3://)' },
  saveModel: { flags: '--save-model <model.json>', description: 'also write the fitted models, for --model or a Lambda (a path or s3://)' },
  seed: { flags: '--seed <n>', description: 'seed for random tie-breaking', parse: integer },
  concurrency: { flags: '--concurrency <n>', description: `worker responses fetched at once (default ${defaults.concurrency})`, parse: positiveInt },
  workers: { flags: '--workers <n>', description: 'worker threads that fetch and parse worker responses (default 0: the main thread)', parse: integer },
  maxResponseBytes: { flags: '--max-response-bytes <n>', description: `reject larger worker responses (default ${defaults.maxResponseBytes})`, parse: positiveInt },
  preferences: { notOnCli: 'a mapping: set it in the --config file' },
  unknownAnswers: {
    flags: '--unknown-answers <copy|ref>', choices: ['copy', 'ref'],
    description: 'answers of a shape no strategy decides: copied onto each output line (copy, default) or counted with a pointer to the worker response (ref)',
  },
  schema: { notOnCli: 'groups and keyPatterns: set them in the --config file' },
  log: { notOnCli: 'the CLI prints notices unless --quiet' },
  onProgress: { notOnCli: 'the CLI shows progress as --progress says' },
  signal: { notOnCli: 'SIGINT and SIGTERM stop the run' },
};

export const runDecisions: Decisions<ConsolidateOptions> = {
  ...shared,
  out: { flags: '-o, --out <file>', description: 'consolidated manifest to write (a path or s3://bucket/key)', required: true },
  summary: { flags: '--summary <file>', description: 'run summary as JSON (default: <out>.summary.json)' },
  workersReport: { flags: '--workers-report <file>', description: 'per-worker report, .csv or .jsonl (answers, agreement, model accuracy, gold, time)' },
  gold: { flags: '--gold <file>', description: 'gold labels, .csv (key,label) or .jsonl ({key, label}): scores the labels and the workers' },
  goldKey: { flags: '--gold-key <field>', description: 'manifest field holding the object key gold is keyed by (default: source-ref, else source)' },
  goldField: { flags: '--gold-field <field>', description: 'the answer field gold labels are for (default: every categorical field)' },
  review: { flags: '--review <file>', description: 'review queue: the objects that need another look, as a Ground Truth input manifest, least confident first' },
  reviewShare: { flags: '--review-share <share>', description: `least confident share of the objects in the review queue, 0.1 or 10% (default ${defaults.reviewShare})`, parse: share },
  reviewBelow: { flags: '--review-below <confidence>', description: 'also every object less confident than this', parse: share },
  report: { flags: '--report <file.html>', description: 'also write a self-contained HTML report of the run (a path or s3://bucket/key)' },
  resume: { flags: '--resume', description: 'continue an interrupted run from its checkpoint: lines it had prepared are not fetched again' },
  checkpoint: {
    flags: '--checkpoint <dir|s3://bucket/prefix/|none>', toOption: (raw) => (raw === 'none' ? false : raw),
    description: 'folder or S3 prefix of the run\'s checkpoint, removed once it succeeds (default: <out>.checkpoint beside a local --out; none for S3 outputs)',
  },
  checkpointEvery: {
    lines: { flags: '--checkpoint-every <lines>', description: `checkpoint after this many lines (default ${checkpointDefaults.lines})`, parse: positiveInt },
    seconds: { flags: '--checkpoint-seconds <s>', description: `or after this many seconds (default ${checkpointDefaults.seconds})`, parse: positiveInt },
  },
  state: { flags: '--state <file>', description: 'ledger of incremental runs (a path or s3://): unchanged objects are not fetched again; written back with the outputs' },
  newPart: { flags: '--new-part <file>', description: 'with --state: the new, changed and flipped objects (default: <out>.new.jsonl)' },
};

/** Resume and incremental runs are `run`'s. */
const runOnly = (why: string): Decisions<ReuseSettings> => ({
  resume: { notOnCli: why }, checkpoint: { notOnCli: why }, checkpointEvery: { notOnCli: why }, state: { notOnCli: why }, newPart: { notOnCli: why },
});
/** The four steps of a sharded run take a run's flags (the same on every step), and the work folder they share. */
export const scaleOutDecisions: Decisions<ScaleOutJob> = {
  ...runDecisions,
  ...runOnly('each step is idempotent: rerun the step that failed'),
  work: { flags: '--work <folder>', description: 'the work folder (a path or s3://bucket/prefix/) the steps write their parts to', required: true },
  model: { notOnCli: 'fit writes the model into --work' },
  saveModel: { notOnCli: 'fit writes the model into --work/model.json' },
};

export const exportDecisions: Decisions<ExportOptions> = {
  ...shared,
  ...runOnly('an export is rebuilt whole; resume and incremental runs are run\'s'),
  format: { flags: '-f, --format <format>', description: 'dataset format', choices: [...exportFormats, ...shapeFormats], required: true },
  out: { flags: '-o, --out <file>', description: 'dataset to write (a path or s3://bucket/key; yolo: a new local folder)', required: true },
  stats: { flags: '--stats <file>', description: 'stats sidecar JSON (default: <out>.stats.json)' },
  dimensions: {
    ...repeatable('--dimension <name>', 'preference dimension to export: needed when the job has several (one per pair file; lossless takes several)'),
    toOption: (names) => ((names as string[]).length > 0 ? names : undefined),
  },
  pairs: { flags: '--pairs <policy>', description: 'pairs taken from each ranking', choices: pairPolicies, default: 'best-vs-worst' },
  minAgreement: { flags: '--min-agreement <share>', description: 'keep a pair when its winner has at least this share of non-tied annotators', parse: number, default: 0 },
  minMargin: { flags: '--min-margin <x>', description: 'keep a pair when its margin is at least this (in the strategy\'s unit)', parse: number, default: 0 },
  minVotes: { flags: '--min-votes <n>', description: 'keep a pair when at least this many annotators were not tied on it', parse: positiveInt, default: 1 },
  ties: { flags: '--ties <policy>', description: 'pairs with equal aggregate scores', choices: ['drop', 'keep'], default: 'drop' },
  promptField: { flags: '--prompt-field <field>', description: 'manifest field holding the prompt (text or messages)', default: 'source' },
  responsesField: { flags: '--responses-field <field>', description: 'manifest field holding the responses (array)', default: 'responses' },
  withScores: { flags: '--no-scores', description: 'leave margin, score_chosen and score_rejected out of TRL rows' },
  field: { flags: '--field <name>', description: 'shape field to export (coco, yolo, spans-jsonl, augmented-manifest): needed when the job has several' },
  textField: { flags: '--text-field <field>', description: 'manifest field holding the text entity spans were marked in', default: 'source' },
  gold: { notOnCli: 'labels are scored against gold by `run --gold`' },
  review: { notOnCli: 'the review queue is `run --review`' },
  reviewShare: { notOnCli: 'goes with review' },
  reviewBelow: { notOnCli: 'goes with review' },
  report: { notOnCli: 'rebuild a report from the export\'s stats with `gt-consolidate report`' },
  goldKey: { notOnCli: 'goes with gold' },
  goldField: { notOnCli: 'goes with gold' },
};

const { seed: _seed, rejects: _rejects, model: _model, saveModel: _saveModel, ...inspectShared } = shared;

export const inspectDecisions: Decisions<InspectOptions> = {
  ...inspectShared,
  ...runOnly('inspect writes nothing to resume or continue'),
  sample: { flags: '--sample <n>', description: 'read only the first n lines (default: all)', parse: positiveInt },
  model: { notOnCli: 'inspect fits and decides nothing' },
  saveModel: { notOnCli: 'inspect fits and decides nothing' },
};

export const reportDecisions: Decisions<ReportOptions> = {
  summary: { argument: '<summary.json>', description: 'the run summary (a path or s3://bucket/key)' },
  out: { flags: '-o, --out <report.html>', description: 'the HTML report to write (a path or s3://bucket/key)', required: true },
  manifest: { flags: '--manifest <file>', description: 'the run\'s consolidated manifest: adds each field\'s confidence histogram and label counts' },
  workersReport: { flags: '--workers-report <file>', description: 'the run\'s worker report, .csv or .jsonl: adds the worker table' },
  review: { flags: '--review <file>', description: 'the run\'s review queue: adds its least confident objects' },
  s3: shared.s3,
  retry: shared.retry,
};

/** Which shard a step works on: `--index` and `--count`, or both from an AWS Batch array job's environment. */
function shardFlags() {
  return {
    index: { flags: '--index <i>', description: 'the shard: 0 to count - 1', parse: integer },
    count: { flags: '--count <n>', description: 'the number of shards, the same for every step of the job', parse: positiveInt },
    indexFromEnv: {
      flags: '--index-from-env',
      description: 'take the index from AWS_BATCH_JOB_ARRAY_INDEX and the count from AWS_BATCH_JOB_ARRAY_SIZE (an AWS Batch array job)',
    },
  } satisfies Record<string, Flag>;
}

/** Flags of one command with no library option behind them. */
export const commandFlags = {
  run: {
    dryRun: { flags: '--dry-run', description: 'read the job and make every check a run makes, write nothing' },
    json: { flags: '--json', description: 'print the run summary as JSON on stdout (notices and the human summary stay on stderr)' },
  },
  inspect: {
    writeConfig: { flags: '--write-config <file>', description: 'write a starter configuration (YAML) that run accepts as it is' },
    json: { flags: '--json', description: 'print the inspection as JSON on stdout' },
  },
  export: {},
  report: {},
  shard: { ...shardFlags(), json: { flags: '--json', description: 'print the shard\'s counts as JSON on stdout' } },
  fit: { count: shardFlags().count, json: { flags: '--json', description: 'print the fit\'s counts as JSON on stdout' } },
  decide: { ...shardFlags(), json: { flags: '--json', description: 'print the decided part\'s counts as JSON on stdout' } },
  merge: {
    count: shardFlags().count,
    json: { flags: '--json', description: 'print the run summary as JSON on stdout (notices and the human summary stay on stderr)' },
  },
} satisfies Record<string, Record<string, Flag>>;

/** Flags of the command line itself, with no library option behind them. */
export const cliFlags = {
  config: { flags: '-c, --config <file>', description: 'JSON or YAML file mapping fields to strategies and options' },
  progress: {
    flags: '--progress <mode>', choices: progressModes, default: 'auto',
    description: 'progress on stderr: a line rewritten in place (tty), a heartbeat line every 10 s (plain), none; auto: tty on a terminal, else plain',
  },
  noProgress: { flags: '--no-progress', description: 'same as --progress none' },
  quiet: { flags: '-q, --quiet', description: 'print nothing but errors' },
  verbose: { flags: '--verbose', description: 'print stack traces with errors' },
} satisfies Record<string, Flag>;

export interface CliFlagValues {
  config?: string;
  /** `false` from `--no-progress`. */
  progress: ProgressMode | false;
  quiet?: boolean;
  verbose?: boolean;
}

const isFlag = (decision: object): decision is Flag => 'flags' in decision;
const isNested = (decision: object): decision is Decisions<object> => !('flags' in decision || 'argument' in decision || 'notOnCli' in decision);

/** Every flag of a table, nested ones included, in declaration order. */
export function flagsOf(decisions: object): Flag[] {
  return Object.values(decisions).flatMap((decision: object) => (isFlag(decision) ? [decision] : isNested(decision) ? flagsOf(decision) : []));
}

export function commanderOption(flag: Flag): Option {
  const option = new Option(flag.flags, flag.description);
  if (flag.parse) option.argParser(flag.parse as (value: string, previous: unknown) => unknown);
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.choices) option.choices(flag.choices);
  if (flag.required) option.makeOptionMandatory();
  return option;
}

/** The library options that parsed flags (by commander attribute name) and the positional argument give; unset ones left out. */
export function optionsFrom<Options>(decisions: Decisions<Options>, values: Readonly<Record<string, unknown>>, positional: string): Partial<Options> {
  const options: Record<string, unknown> = {};
  for (const [key, decision] of Object.entries(decisions) as [string, object][]) {
    let value: unknown;
    if ('argument' in decision) value = positional;
    else if (isFlag(decision)) {
      const raw = values[new Option(decision.flags).attributeName()];
      value = raw === undefined || !decision.toOption ? raw : decision.toOption(raw);
    } else if (isNested(decision)) {
      const nested = optionsFrom(decision, values, positional);
      value = Object.keys(nested).length > 0 ? nested : undefined;
    }
    if (value !== undefined) options[key] = value;
  }
  return options as Partial<Options>;
}
