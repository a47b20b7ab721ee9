/** The run summary: counts that add up, per-field results, and what could not be understood. */
import type { IncrementalCounts } from '../pipeline/ledger.js';
import type { RejectCode } from '../errors.js';
import type { ReviewCounts } from './review.js';
import type { AgreementResult } from '../stats/agreement.js';
import type { AlphaInterval } from '../stats/alpha-bootstrap.js';
import type { ConfusionResult } from '../stats/confusion.js';
import type { SpreadHistogramResult } from '../stats/spread-histogram.js';
import type { CalibrationResult } from '../stats/calibration.js';
import type { FitReport } from '../../strategies/types.js';
import { jobFacts } from '../manifest/record.js';
import type { Prepared } from '../pipeline/prepare.js';
import { forTerminal } from '../text/escape.js';

/** Agreement as the summary gives it: α and κ, and a bootstrap interval of the α the field is read by. */
export interface FieldAgreement extends AgreementResult {
  alphaInterval?: AlphaInterval;
}

export interface ShapeCounts {
  /** Shapes kept (clusters that reached the quorum), and clusters dropped below it. */
  kept: number;
  dropped: number;
  /** Mean confidence of the kept shapes (a sum until the run ends). */
  meanKeptConfidence: number;
  /** The workers' shapes among the kept ones, kept shapes a worker did not draw, and shapes not kept. */
  matched: number;
  missed: number;
  extra: number;
}

export interface FieldSummary {
  strategy: string;
  /** Present when no strategy was configured and this one was picked from the answers' kind. */
  pickedFor?: string;
  objects: number;
  answers: number;
  /** Objects whose answers tied (broken by the tie policy, or left unresolved). */
  ties: number;
  /** Objects where the strategy gave no value, and why: `tie` (under `tie: none`), `no-usable-answers` (none of a
   * kind the strategy takes), `undecided` (the strategy's own rule, e.g. no label reached a threshold). */
  unresolved: number;
  unresolvedBy?: Partial<Record<'tie' | 'no-usable-answers' | 'undecided', number>>;
  meanConfidence: number;
  /** How much the workers agreed on the field (categorical, boolean and numeric answers). */
  agreement?: FieldAgreement;
  /** Numeric fields: a histogram of each object's range of answers (objects with two or more). */
  spread?: SpreadHistogramResult;
  /** Model-based strategies: answers by label given (columns) and consolidated label (rows), up to 30 labels. */
  confusion?: ConfusionResult;
  /** Annotation fields (boxes, spans, keypoints, polygons, lines): the consolidated shapes and the workers' drawings. */
  shapes?: ShapeCounts;
  /** With `--gold`: accuracy, expected calibration error (10 equal-mass bins) and Brier score of the decisions. */
  calibration?: CalibrationResult;
  /** For model-based strategies: the fit's iterations, whether it converged, and warnings (a collapse onto one label). */
  fit?: FitReport;
}

export interface Summary {
  input: string;
  /** The consolidated manifest (`null` for an export, which writes its own files). */
  output: string | null;
  rejects: string;
  job?: string;
  /** `lines.read = consolidated + failedInJob + rejected`; blank lines are counted apart and not read. */
  lines: { read: number; consolidated: number; failedInJob: number; rejected: number; blank: number };
  rejectedBy: Partial<Record<RejectCode, number>>;
  answers: number;
  /** Earlier submissions of workers who answered an object more than once: dropped, the last submission counts. */
  duplicateAnswers: number;
  workers: number;
  objectsWithoutAnswers: number;
  fields: Record<string, FieldSummary>;
  /** Fields with answers of a shape normalisation does not know, and how many such answers. */
  unknownShapes: Record<string, number>;
  /** With `--gold`: per field, the gold objects consolidated, how many match, and the accuracy (unresolved count as wrong). */
  gold?: Record<string, { objects: number; correct: number; accuracy: number }>;
  /** With `--gold` for annotation fields: per field, the gold objects and the mean IoU of the consolidated shapes. */
  goldShapes?: Record<string, { objects: number; meanIou: number }>;
  /** With a review queue: what went into it, and why. */
  review?: ReviewCounts;
  /** With `--state`: what came from the ledger, what was fetched, the new part and the flips (`pipeline/ledger.ts`). */
  incremental?: IncrementalCounts;
  /** The files lines refer to (`<field>-ref`, e.g. masks), when any were written: their folder beside the output. */
  sideFiles?: { folder: string; files: number };
  /** S3 requests repeated after throttling, 5xx, timeouts or broken connections (the SDK's and the tool's). */
  retries: number;
  durationMs: number;
}

/**
 * Records keyed by field names (data) have no prototype: a field called `constructor` or `toString` must start empty,
 * not find `Object.prototype`'s member.
 */
export function emptySummary(input: string, output: string | null, rejects: string): Summary {
  return {
    input,
    output,
    rejects,
    job: undefined,
    lines: { read: 0, consolidated: 0, failedInJob: 0, rejected: 0, blank: 0 },
    rejectedBy: Object.create(null) as Summary['rejectedBy'],
    answers: 0,
    duplicateAnswers: 0,
    workers: 0,
    objectsWithoutAnswers: 0,
    fields: Object.create(null) as Summary['fields'],
    unknownShapes: Object.create(null) as Summary['unknownShapes'],
    retries: 0,
    durationMs: 0,
  };
}

