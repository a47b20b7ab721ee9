/**
 * The export's sink: receives each decided object of the run and turns each exported preference dimension of it into
 * candidate pairs (`pairs.ts`), keeps those that pass the filters and writes them in the chosen format (`formats.ts`),
 * counting what it wrote and dropped, and the annotators' agreement with the consolidated orders.
 */
import { UsageError } from '../errors.js';
import type { OutputWriter } from '../io/storage.js';
import type { DecidedObject, FieldDecision } from '../pipeline/decide.js';
import { agreementTally, judgmentsOf, type PreferenceDetails } from '../../strategies/preference.js';
import { submittedForm } from '../../strategies/submitted-form.js';
import { ktoRows, pairRow, type ExportFormat, type Message, type PairRecord, type Prompt } from './formats.js';
import { agreementOf, contradicted, extractPairs, pairDropReason, type DropReason, type PairFilters, type PairPolicy } from './pairs.js';

export interface DimensionStats {
  objects: number;
  pairs: number;
  dropped: Partial<Record<DropReason, number>>;
}

export interface PreferenceStats {
  format: ExportFormat;
  policy: PairFilters & { pairs: PairPolicy };
  rowsWritten: number;
  pairsWritten: number;
  dropped: Partial<Record<DropReason, number>>;
  /**
   * Annotators' pairwise judgments against the consolidated order, over every pair it orders: `withTies` counts a tied
   * judgment as disagreement, `withoutTies` leaves ties out. Report both: they differ by the tie rate.
   */
  agreement: { withTies: number | null; withoutTies: number | null; judgments: number; ties: number };
  dimensions: Record<string, DimensionStats>;
}

export interface SinkSettings {
  format: ExportFormat;
  policy: PreferenceStats['policy'];
  /** Preference dimensions to export (default: every one). */
  dimensions?: readonly string[];
  promptField: string;
  responsesField: string;
  withScores: boolean;
}

/** An object's prompt and responses, as the manifest gave them. */
interface Conversation {
  prompt: Prompt | undefined;
  responses: (string | undefined)[];
}

export class PreferenceSink {
  readonly stats: PreferenceStats;
  /** Every preference dimension seen, exported or not: for the messages that name them. */
  readonly found = new Set<string>();
  private agreed = 0;
  private disagreed = 0;

  constructor(private readonly settings: SinkSettings, private readonly dataset: OutputWriter) {
    this.stats = {
      format: settings.format, policy: settings.policy, rowsWritten: 0, pairsWritten: 0, dropped: Object.create(null) as PreferenceStats['dropped'],
      // Keyed by names from the data: no prototype, so a dimension called `constructor` is one like any other.
      agreement: { withTies: null, withoutTies: null, judgments: 0, ties: 0 }, dimensions: Object.create(null) as PreferenceStats['dimensions'],
    };
  }

  /** The run's sink: the exported dimensions of `object`. */
  readonly write = async (object: DecidedObject): Promise<void> => {
    const rawResponses = object.json[this.settings.responsesField];
    const conversation = {
      prompt: promptOf(object.json[this.settings.promptField]),
      responses: Array.isArray(rawResponses) ? rawResponses.map(responseText) : [],
    };
    const dimensions = [...object.fields]
      .filter(([, { answers }]) => answers.some(({ value }) => value.kind === 'preference'))
      .map(([dimension]) => dimension);
    for (const dimension of dimensions) this.found.add(dimension);
    const exported = dimensions.filter((dimension) => !this.settings.dimensions || this.settings.dimensions.includes(dimension));
    this.checkOneDimensionPerPairFile(exported);
    for (const dimension of exported) await this.dimension(object, dimension, conversation);
  };

  /** The export's agreement figures, once every object has been written. */
  finish(): PreferenceStats {
    const judged = this.agreed + this.disagreed;
    this.stats.agreement.withoutTies = judged > 0 ? this.agreed / judged : null;
    this.stats.agreement.withTies = this.stats.agreement.judgments > 0 ? this.agreed / this.stats.agreement.judgments : null;
    return this.stats;
  }

  /**
   * Dimensions judge by different criteria, so one prompt's pair can be chosen one way in one and the other way in
   * another: a pair file holds one dimension (`lossless` says which dimension each line is).
   */
  private checkOneDimensionPerPairFile(exported: readonly string[]): void {
    if (this.settings.format === 'lossless') return;
    const dimensions = new Set([...Object.keys(this.stats.dimensions), ...exported]);
    if (dimensions.size <= 1) return;
    throw new UsageError(
      `the job has several preference dimensions (${[...this.found].join(', ')}) and a ${this.settings.format} file holds one: ` +
      'pass --dimension with one of them (an export each), or --format lossless for every dimension in one file',
    );
  }

