/**
 * What the summary says of each field beyond counts: how much the workers agreed (Krippendorff's α, Fleiss' κ; see
 * `src/stats/agreement.ts`), and, with gold labels, whether confidence means what it says (accuracy, expected
 * calibration error, Brier score; `src/stats/calibration.ts`). One streaming pass, memory per field bounded by the
 * number of distinct labels (and, for calibration, 9 bytes per gold object; for α's bootstrap interval, a sample of at
 * most 20,000 objects).
 */
import { AgreementAccumulator } from '../stats/agreement.js';
import { AlphaBootstrap } from '../stats/alpha-bootstrap.js';
import { ConfusionTally, type ConfusionResult } from '../stats/confusion.js';
import { SpreadHistogram, type SpreadHistogramResult } from '../stats/spread-histogram.js';
import { CalibrationAccumulator, type CalibrationResult } from '../stats/calibration.js';
import { voteKey } from '../../strategies/submitted-form.js';
import type { AnswerKind, Decision, FieldAnswer } from '../../strategies/types.js';
import type { FieldAgreement } from './summary.js';

/** Kinds whose answers are labels or numbers that can agree or not. */
const comparableKinds = new Set<AnswerKind>(['categorical', 'boolean', 'numeric']);

export class FieldMeasures {
  private readonly agreement = new Map<string, AgreementAccumulator>();
  private readonly bootstrap = new Map<string, AlphaBootstrap>();
  private readonly spread = new Map<string, SpreadHistogram>();
  private readonly confusion = new Map<string, ConfusionTally>();
  private readonly calibration = new Map<string, CalibrationAccumulator>();

  /** `seed` (the run's) seeds each field's bootstrap: the same run gives the same intervals. */
  constructor(private readonly seed: number) {}

  /** The answers a field was decided from, and what was decided. */
  observeAnswers(field: string, answers: readonly FieldAnswer[]): void {
    const keys = answers.flatMap(({ value }) => (comparableKinds.has(value.kind) ? [voteKey(value)] : []));
    if (keys.length === 0) return;
    let accumulator = this.agreement.get(field);
    if (!accumulator) this.agreement.set(field, (accumulator = new AgreementAccumulator()));
    accumulator.addObject(keys);
    let bootstrap = this.bootstrap.get(field);
    if (!bootstrap) this.bootstrap.set(field, (bootstrap = new AlphaBootstrap(this.seed)));
    bootstrap.addObject(keys);
    const numbers = answers.flatMap(({ value }) => (value.kind === 'numeric' ? [value.value] : []));
    if (numbers.length < 2) return;
    let spread = this.spread.get(field);
    if (!spread) this.spread.set(field, (spread = new SpreadHistogram()));
    spread.addObject(numbers);
  }

  /** The labels given (vote keys) on an object consolidated to `decided`. */
  observeConfusion(field: string, decided: string, answers: readonly string[]): void {
    let tally = this.confusion.get(field);
    if (!tally) this.confusion.set(field, (tally = new ConfusionTally()));
    tally.add(decided, answers);
  }

  /** A decision scored against its gold label (`decided` = its vote key, undefined when unresolved: never correct). */
  observeGold(field: string, decision: Decision, decided: string | undefined, gold: string): void {
    let accumulator = this.calibration.get(field);
    if (!accumulator) this.calibration.set(field, (accumulator = new CalibrationAccumulator()));
    const posterior = decision.details?.posterior as Readonly<Record<string, number>> | undefined;
    accumulator.add({ confidence: decision.confidence, correct: decided === gold, ...(posterior && { posterior, gold }) });
  }

  agreementOf(field: string): FieldAgreement | undefined {
    const agreement = this.agreement.get(field)?.result();
    const alphaInterval = this.bootstrap.get(field)?.interval();
    return agreement && { ...agreement, ...(alphaInterval && { alphaInterval }) };
  }

  /** For numeric fields: how far apart each object's answers were. */
  spreadOf(field: string): SpreadHistogramResult | undefined {
    return this.spread.get(field)?.result();
  }

  confusionOf(field: string): ConfusionResult | undefined {
    return this.confusion.get(field)?.result();
  }

  calibrationOf(field: string): CalibrationResult | undefined {
    return this.calibration.get(field)?.result();
  }
}