/** Counts one prepared line; `lines.read = consolidated + failedInJob + rejected` holds after every call. */
export function countLine(summary: Summary, line: Prepared): void {
  if (line.type === 'blank') {
    summary.lines.blank += 1;
    return;
  }
  summary.lines.read += 1;
  if (line.type === 'failed') summary.lines.failedInJob += 1;
  if (line.type === 'rejected') {
    summary.lines.rejected += 1;
    summary.rejectedBy[line.code] = (summary.rejectedBy[line.code] ?? 0) + 1;
  }
  if (line.type === 'object') {
    summary.lines.consolidated += 1;
    summary.answers += line.workers.length;
    summary.duplicateAnswers += line.duplicates;
    if (line.workers.length === 0) summary.objectsWithoutAnswers += 1;
    summary.job ??= jobFacts(line.json[`${line.labelAttribute}-metadata`] as Record<string, unknown>).jobName;
  }
}

/** Closes the counts at the end of a run: mean confidences (of objects, of kept shapes) from their sums. */
export function finishSummary(summary: Summary, facts: { workers: number; retries: number; durationMs: number }): void {
  summary.workers = facts.workers;
  summary.retries = facts.retries;
  summary.durationMs = facts.durationMs;
  for (const field of Object.values(summary.fields)) {
    field.meanConfidence = field.objects ? field.meanConfidence / field.objects : 0;
    if (field.shapes) field.shapes.meanKeptConfidence = field.shapes.kept ? field.shapes.meanKeptConfidence / field.shapes.kept : 0;
  }
}

/** Krippendorff's α as printed: interval for numbers (how far apart answers are counts), nominal for labels. */
function agreementText(agreement: FieldAgreement | undefined): string {
  const { interval, nominal } = agreement?.alpha ?? {};
  const bounds = agreement?.alphaInterval ? ` [${agreement.alphaInterval.low.toFixed(3)}, ${agreement.alphaInterval.high.toFixed(3)}]` : '';
  if (interval != null) return `, α (interval) ${interval.toFixed(3)}${bounds}`;
  return nominal != null ? `, α ${nominal.toFixed(3)}${bounds}` : '';
}

/** The few lines printed to stderr at the end of a run; names from the data are escaped (see `forTerminal`). */
export function formatSummary(summary: Summary): string {
  const { read, consolidated, failedInJob, rejected } = summary.lines;
  const rejects = forTerminal(summary.rejects);
  const lines = [
    `${read} lines read: ${consolidated} consolidated, ${failedInJob} failed in job, ${rejected} rejected` +
      ` (${summary.answers} answers from ${summary.workers} workers, ${(summary.durationMs / 1000).toFixed(2)} s` +
      `${summary.retries ? `, ${summary.retries} S3 retries` : ''})`,
    ...Object.entries(summary.fields).map(([name, field]) =>
      `  ${forTerminal(name)}: ${forTerminal(field.strategy)}, ${field.objects} objects, mean confidence ${field.meanConfidence.toFixed(3)}` +
        agreementText(field.agreement) +
        (field.ties ? `, ${field.ties} ties` : '') +
        (field.unresolved ? `, ${field.unresolved} unresolved (${Object.entries(field.unresolvedBy ?? {}).map(([why, n]) => `${why} ${n}`).join(', ')})` : '')),
    ...(summary.duplicateAnswers ? [`  ${summary.duplicateAnswers} duplicate submissions dropped (one worker, one answer: the last counts)`] : []),
    ...Object.entries(summary.fields).flatMap(([name, { fit }]) => (fit && (!fit.converged || fit.warnings?.length)
      ? [`  ${forTerminal(name)}: the model ${fit.converged ? 'converged' : `did not converge in ${fit.iterations} iterations`}${(fit.warnings ?? []).map((w) => `; ${forTerminal(w)}`).join('')}`]
      : [])),
    ...Object.entries(summary.gold ?? {}).map(([name, gold]) => {
      const calibration = summary.fields[name]?.calibration;
      return `  ${forTerminal(name)} against gold: ${gold.correct}/${gold.objects} correct (${(100 * gold.accuracy).toFixed(1)}%)`
        + (calibration?.ece != null ? `, calibration error ${calibration.ece.toFixed(3)}, Brier ${calibration.brier!.toFixed(3)}` : '');
    }),
    ...Object.entries(summary.goldShapes ?? {}).map(([name, gold]) =>
      `  ${forTerminal(name)} against gold: mean IoU ${gold.meanIou.toFixed(3)} over ${gold.objects} objects`),
    ...Object.entries(summary.rejectedBy).map(([code, count]) => `  rejected ${code}: ${count} (see ${rejects})`),
    ...Object.entries(summary.unknownShapes).map(([name, count]) =>
      `  field ${forTerminal(name)}: ${count} answers of unknown shape kept verbatim`),
  ];
  return lines.join('\n');
}
