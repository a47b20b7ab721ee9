/**
 * The decide stage: each object's fields consolidated by their strategies, in input order, into the line that is
 * written (every input key kept, `<label>` = each field's consolidated value in the submitted shape, `<label>-metadata`
 * = Ground Truth's metadata plus `consolidation` per field and `confidence`) and the typed decisions behind it, which
 * sinks such as the export read. Also scores decisions against gold and workers against both.
 */
import { normaliseValue } from '../responses/normalise.js';
import type { GoldLabels } from '../report/gold.js';
import type { Summary } from '../report/summary.js';
import type { WorkerStats } from '../report/worker-report.js';
import { voteKey } from '../../strategies/submitted-form.js';
import type { AnswerKind, Decision, FieldAnswer } from '../../strategies/types.js';
import type { FieldPlan } from '../config/field-setting.js';
import type { FieldPlanner } from './field-plan.js';
import type { Prepared, PreparedObject } from './prepare.js';
import type { Stage } from './stage.js';

/** One field of one object as decided: by which strategy, from which answers (those it accepts). */
export interface FieldDecision extends Decision {
  strategy: string;
  answers: readonly FieldAnswer[];
}

export interface DecidedObject extends PreparedObject {
  /** The line as written. */
  consolidated: Record<string, unknown>;
  /** By field, for every field with answers (`answers` here: those its strategy accepts). */
  decisions: Map<string, FieldDecision>;
}

export type Decided = Exclude<Prepared, PreparedObject> | DecidedObject;

export function decideStage(decider: ObjectDecider): Stage<Prepared, Decided> {
  return async function* decide(lines) {
    for await (const line of lines) yield line.type === 'object' ? decider.decide(line) : line;
  };
}

/**
 * Consolidates one object. Its `confidence` is the lowest confidence of its decided fields (an object is as sure as
 * its least sure label; free text kept by `collect` does not count; 0 when nothing was decided).
 */
export class ObjectDecider {
  constructor(
    private readonly planner: FieldPlanner,
    private readonly random: () => number,
    private readonly summary: Summary,
    private readonly workers: WorkerStats,
    private readonly gold: GoldLabels | undefined,
  ) {}

  decide(prepared: PreparedObject): DecidedObject {
    const label: Record<string, unknown> = {};
    const consolidation: Record<string, Record<string, unknown>> = {};
    const decisions = new Map<string, FieldDecision>();
    let confidence: number | undefined;
    const goldLabel = this.gold?.labelOf(prepared.json);
    for (const [name, { answers, unknown, row }] of prepared.fields) {
      if (unknown.length > 0) this.summary.unknownShapes[name] = (this.summary.unknownShapes[name] ?? 0) + unknown.length;
      const kept = unknown.length > 0 ? { unknownShape: unknown } : {};
      const plan = this.planner.planFor(name);
      if (!plan || answers.length === 0) {
        // A field of unknown shapes, and no strategy configured for it: listed, never decided.
        consolidation[name] = { strategy: null, answers: 0, ...(answers.length > 0 && { ignored: answers.length }), ...kept };
        continue;
      }
      const usable = this.planner.usableAnswers(name, answers);
      const decision = usable.length > 0
        ? plan.consolidator.decide(usable, { random: this.random, object: row ?? 0 })
        : { value: undefined, confidence: 0 };
      const resolved = decision.value !== undefined;
      if (resolved) label[name] = decision.value;
      decisions.set(name, { ...decision, strategy: plan.strategy.name, answers: usable });
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
        this.score(name, usable, decision.value, this.gold?.appliesTo(name) ? goldLabel : undefined);
      }
      this.countField(name, plan, usable.length, decision);
    }
    for (const [field, key, workerId, value] of prepared.sideKeys) {
      const sideKeys = ((consolidation[field] ??= { strategy: null, answers: 0 }).sideKeys ??= {}) as Record<string, unknown[]>;
      (sideKeys[key] ??= []).push({ workerId, value });
    }
    const metadataKey = `${prepared.labelAttribute}-metadata`;
    const consolidated = {
      ...prepared.json,
      [prepared.labelAttribute]: label,
      [metadataKey]: { ...(prepared.json[metadataKey] as Record<string, unknown>), consolidation, confidence: confidence ?? 0 },
    };
    return { ...prepared, consolidated, decisions };
  }

  private countField(name: string, plan: FieldPlan, answers: number, decision: Decision): void {
    const field = (this.summary.fields[name] ??= {
      strategy: plan.strategy.name,
      ...(plan.pickedFor && { pickedFor: plan.pickedFor }),
      objects: 0, answers: 0, ties: 0, unresolved: 0, meanConfidence: 0,
    });
    field.objects += 1;
    field.answers += answers;
    if (decision.details?.tie === true) field.ties += 1;
    if (decision.value === undefined) {
      field.unresolved += 1;
      const reason = answers === 0 ? 'no-usable-answers' : decision.details?.tie === true ? 'tie' : 'undecided';
      (field.unresolvedBy ??= {})[reason] = (field.unresolvedBy[reason] ?? 0) + 1;
    }
    field.meanConfidence += decision.confidence; // a sum until the run ends
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
    return ((this.summary.gold ??= Object.create(null) as NonNullable<Summary['gold']>)[field] ??= { objects: 0, correct: 0, accuracy: 0 });
  }
}

const categoricalKinds = new Set<AnswerKind>(['categorical', 'boolean']);
