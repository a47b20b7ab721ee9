/** The `gt-consolidate` command: a thin layer over the library's `consolidate` and `exportPreferences`. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { UsageError } from '../errors.js';
import { exportDataset } from '../export/export.js';
import { withOutputs } from '../io/output-group.js';
import { formatInspection, inspectJob, starterConfig, type InspectOptions } from '../pipeline/inspect.js';
import type { JobIO } from '../io/job-io.js';
import { besideOutput, consolidate, openJobIO, type ConsolidateOptions } from '../pipeline/consolidate.js';
import { loadSummary, reportInput, type PairStats, type ReportOptions, type ReportSources } from '../report/html/report-input.js';
import { formatSummary, type Summary } from '../report/summary.js';
import { forTerminal } from '../text/escape.js';
import {
  cliFlags, commandFlags, commanderOption, exportDecisions, flagsOf, inspectDecisions, optionsFrom, reportDecisions, runDecisions, scaleOutDecisions,
  type CliFlagValues,
  type Decisions, type Flag,
} from './options.js';
import { decide } from '../scale-out/decide.js';
import { fit } from '../scale-out/fit.js';
import { merge } from '../scale-out/merge.js';
import { shard as shardStep } from '../scale-out/shard.js';
import { indexFromEnvironment } from '../scale-out/task-handler.js';
import { progressDisplay, type ProgressDisplay, type ProgressWriter } from './progress.js';

const exitCodes = { ok: 0, failure: 1, usage: 2, rejected: 3 } as const;

const configMaxBytes = 1024 * 1024;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A subcommand with its positional argument and flags from `decisions`, then its own flags and the command line's (`common`). */
function subcommand(
  program: Command, name: keyof typeof commandFlags, description: string, decisions: object, common: readonly Flag[] = Object.values(cliFlags),
): Command {
  const command = program.command(name).description(description);
  const positional = Object.values(decisions).find((decision: object) => 'argument' in decision) as { argument: string; description: string };
  command.argument(positional.argument, positional.description);
  for (const flag of [...flagsOf(decisions), ...Object.values(commandFlags[name]), ...common]) command.addOption(commanderOption(flag));
  return command;
}

/** The progress display the flags ask for: none with `--quiet` or `--no-progress`. */
function displayFor(flags: CliFlagValues, stderr: NodeJS.WritableStream): ProgressDisplay | undefined {
  return flags.quiet || flags.progress === false ? undefined : progressDisplay(flags.progress, stderr as NodeJS.WritableStream & ProgressWriter);
}

/** The library options a command's flags give, over the config file's, with notices and progress going to `display` or stderr. */
function jobOptions<Options extends InspectOptions>(
  decisions: Decisions<Options>, manifest: string, values: Record<string, unknown>, config: Config | undefined, stderr: NodeJS.WritableStream,
  display: ProgressDisplay | undefined,
): Options {
  const flags = values as unknown as CliFlagValues;
  const fromFlags = optionsFrom(decisions, values, manifest) as Partial<ConsolidateOptions>;
  return {
    labelAttribute: config?.labelAttribute,
    seed: config?.seed,
    concurrency: config?.concurrency,
    maxResponseBytes: config?.maxResponseBytes,
    preferences: config?.preferences,
    schema: { groups: config?.groups, keyPatterns: config?.keyPatterns },
    ...fromFlags,
    fields: { ...config?.fields, ...fromFlags.fields },
    log: flags.quiet ? () => {} : display ? display.notice : (message: string) => stderr.write(`${message}\n`),
    onProgress: display?.update,
  } as unknown as Options;
}

const signalExitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
let stoppedBy: keyof typeof signalExitCodes | undefined;

/**
 * SIGINT and SIGTERM abort the run: every stage stops, temporary files are removed and multipart uploads aborted before
 * the process exits (with 128 + the signal's number). A second signal exits at once.
 */
function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  for (const signal of Object.keys(signalExitCodes) as (keyof typeof signalExitCodes)[]) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      stoppedBy = signal;
      controller.abort(new Error(`stopped by ${signal}: nothing was published`));
      process.once(signal, () => process.exit(signalExitCodes[signal]));
    });
  }
  return controller.signal;
}