  /** One dimension of one object: its pairs' fates and its rows. */
  private async dimension(object: DecidedObject, dimension: string, conversation: Conversation): Promise<void> {
    const dimensionStats = (this.stats.dimensions[dimension] ??= { objects: 0, pairs: 0, dropped: Object.create(null) as DimensionStats['dropped'] });
    dimensionStats.objects += 1;
    const decided = object.decisions.get(dimension)!;
    const details = decided.details as PreferenceDetails | undefined;
    const kept: PairRecord[] = [];
    const fates: Record<string, unknown>[] = [];
    if (decided.value === undefined || !details?.scores || !details.margins || !details.votes) {
      this.drop(dimensionStats, 'unresolved');
    } else if (conversation.prompt === undefined || conversation.responses.length === 0) {
      this.drop(dimensionStats, 'no-prompt-or-responses');
    } else {
      this.tallyAgreement(decided, details);
      const candidates = extractPairs(details.scores, this.settings.policy.pairs).map((candidate) => {
        const { chosen, rejected } = candidate;
        const evidence = {
          won: details.votes[chosen]![rejected]!, lost: details.votes[rejected]![chosen]!, margin: details.margins[chosen]![rejected]!,
          chosenText: conversation.responses[chosen], rejectedText: conversation.responses[rejected],
        };
        return { ...candidate, ...evidence, reason: pairDropReason(candidate, evidence, this.settings.policy) };
      });
      const passing = candidates.filter(({ reason }) => reason === undefined);
      const contradictions = contradicted(passing.map(({ chosenText, rejectedText }) => [chosenText!, rejectedText!]));
      passing.forEach((candidate, index) => {
        if (contradictions[index]) candidate.reason = 'contradiction';
      });
      for (const { chosen, rejected, tie, won, lost, margin, chosenText, rejectedText, reason } of candidates) {
        fates.push({ chosen, rejected, tie, margin, agreement: agreementOf(won, lost), votes: [won, lost], ...(reason ? { dropped: reason } : { kept: true }) });
        if (reason) {
          this.drop(dimensionStats, reason);
          continue;
        }
        kept.push({
          id: String(object.line), dimension, prompt: conversation.prompt, chosen: chosenText!, rejected: rejectedText!,
          margin, scoreChosen: details.scores[chosen]!, scoreRejected: details.scores[rejected]!, tie,
        });
      }
    }
    dimensionStats.pairs += kept.length;
    this.stats.pairsWritten += kept.length;
    const { format, withScores } = this.settings;
    if (format === 'lossless') await this.writeRow(losslessRow(object, dimension, conversation, decided, fates));
    else if (format === 'trl-kto') {
      const { rows, conflicts } = ktoRows(kept);
      if (conflicts) this.drop(dimensionStats, 'kto-conflict', conflicts);
      for (const row of rows) await this.writeRow(row);
    } else for (const pair of kept) await this.writeRow(pairRow(format, pair, withScores));
  }

  private tallyAgreement(decided: FieldDecision, details: PreferenceDetails): void {
    const tally = agreementTally(judgmentsOf(decided.answers), details.scores, details.votes);
    this.agreed += tally.agreed;
    this.disagreed += tally.disagreed;
    this.stats.agreement.judgments += tally.judged;
    this.stats.agreement.ties += tally.judged - tally.agreed - tally.disagreed;
  }

  private drop(dimension: DimensionStats, reason: DropReason, count = 1): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + count;
    dimension.dropped[reason] = (dimension.dropped[reason] ?? 0) + count;
  }

  private async writeRow(row: unknown): Promise<void> {
    await this.dataset.write(JSON.stringify(row) + '\n');
    this.stats.rowsWritten += 1;
  }
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

/** Everything about one object's dimension: annotators' judgments and comments, the aggregate, every pair's fate. */
function losslessRow(
  object: DecidedObject,
  dimension: string,
  { prompt, responses }: Conversation,
  decided: FieldDecision,
  pairs: Record<string, unknown>[],
): Record<string, unknown> {
  const comments = new Map<string, Record<string, string>>();
  for (const [field, { answers }] of object.fields) {
    for (const { workerId, value } of answers) {
      if (value.kind !== 'text') continue;
      const entry = comments.get(workerId) ?? {};
      entry[field] = value.value;
      comments.set(workerId, entry);
    }
  }
  const judgments = object.fields.get(dimension)!.answers.flatMap(({ workerId, value }) =>
    value.kind === 'preference'
      ? [{ workerId, source: value.source, judgment: submittedForm(value), ...(comments.has(workerId) && { comments: comments.get(workerId) }) }]
      : []);
  const scores = (decided.details as PreferenceDetails | undefined)?.scores ?? null;
  return {
    id: String(object.line),
    dimension,
    prompt: prompt ?? null,
    responses,
    annotators: judgments,
    aggregate: { strategy: decided.strategy, resolved: decided.value !== undefined, scores, confidence: decided.confidence },
    pairs,
  };
}
