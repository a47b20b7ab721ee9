/**
 * `export`: a job's consolidated human preferences as a training dataset. The run is the ordinary pipeline (reader,
 * fetcher, strategies, rejects); each consolidated object then yields, per preference dimension, candidate pairs
 * (`pairs.ts`) that pass the filters, written in the chosen format (`formats.ts`), plus a stats sidecar.
 */
import { defaultRetryPolicy } from '../io/s3/retry.js';
import { createS3Client } from '../io/s3/s3-client.js';
import { Storages } from '../io/storages.js';
import { withOutputs } from '../io/output-group.js';
import type { OutputWriter } from '../io/storage.js';
import { besideOutput, runJob, type ConsolidateOptions } from '../pipeline/consolidate.js';
import type { Prepared } from '../pipeline/prepare.js';
import type { Summary } from '../report/summary.js';
import { agreementTally, judgmentsOf } from '../../strategies/preference.js';
import { submittedForm } from '../../strategies/submitted-form.js';
import { ktoRows, normaliseSpace, pairRow, type ExportFormat, type Message, type PairRecord, type Prompt } from './formats.js';
import { extractPairs, type PairPolicy } from './pairs.js';

export interface ExportOptions extends Omit<ConsolidateOptions, 'out' | 'summary' | 'workersReport'> {
  format: ExportFormat;
  /** The dataset (a path or `s3://`). */
  out: string;
  /** Stats sidecar JSON (default `<out without extension>.stats.json`). */
  stats?: string;
  /** Preference dimensions to export (default: every one). */
  dimensions?: readonly string[];
  pairs?: PairPolicy;
  /** A pair is kept when its winner has at least this share of the annotators who were not tied (default 0). */
  minAgreement?: number;
  /** … and at least this margin, in the strategy's unit (default 0). */
  minMargin?: number;
  /** … and at least this many annotators not tied on it (default 1). */
  minVotes?: number;
  /** Pairs whose aggregate scores are equal: `drop` (default) or `keep` them, flagged `"tie": true`. */
  ties?: 'drop' | 'keep';
  /** Manifest fields of the prompt (default `source`) and the responses (default `responses`). */
  promptField?: string;
  responsesField?: string;
  /** Add `margin`, `score_chosen`, `score_rejected` to TRL rows (default true). */
  withScores?: boolean;
}

export type DropReason = 'tie' | 'identical' | 'low-agreement' | 'low-margin' | 'too-few-votes' | 'unresolved' | 'no-prompt-or-responses' | 'kto-conflict';

export interface DimensionStats {
  objects: number;
  pairs: number;
  dropped: Partial<Record<DropReason, number>>;
}

export interface ExportStats {
  format: ExportFormat;
  policy: Required<Pick<ExportOptions, 'pairs' | 'minAgreement' | 'minMargin' | 'minVotes' | 'ties'>>;
  rowsWritten: number;
  pairsWritten: number;
  dropped: Partial<Record<DropReason, number>>;
  /**
   * Annotators' pairwise judgments against the consolidated order, over every pair it orders: `withTies` counts a tied
   * judgment as disagreement, `withoutTies` leaves ties out. Report both: they differ by the tie rate.
   */
  agreement: { withTies: number | null; withoutTies: number | null; judgments: number; ties: number };
  dimensions: Record<string, DimensionStats>;
  run: Summary;
}

/** Message arrays as given; `{text}` objects and strings as text. */
function promptOf(value: unknown): Prompt | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((m) => typeof m?.role === 'string' && typeof m?.content === 'string')) return value as Message[];
  if (typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string') return (value as { text: string }).text;
  return undefined;
}

function responseText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { text, content } = value as { text?: unknown; content?: unknown };
    if (typeof text === 'string') return text;
    if (typeof content === 'string') return content;
  }
  return undefined;
}