/**
 * Loads the config, runs `body` with the job's options, one I/O for the process and the progress display (which `body`
 * stops before its closing lines), and closes the I/O.
 */
async function withJob<Options extends InspectOptions>(
  decisions: Decisions<Options>, manifest: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream,
  body: (options: Options, io: JobIO, display: ProgressDisplay | undefined) => Promise<number>,
): Promise<number> {
  const flags = values as unknown as CliFlagValues;
  const display = displayFor(flags, stderr);
  const io = openJobIO(optionsFrom(decisions, values, manifest) as Partial<ConsolidateOptions>);
  try {
    const config = flags.config
      ? await loadConfig(flags.config, async (file) => (await io.storageFor(file).readAll(file, configMaxBytes)).toString('utf8'))
      : undefined;
    const options = { ...jobOptions(decisions, manifest, values, config, stderr, display), signal: stopOnSignals() };
    return await body(options, io, display);
  } finally {
    display?.stop(); // before an error's line
    io.close();
  }
}

/** Prints a run's summary; exit 3 when lines were rejected. */
function summaryExit(log: (message: string) => void, summary: Summary): number {
  log(formatSummary(summary));
  return summary.lines.rejected > 0 ? exitCodes.rejected : exitCodes.ok;
}

/** Writes a small text file (local or S3) all-or-nothing. */
async function writeText(io: JobIO, location: string, text: string): Promise<void> {
  await withOutputs((where) => io.storageFor(where), async (group) => (await group.open(location)).write(text));
}

/**
 * Writes the HTML report of a run's summary, with the manifest, worker report and review queue `sources` names. The
 * renderer is imported here, not at start: vega and vega-lite take half a second to load, which no other command pays.
 */
async function writeReport(
  io: JobIO, out: string, summary: Summary, sources: ReportSources, summaryLocation?: string, pairs?: PairStats,
): Promise<void> {
  const { renderReport } = await import('../report/html/html-report.js');
  await writeText(io, out, await renderReport(await reportInput(summary, sources, io, summaryLocation, pairs)));
}

/**
 * `run`: consolidate (or, with `--dry-run`, only check), print the summary (`--json`: as JSON on stdout too), write the
 * report when asked, and say where each output went.
 */
async function runCommand(
  manifest: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream, stdout: NodeJS.WritableStream,
): Promise<number> {
  return withJob(runDecisions, manifest, values, stderr, async (options, io, display) => {
    if (values.dryRun === true) {
      const inspection = await inspectJob(options, io);
      display?.stop();
      options.log!(`${formatInspection(inspection)}\ndry run: every check passed; nothing was written`);
      return exitCodes.ok;
    }
    const summary = await consolidate(options, io);
    display?.stop();
    return finishRun(summary, options, io, values, stdout);
  });
}

/** After a run (or a sharded run's merge): the summary printed, the report written when asked, where each output went. */
async function finishRun(
  summary: Summary, options: ConsolidateOptions, io: JobIO, values: Record<string, unknown>, stdout: NodeJS.WritableStream,
): Promise<number> {
  const code = summaryExit(options.log!, summary);
  if (options.report !== undefined) {
    const manifest = summary.output === null || summary.output === '-' ? undefined : summary.output;
    await writeReport(io, options.report, summary, { manifest, workersReport: options.workersReport, review: options.review });
    options.log!(`report written to ${forTerminal(options.report)}`);
  }
  options.log!(outputsWritten(summary, options));
  if (values.json === true) stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return code;
}

/** The shard a step was given: `--index`/`--count`, or `--index-from-env` (never both). */
function shardOf(values: Record<string, unknown>, needsIndex: boolean): { index: number; count: number } {
  if (values.indexFromEnv === true) {
    if (values.index !== undefined || values.count !== undefined) throw new UsageError('--index-from-env takes the index and count from the environment: drop --index and --count');
    return indexFromEnvironment();
  }
  if (values.count === undefined) throw new UsageError('give the number of shards with --count (or --index-from-env in an AWS Batch array job)');
  if (needsIndex && values.index === undefined) throw new UsageError('give the shard with --index (or --index-from-env in an AWS Batch array job)');
  return { index: values.index as number, count: values.count as number };
}

