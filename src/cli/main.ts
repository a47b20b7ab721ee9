/** The `gt-consolidate` command: a thin layer over the library's `consolidate` and `exportPreferences`. */
import { readFileSync } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadConfig, parseStrategyFlag } from '../config/config.js';
import { UsageError } from '../errors.js';
import { exportPreferences } from '../export/export.js';
import { exportFormats, type ExportFormat } from '../export/formats.js';
import { pairPolicies, type PairPolicy } from '../export/pairs.js';
import { defaultRetryPolicy } from '../io/s3/retry.js';
import { createS3Client, s3Defaults, type S3Settings } from '../io/s3/s3-client.js';
import { Storages } from '../io/storages.js';
import { consolidate, defaults, type ConsolidateOptions } from '../pipeline/consolidate.js';
import { formatSummary, type Summary } from '../report/summary.js';
import { strategyNames } from '../../strategies/registry.js';

const exitCodes = { ok: 0, failure: 1, usage: 2, rejected: 3 } as const;

const configMaxBytes = 1024 * 1024;

/** Flags every command that reads a job has. */
interface SourceFlags {
  rejects?: string;
  config?: string;
  strategy: string[];
  labelAttribute?: string;
  mirror: string[];
  allowRefPrefix: string[];
  region?: string;
  profile?: string;
  endpointUrl?: string;
  maxAttempts?: number;
  connectTimeout?: number;
  requestTimeout?: number;
  seed?: number;
  concurrency?: number;
  workers?: number;
  maxResponseBytes?: number;
  progress: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

interface RunFlags extends SourceFlags {
  out: string;
  summary?: string;
  workersReport?: string;
  gold?: string;
  goldKey?: string;
  goldField?: string;
}

interface ExportFlags extends SourceFlags {
  format: ExportFormat;
  out: string;
  stats?: string;
  dimension: string[];
  pairs: PairPolicy;
  minAgreement: number;
  minMargin: number;
  minVotes: number;
  ties: 'drop' | 'keep';
  promptField: string;
  responsesField: string;
  scores: boolean;
}

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
const collectFlag = (value: string, previous: string[]): string[] => [...previous, value];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function addSourceOptions(command: Command): Command {
  return command
    .option('--rejects <file>', 'rejected lines with line number and reason (default: next to --out, .rejects.jsonl)')
    .option('-c, --config <file>', 'JSON or YAML file mapping fields to strategies and options')
    .option('-s, --strategy <field=name[,opt=value…]>', `strategy for a field, repeatable (${strategyNames().join(', ')})`, collectFlag, [])
    .option('--label-attribute <name>', 'label attribute whose <name>-metadata holds the worker-response-ref (default: detected)')
    .option('--mirror <s3://bucket/prefix/=dir>', 'read refs under an S3 prefix from a local copy, repeatable', collectFlag, [])
    .option('--allow-ref-prefix <s3://bucket/prefix/>', 'also read refs under this S3 prefix (default: only the manifest\'s bucket), repeatable', collectFlag, [])
    .option('--region <region>', 'AWS region (default: the SDK\'s resolution: AWS_REGION, the profile, …)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE or default)')
    .option('--endpoint-url <url>', 'S3-compatible endpoint (MinIO, Ceph, …), path-style addressing')
    .option('--max-attempts <n>', `attempts per S3 read, the first included (default ${defaultRetryPolicy.attempts})`, positiveInt)
    .option('--connect-timeout <ms>', `S3 connection timeout (default ${s3Defaults.connectionTimeoutMs})`, positiveInt)
    .option('--request-timeout <ms>', `S3 time to first byte and longest silence mid-body (default ${s3Defaults.requestTimeoutMs})`, positiveInt)
    .option('--seed <n>', 'seed for random tie-breaking', integer)
    .option('--concurrency <n>', `worker responses fetched at once (default ${defaults.concurrency})`, positiveInt)
    .option('--workers <n>', 'worker threads that fetch and parse worker responses (default 0: the main thread)', integer)
    .option('--max-response-bytes <n>', `reject larger worker responses (default ${defaults.maxResponseBytes})`, positiveInt)
    .addOption(new Option('--no-progress', 'no progress line on stderr'))
    .option('-q, --quiet', 'print nothing but errors')
    .option('--verbose', 'print stack traces with errors');
}

type JobBase = Omit<ConsolidateOptions, 'out'>;

/** Builds what both commands share (config, S3 client, progress line), runs `body`, and closes the S3 client. */
async function withJob(
  manifest: string, flags: SourceFlags, stderr: NodeJS.WritableStream,
  body: (base: JobBase, log: (message: string) => void) => Promise<Summary>,
): Promise<number> {
  const log = flags.quiet ? () => {} : (message: string) => stderr.write(`${message}\n`);
  const s3Settings: S3Settings = {
    region: flags.region,
    profile: flags.profile,
    endpointUrl: flags.endpointUrl,
    connectionTimeoutMs: flags.connectTimeout,
    requestTimeoutMs: flags.requestTimeout,
    maxSockets: flags.concurrency,
  };
  const retry = { ...defaultRetryPolicy, ...(flags.maxAttempts && { attempts: flags.maxAttempts }) };
  // One S3 client for the process, made only if something lives in S3, and closed here.
  let s3Client: S3Client | undefined;
  const storages = new Storages(() => (s3Client = createS3Client(s3Settings, retry)), retry);
  try {
    const config = flags.config
      ? await loadConfig(flags.config, async (file) => (await storages.for(file).readAll(file, configMaxBytes)).toString('utf8'))
      : undefined;
    const showProgress = flags.progress && !flags.quiet && (stderr as { isTTY?: boolean }).isTTY === true;
    let lastProgress = 0;
    const summary = await body({
      manifest,
      rejects: flags.rejects,
      labelAttribute: flags.labelAttribute ?? config?.labelAttribute,
      mirrors: flags.mirror,
      allowRefPrefixes: flags.allowRefPrefix,
      s3: s3Settings,
      s3Client,
      retry,
      fields: { ...config?.fields, ...Object.fromEntries(flags.strategy.map(parseStrategyFlag)) },
      preferences: config?.preferences,
      seed: flags.seed ?? config?.seed,
      concurrency: flags.concurrency ?? config?.concurrency,
      workers: flags.workers,
      maxResponseBytes: flags.maxResponseBytes ?? config?.maxResponseBytes,
      log,
      onProgress: showProgress
        ? ({ lines }) => {
          if (Date.now() - lastProgress < 250) return;
          lastProgress = Date.now();
          stderr.write(`\r${lines.read} lines: ${lines.consolidated} consolidated, ${lines.failedInJob} failed in job, ${lines.rejected} rejected`);
        }
        : undefined,
    }, log);
    if (showProgress) stderr.write('\r\x1b[K');
    log(formatSummary(summary));
    return summary.lines.rejected > 0 ? exitCodes.rejected : exitCodes.ok;
  } finally {
    storages.close();
  }
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code; never calls `process.exit`. */
export async function main(argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  let exitCode: number = exitCodes.ok;
  let verbose = argv.includes('--verbose');
  const program = new Command('gt-consolidate')
    .description('Consolidate the worker responses of a SageMaker Ground Truth custom labeling job run without a post-annotation Lambda.')
    .version(version())
    .exitOverride()
    .configureOutput({ writeErr: (text) => stderr.write(text), outputError: () => {} });

  addSourceOptions(program.command('run')
    .description('consolidate an output manifest into a consolidated manifest, a rejects file and a summary')
    .argument('<manifest>', 'the job\'s output.manifest (a path, s3://bucket/key, or - for stdin)')
    .requiredOption('-o, --out <file>', 'consolidated manifest to write (a path or s3://bucket/key)')
    .option('--summary <file>', 'run summary as JSON (default: <out>.summary.json)')
    .option('--workers-report <file>', 'per-worker report, .csv or .jsonl (answers, agreement, model accuracy, gold, time)')
    .option('--gold <file>', 'gold labels, .csv (key,label) or .jsonl ({key, label}): scores the labels and the workers')
    .option('--gold-key <field>', 'manifest field holding the object key gold is keyed by (default: source-ref, else source)')
    .option('--gold-field <field>', 'the answer field gold labels are for (default: every categorical field)'))
    .action(async (manifest: string, flags: RunFlags) => {
      verbose = flags.verbose ?? false;
      exitCode = await withJob(manifest, flags, stderr, (base) => consolidate({
        ...base,
        out: flags.out,
        summary: flags.summary,
        workersReport: flags.workersReport,
        gold: flags.gold,
        goldKey: flags.goldKey,
        goldField: flags.goldField,
      }));
    });

  addSourceOptions(program.command('export')
    .description('export consolidated human preferences as a training dataset (TRL, KTO, OpenAI, Nova, lossless)')
    .argument('<manifest>', 'the job\'s output.manifest (a path, s3://bucket/key, or - for stdin)')
    .addOption(new Option('-f, --format <format>', 'dataset format').choices(exportFormats).makeOptionMandatory())
    .requiredOption('-o, --out <file>', 'dataset to write, JSON Lines (a path or s3://bucket/key)')
    .option('--stats <file>', 'stats sidecar JSON (default: <out>.stats.json)')
    .option('--dimension <name>', 'preference dimension to export, repeatable (default: all)', collectFlag, [])
    .addOption(new Option('--pairs <policy>', 'pairs taken from each ranking').choices(pairPolicies).default('best-vs-worst'))
    .option('--min-agreement <share>', 'keep a pair when its winner has at least this share of non-tied annotators', number, 0)
    .option('--min-margin <x>', 'keep a pair when its margin is at least this (in the strategy\'s unit)', number, 0)
    .option('--min-votes <n>', 'keep a pair when at least this many annotators were not tied on it', positiveInt, 1)
    .addOption(new Option('--ties <policy>', 'pairs with equal aggregate scores').choices(['drop', 'keep']).default('drop'))
    .option('--prompt-field <field>', 'manifest field holding the prompt (text or messages)', 'source')
    .option('--responses-field <field>', 'manifest field holding the responses (array)', 'responses')
    .option('--no-scores', 'leave margin, score_chosen and score_rejected out of TRL rows'))
    .action(async (manifest: string, flags: ExportFlags) => {
      verbose = flags.verbose ?? false;
      exitCode = await withJob(manifest, flags, stderr, async (base, log) => {
        const stats = await exportPreferences({
          ...base,
          format: flags.format,
          out: flags.out,
          stats: flags.stats,
          ...(flags.dimension.length > 0 && { dimensions: flags.dimension }),
          pairs: flags.pairs,
          minAgreement: flags.minAgreement,
          minMargin: flags.minMargin,
          minVotes: flags.minVotes,
          ties: flags.ties,
          promptField: flags.promptField,
          responsesField: flags.responsesField,
          withScores: flags.scores,
        });
        const dropped = Object.entries(stats.dropped).map(([reason, count]) => `${reason} ${count}`).join(', ');
        log(`${flags.format}: ${stats.rowsWritten} rows from ${stats.pairsWritten} pairs to ${flags.out}${dropped ? `; dropped: ${dropped}` : ''}`);
        return stats.run;
      });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return exitCodes.ok; // --help, --version
      stderr.write(`gt-consolidate: ${error.message.replace(/^error: /, '')}\n`);
      return exitCodes.usage;
    }
    const usage = error instanceof UsageError;
    stderr.write(`gt-consolidate: ${(error as Error).message}\n`);
    if (verbose && !usage) stderr.write(`${(error as Error).stack}\n`);
    return usage ? exitCodes.usage : exitCodes.failure;
  }
}
