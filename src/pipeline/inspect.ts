/**
 * `inspect`: the first pass of a run alone — read the manifest (or its first `sample` lines), prepare each line,
 * count, learn the field schema — then the checks a run makes before deciding (configuration against the job, the
 * first lines' refs and label attribute). Nothing is written. `starterConfig` turns the result into a configuration
 * file that `run` accepts as it is.
 */
import { stringify as toYaml } from 'yaml';
import { checkOptions } from '../config/config.js';
import type { Line } from '../io/lines.js';
import { refPolicyFor, type JobIO } from '../io/job-io.js';
import { emptySummary, type Summary } from '../report/summary.js';
import { FieldSchemaBuilder, type FieldSchema } from '../responses/field-schema.js';
import { defaults, openJobIO, type ConsolidateOptions } from './consolidate.js';
import { FieldPlanner } from './field-plan.js';
import { countingTally } from './table.js';
import { openPreparer } from './prepare-pool.js';
import { prepareStage } from './prepare.js';
import { ProgressTracker } from './progress.js';
import { runStages, type Stage } from './stage.js';
import { forTerminal } from '../text/escape.js';

export interface InspectOptions extends Omit<ConsolidateOptions,
  'out' | 'rejects' | 'summary' | 'workersReport' | 'gold' | 'goldKey' | 'goldField' | 'seed' | 'review' | 'reviewShare' | 'reviewBelow' | 'report'> {
  /** Read only the first `sample` lines (default: all). */
  sample?: number;
}

export interface Inspection {
  lines: Summary['lines'];
  rejectedBy: Summary['rejectedBy'];
  duplicateAnswers: number;
  schema: FieldSchema;
  /** By field: the strategy a run would use (configured or picked from the kind), `null` for a field left undecided. */
  strategies: Record<string, string | null>;
}

export async function inspectJob(unchecked: InspectOptions, io?: JobIO): Promise<Inspection> {
  const options = checkOptions(unchecked);
  const concurrency = options.concurrency ?? defaults.concurrency;
  const own = io ?? openJobIO(options);
  try {
    const planner = new FieldPlanner(options.fields, () => {});
    const refs = refPolicyFor(options.manifest, options, options.log ?? (() => {}));
    const summary = emptySummary(options.manifest, null, '');
    const builder = new FieldSchemaBuilder(options.schema);
    const tally = countingTally(options, summary, (object) => builder.observe(object.fields, object.workers.length));
    const input = await own.storageFor(options.manifest).openRead(options.manifest);
    const progress = new ProgressTracker(options.onProgress, summary, input);
    const prepare = openPreparer(options, own, refs, concurrency);
    try {
      await runStages(input, progress.lines, firstOnly<Line>(options.sample), prepareStage(concurrency, prepare.line), async (lines) => {
        for await (const line of lines) {
          tally.line(line);
          progress.line();
        }
        tally.end();
      }, { signal: options.signal });
    } finally {
      input.destroy();
      await prepare.close();
    }
    const schema = builder.resolve();
    planner.adopt(schema);
    const strategies = Object.fromEntries(schema.fields.map(({ name }) => [name, planner.planFor(name)?.strategy.name ?? null]));
    return { lines: summary.lines, rejectedBy: summary.rejectedBy, duplicateAnswers: summary.duplicateAnswers, schema, strategies };
  } finally {
    if (!io) own.close();
  }
}

/** The first `count` lines (all without a count); stops reading there. */
function firstOnly<T>(count: number | undefined): Stage<T, T> {
  return async function* take(lines) {
    let taken = 0;
    for await (const line of lines) {
      if (count !== undefined && taken >= count) return;
      taken += 1;
      yield line;
    }
  };
}

/**
 * A configuration file for the job: every decided field with the strategy a run would pick, the radio groups found,
 * and, as comments, the fields left undecided and the key patterns a run could map (adding one renames its fields, so
 * it is left for the user to choose).
 */
export function starterConfig(inspection: Inspection, source: string): string {
  const { schema, strategies } = inspection;
  const fields = Object.fromEntries(schema.fields.flatMap(({ name }) => (strategies[name] ? [[name, strategies[name]]] : [])));
  const groups = Object.fromEntries(schema.groups.map(({ name, members }) => [name, members]));
  const config = { fields, ...(schema.groups.length > 0 && { groups }) };
  const comments = [
    `# gt-consolidate configuration, written by \`gt-consolidate inspect\` from ${schema.objects} objects of ${source}.`,
    '# Strategies: `gt-consolidate run --help`; every key is checked against the job when a run starts.',
    ...schema.fields.filter(({ name }) => !strategies[name]).map(({ name, unknownReason }) =>
      `# ${JSON.stringify(name)} is not decided (${unknownReason ?? 'no strategy'}): its raw answers are kept in the metadata.`),
    ...schema.patterns.map(({ pattern, suggestion }) =>
      `# keys like ${JSON.stringify(pattern)} are one field per row; to consolidate them so, add:\n`
      + `#   keyPatterns: [{ pattern: ${JSON.stringify(suggestion.pattern)}, field: ${JSON.stringify(suggestion.field)} }]`),
  ];
  return `${comments.join('\n')}\n${toYaml(config)}`;
}

/** What `inspect` prints: the counts, then one block per field; names from the data are escaped. */
export function formatInspection(inspection: Inspection): string {
  const { lines, schema, strategies } = inspection;
  const out = [
    `${lines.read} lines: ${lines.consolidated} objects with answers, ${lines.failedInJob} failed in job, ${lines.rejected} rejected`
      + (inspection.duplicateAnswers ? `; ${inspection.duplicateAnswers} duplicate submissions (the last counts)` : ''),
    ...Object.entries(inspection.rejectedBy).map(([code, count]) => `  rejected ${code}: ${count}`),
  ];
  for (const field of schema.fields) {
    const { min, max, mean } = field.workersPerObject;
    out.push(
      `${forTerminal(field.name)}: ${field.kind}${field.choice ? ` (${field.choice} choice)` : ''}${field.group ? `, group of ${field.group.members.map(forTerminal).join(', ')}` : ''}`
        + ` → ${strategies[field.name] ?? `not decided (${field.unknownReason ?? 'no strategy'})`}`,
      `  ${field.answers} answers in ${field.objects} objects, ${min === max ? min : `${min}-${max} (mean ${mean.toFixed(1)})`} workers each`
        + (field.partialObjects ? `, ${field.partialObjects} objects where not every worker answered` : ''),
      `  shapes: ${Object.entries(field.shapes).map(([shape, count]) => `${shape} ${count}`).join(', ')}`,
      ...(field.labels.length ? [`  labels: ${field.labels.map(({ label, count }) => `${forTerminal(label)} ${count}`).join(', ')}${field.labelsTruncated ? ', …' : ''}`] : []),
      `  examples: ${field.examples.map(forTerminal).join('  ')}`,
    );
  }
  for (const pattern of schema.patterns) {
    out.push(`keys like ${forTerminal(pattern.pattern)} (${pattern.keys}${pattern.moreKeys ? '+' : ''} keys, ${pattern.answers} answers${pattern.perWorker ? ', one set per worker' : ''}):`
      + ` keyPatterns: [{ pattern: ${JSON.stringify(pattern.suggestion.pattern)}, field: ${JSON.stringify(pattern.suggestion.field)} }]`);
  }
  return out.join('\n');
}