/** `shard`, `fit`, `decide`, `merge`: one step of a sharded run; `merge` ends as a run does. */
async function scaleOutCommand(
  step: 'shard' | 'fit' | 'decide' | 'merge', manifest: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  return withJob(scaleOutDecisions, manifest, values, stderr, async (options, io, display) => {
    const shard = shardOf(values, step === 'shard' || step === 'decide');
    if (step === 'merge') {
      const summary = await merge(options, shard, io);
      display?.stop();
      return finishRun(summary, options, io, values, stdout);
    }
    const counts = step === 'shard' ? await shardStep(options, shard, io) : step === 'fit' ? await fit(options, shard, io) : await decide(options, shard, io);
    display?.stop();
    options.log!(`${step}${step === 'fit' ? '' : ` ${shard.index}`} of ${shard.count}: ${Object.entries(counts)
      .filter(([key]) => !['index', 'count', 'manifest'].includes(key)).map(([key, value]) => `${key} ${forTerminal(String(value))}`).join(', ')}`);
    if (values.json === true) stdout.write(`${JSON.stringify(counts)}\n`);
    return exitCodes.ok;
  });
}

/** `written: manifest out.manifest, rejects out.rejects.jsonl, …`: every output of a run, by what it is. */
function outputsWritten(summary: Summary, options: ConsolidateOptions): string {
  const toFile = summary.output !== null && summary.output !== '-';
  const outputs: [string, string | null | undefined][] = [
    ['manifest', summary.output === '-' ? 'standard output' : summary.output],
    ['rejects', summary.rejects],
    ['summary', options.summary ?? (toFile ? besideOutput(summary.output!, '.summary.json') : undefined)],
    ['workers report', options.workersReport],
    ['review queue', options.review],
    ['new part', summary.incremental?.part],
    ['ledger', summary.incremental?.state],
    ['files the lines refer to', summary.sideFiles && `${summary.sideFiles.folder}/ (${summary.sideFiles.files})`],
    ['report', options.report],
  ];
  return `written: ${outputs.filter(([, location]) => location != null).map(([what, location]) => `${what} ${forTerminal(location!)}`).join(', ')}`;
}

/** `inspect`: the job's fields on stdout (text or JSON), and a starter configuration when asked. */
async function inspectCommand(manifest: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream, stdout: NodeJS.WritableStream): Promise<number> {
  return withJob(inspectDecisions, manifest, values, stderr, async (options, io, display) => {
    const inspection = await inspectJob(options, io);
    display?.stop();
    const text = values.json === true ? JSON.stringify(inspection, null, 2) : formatInspection(inspection);
    stdout.write(`${text}\n`);
    if (typeof values.writeConfig === 'string') {
      await writeText(io, values.writeConfig, starterConfig(inspection, manifest));
      options.log!(`starter configuration written to ${forTerminal(values.writeConfig)}`);
    }
    return inspection.lines.rejected > 0 ? exitCodes.rejected : exitCodes.ok;
  });
}

/** `export`: the dataset, a line on what was written and left out (and the `AttributeNames` to pass), and the run's summary. */
async function exportCommand(manifest: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream): Promise<number> {
  return withJob(exportDecisions, manifest, values, stderr, async (options, io, display) => {
    const stats = await exportDataset(options, io);
    display?.stop();
    const left = 'rowsWritten' in stats ? stats.dropped : stats.skipped;
    const counts = Object.entries(left).map(([reason, count]) => `${reason} ${count}`).join(', ');
    const written = 'rowsWritten' in stats
      ? `${stats.rowsWritten} rows from ${stats.pairsWritten} pairs to ${options.out}${counts ? `; dropped: ${counts}` : ''}`
      : `field ${stats.field}: ${stats.objectsWritten} objects, ${stats.shapesWritten} shapes, ${stats.classes.length} classes to ${options.out}` +
        `${counts ? `; left out: ${counts}` : ''}${stats.attributeNames ? `; AttributeNames: ${JSON.stringify(stats.attributeNames)}` : ''}`;
    options.log!(`${options.format}: ${forTerminal(written)}`);
    return summaryExit(options.log!, stats.run);
  });
}