export async function exportPreferences(options: ExportOptions): Promise<ExportStats> {
  const policy = {
    pairs: options.pairs ?? 'best-vs-worst',
    minAgreement: options.minAgreement ?? 0,
    minMargin: options.minMargin ?? 0,
    minVotes: options.minVotes ?? 1,
    ties: options.ties ?? 'drop',
  } as const;
  const statsPath = options.stats ?? besideOutput(options.out, '.stats.json');
  const retry = { ...defaultRetryPolicy, ...options.retry };
  // One client for the run and the export's own writers.
  const storages = new Storages(options.s3Client ?? (() => createS3Client({ maxSockets: options.concurrency, ...options.s3 }, retry)), retry);
  const stats: Omit<ExportStats, 'run'> = {
    format: options.format,
    policy,
    rowsWritten: 0,
    pairsWritten: 0,
    dropped: {},
    agreement: { withTies: null, withoutTies: null, judgments: 0, ties: 0 },
    dimensions: {},
  };
  let agreed = 0;
  let disagreed = 0;
  const drop = (dimension: DimensionStats, reason: DropReason, count = 1) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + count;
    dimension.dropped[reason] = (dimension.dropped[reason] ?? 0) + count;
  };

  try {
    return await withOutputs((location) => storages.for(location), (open) => write(open));
  } finally {
    storages.close();
  }

  async function write(open: (location: string) => Promise<OutputWriter>): Promise<ExportStats> {
    const dataset = await open(options.out);
    const writeRow = async (row: unknown) => {
      await dataset.write(JSON.stringify(row) + '\n');
      stats.rowsWritten += 1;
    };

    const sink = async (prepared: Extract<Prepared, { type: 'object' }>, line: Record<string, unknown>) => {
      const consolidation = ((line[`${prepared.labelAttribute}-metadata`] as Record<string, unknown>).consolidation ?? {}) as
        Record<string, { strategy: string; confidence: number; resolved?: boolean; scores?: (number | null)[]; margins?: number[][]; votes?: number[][] }>;
      const prompt = promptOf(prepared.json[options.promptField ?? 'source']);
      const rawResponses = prepared.json[options.responsesField ?? 'responses'];
      const responses = Array.isArray(rawResponses) ? rawResponses.map(responseText) : [];
      const ktoPairs: PairRecord[] = [];
      for (const [dimension, { answers }] of prepared.fields) {
        if (!answers.some(({ value }) => value.kind === 'preference')) continue;
        if (options.dimensions && !options.dimensions.includes(dimension)) continue;
        const dimensionStats = (stats.dimensions[dimension] ??= { objects: 0, pairs: 0, dropped: {} });
        dimensionStats.objects += 1;
        const decided = consolidation[dimension]!;
        const kept: PairRecord[] = [];
        const fates: Record<string, unknown>[] = [];
        if (decided.resolved === false || !decided.scores || !decided.margins || !decided.votes) {
          drop(dimensionStats, 'unresolved');
        } else if (prompt === undefined || responses.length === 0) {
          drop(dimensionStats, 'no-prompt-or-responses');
        } else {
          const { scores, margins, votes } = decided;
          const tally = agreementTally(judgmentsOf(answers), scores, votes);
          agreed += tally.agreed;
          disagreed += tally.disagreed;
          stats.agreement.judgments += tally.judged;
          stats.agreement.ties += tally.judged - tally.agreed - tally.disagreed;
          for (const candidate of extractPairs(scores, policy.pairs)) {
            const { chosen, rejected, tie } = candidate;
            const won = votes[chosen]![rejected]!;
            const lost = votes[rejected]![chosen]!;
            const margin = margins[chosen]![rejected]!;
            const agreement = won + lost > 0 ? won / (won + lost) : null;
            const [chosenText, rejectedText] = [responses[chosen], responses[rejected]];
            const reason: DropReason | undefined =
              tie && policy.ties === 'drop' ? 'tie'
                : chosenText === undefined || rejectedText === undefined ? 'no-prompt-or-responses'
                  : normaliseSpace(chosenText) === normaliseSpace(rejectedText) ? 'identical'
                    : !tie && won + lost < policy.minVotes ? 'too-few-votes'
                      : !tie && (agreement ?? 0) < policy.minAgreement ? 'low-agreement'
                        : !tie && margin < policy.minMargin ? 'low-margin'
                          : undefined;
            fates.push({ chosen, rejected, tie, margin, agreement, votes: [won, lost], ...(reason ? { dropped: reason } : { kept: true }) });
            if (reason) {
              drop(dimensionStats, reason);
              continue;
            }
            kept.push({
              id: String(prepared.line), dimension, prompt: prompt!, chosen: chosenText!, rejected: rejectedText!,
              margin, scoreChosen: scores[chosen]!, scoreRejected: scores[rejected]!, tie,
            });
          }
        }
        dimensionStats.pairs += kept.length;
        stats.pairsWritten += kept.length;
        if (options.format === 'lossless') {
          await writeRow(losslessRow(prepared, dimension, prompt, responses, decided, fates));
        } else if (options.format === 'trl-kto') {
          ktoPairs.push(...kept);
        } else {
          for (const pair of kept) await writeRow(pairRow(options.format, pair, options.withScores ?? true));
        }
      }
      if (ktoPairs.length > 0) {
        const { rows, conflicts } = ktoRows(ktoPairs);
        // A conflict can span dimensions, so it is counted for the export only.
        if (conflicts) stats.dropped['kto-conflict'] = (stats.dropped['kto-conflict'] ?? 0) + conflicts;
        for (const row of rows) await writeRow(row);
      }
    };

    const run = await runJob({
      ...options,
      out: undefined,
      rejects: options.rejects ?? besideOutput(options.out, '.rejects.jsonl'),
      s3Client: storages.client(),
      sink,
    });
    const judged = agreed + disagreed;
    stats.agreement.withoutTies = judged > 0 ? agreed / judged : null;
    stats.agreement.withTies = stats.agreement.judgments > 0 ? agreed / stats.agreement.judgments : null;
    const full: ExportStats = { ...stats, run };
    await (await open(statsPath)).write(JSON.stringify(full, null, 2) + '\n');
    return full;
  }
}

/** Everything about one object's dimension: annotators' judgments and comments, the aggregate, every pair's fate. */
function losslessRow(
  prepared: Extract<Prepared, { type: 'object' }>,
  dimension: string,
  prompt: Prompt | undefined,
  responses: (string | undefined)[],
  decided: { strategy: string; confidence: number; resolved?: boolean; scores?: (number | null)[] },
  pairs: Record<string, unknown>[],
): Record<string, unknown> {
  const comments = new Map<string, Record<string, string>>();
  for (const [field, { answers }] of prepared.fields) {
    for (const { workerId, value } of answers) {
      if (value.kind !== 'text') continue;
      const entry = comments.get(workerId) ?? {};
      entry[field] = value.value;
      comments.set(workerId, entry);
    }
  }
  const judgments = prepared.fields.get(dimension)!.answers.flatMap(({ workerId, value }) =>
    value.kind === 'preference'
      ? [{ workerId, source: value.source, judgment: submittedForm(value), ...(comments.has(workerId) && { comments: comments.get(workerId) }) }]
      : []);
  return {
    id: String(prepared.line),
    dimension,
    prompt: prompt ?? null,
    responses,
    annotators: judgments,
    aggregate: { strategy: decided.strategy, resolved: decided.resolved !== false, scores: decided.scores ?? null, confidence: decided.confidence },
    pairs,
  };
}