/** `report`: a run's HTML report rebuilt from its summary (and the files beside it, when given). */
async function reportCommand(summaryLocation: string, values: Record<string, unknown>, stderr: NodeJS.WritableStream): Promise<number> {
  const options = optionsFrom(reportDecisions, values, summaryLocation) as ReportOptions;
  const io = openJobIO(options);
  try {
    const { summary, pairs } = await loadSummary(options.summary, io);
    await writeReport(io, options.out, summary, options, options.summary, pairs);
  } finally {
    io.close();
  }
  if (values.quiet !== true) stderr.write(`report written to ${forTerminal(options.out)}\n`);
  return exitCodes.ok;
}

/** The exit code of a failed command, its one line written to `stderr` (`--verbose` adds the stack of a bug). */
function failureExit(error: unknown, verbose: boolean, stderr: NodeJS.WritableStream): number {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return exitCodes.ok; // --help, --version
    stderr.write(`gt-consolidate: ${error.message.replace(/^error: /, '')}\n`);
    return exitCodes.usage;
  }
  if (stoppedBy) {
    stderr.write(`gt-consolidate: stopped by ${stoppedBy}: no output was published\n`);
    return signalExitCodes[stoppedBy];
  }
  const usage = error instanceof UsageError;
  // Messages can quote the data (a field name, a ref): escaped, so no control sequence reaches the terminal.
  stderr.write(`gt-consolidate: ${forTerminal((error as Error).message)}\n`);
  if (verbose && !usage) stderr.write(`${(error as Error).stack}\n`);
  return usage ? exitCodes.usage : exitCodes.failure;
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code; never calls `process.exit`. */
export async function main(
  argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr, stdout: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  let exitCode: number = exitCodes.ok;
  let verbose = argv.includes('--verbose');
  const program = new Command('gt-consolidate')
    .description('Consolidate the worker responses of a SageMaker Ground Truth custom labeling job run without a post-annotation Lambda.')
    .version(version())
    .exitOverride()
    .configureOutput({ writeErr: (text) => stderr.write(text), outputError: () => {} });
  const action = (command: (argument: string, values: Record<string, unknown>) => Promise<number>) =>
    async (argument: string, values: Record<string, unknown>) => {
      verbose = values.verbose === true;
      exitCode = await command(argument, values);
    };

  subcommand(program, 'run', 'consolidate an output manifest into a consolidated manifest, a rejects file and a summary', runDecisions)
    .action(action((manifest, values) => runCommand(manifest, values, stderr, stdout)));
  const steps = {
    shard: 'sharded run, step 1: fetch and prepare the lines of shard --index of --count into --work',
    fit: 'sharded run, step 2: fit the models from every shard\'s lines, into --work/model.json',
    decide: 'sharded run, step 3: consolidate shard --index with the model, into --work/out/',
    merge: 'sharded run, step 4: the decided parts in order into --out, with the rejects, summary and reports of a run',
  } as const;
  for (const [step, description] of Object.entries(steps) as [keyof typeof steps, string][]) {
    subcommand(program, step, description, scaleOutDecisions).action(action((manifest, values) => scaleOutCommand(step, manifest, values, stderr, stdout)));
  }
  subcommand(program, 'inspect', 'read a job and print what each field holds and how a run would consolidate it', inspectDecisions)
    .action(action((manifest, values) => inspectCommand(manifest, values, stderr, stdout)));
  subcommand(program, 'export', 'export consolidated labels as a training dataset: preferences (TRL, KTO, OpenAI, Nova, lossless) or a shape field (COCO, YOLO, span JSONL, augmented manifest)', exportDecisions)
    .action(action((manifest, values) => exportCommand(manifest, values, stderr)));
  subcommand(program, 'report', 'rebuild the HTML report of a run from its summary (and its manifest, worker report and review queue)', reportDecisions,
    [cliFlags.quiet, cliFlags.verbose])
    .action(action((summary, values) => reportCommand(summary, values, stderr)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return failureExit(error, verbose, stderr);
  }
}
