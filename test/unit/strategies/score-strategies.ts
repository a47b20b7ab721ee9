/**
 * Scores categorical strategies on a bundled crowd dataset with gold, driving them directly (no pipeline): the answers
 * go into an `AnswerTable` task by task (model-based strategies are fitted on it), then each task is decided from its
 * answers and scored with `src/stats/calibration.ts`.
 */
import { AnswerTableBuilder } from '../../../strategies/answer-table.js';
import { getStrategy } from '../../../strategies/registry.js';
import type { Decision, FieldAnswer } from '../../../strategies/types.js';
import { CalibrationAccumulator, type CalibrationResult } from '../../../src/stats/calibration.js';
import { votesByTask, type CrowdDataset } from '../../helpers/crowd-datasets.js';

export interface Scored extends CalibrationResult {
  /** Milliseconds spent in `fit` (0 for strategies without one). */
  fitMs: number;
}

/** The decision's probability per label: `details.posterior`, or the vote shares from `details.votes`. */
function posteriorOf(details: Record<string, unknown> | undefined): Record<string, number> | undefined {
  if (details?.posterior) return details.posterior as Record<string, number>;
  if (!details?.votes) return undefined;
  const votes = details.votes as Record<string, number>;
  const total = Object.values(votes).reduce((sum, count) => sum + count, 0);
  return Object.fromEntries(Object.entries(votes).map(([label, count]) => [label, count / total]));
}

/** One gold task as the strategy decided it. */
export interface DecidedTask {
  task: string;
  gold: string;
  decision: Decision;
}

/** Fits the strategy on every task's answers, then decides each task that has a gold label, in file order. */
export function decideTasks(dataset: CrowdDataset, name: string, options: Record<string, unknown> = {}): { decided: DecidedTask[]; fitMs: number } {
  const strategy = getStrategy(name);
  if (!strategy) throw new Error(`no strategy ${name}`);
  const consolidator = strategy.create(strategy.options.parse(options));
  const tasks = [...votesByTask(dataset.answers)];
  const builder = new AnswerTableBuilder();
  const answersOf = tasks.map(([, votes]): FieldAnswer[] =>
    votes.map(({ worker, label }) => ({ workerId: worker, value: { kind: 'categorical', value: label, shape: 'string' } })));
  for (const answers of answersOf) builder.addObject(answers.map(({ workerId, value }) => [workerId, (value as { value: string }).value]));
  const started = performance.now();
  consolidator.fit?.(builder.build());
  const fitMs = performance.now() - started;
  const decided = tasks.flatMap(([task], object) => {
    const gold = dataset.gold.get(task);
    return gold === undefined ? [] : [{ task, gold, decision: consolidator.decide(answersOf[object]!, { object, random: () => 0 }) }];
  });
  return { decided, fitMs };
}

export function scoreStrategy(dataset: CrowdDataset, name: string, options: Record<string, unknown> = {}): Scored {
  const { decided, fitMs } = decideTasks(dataset, name, options);
  const calibration = new CalibrationAccumulator();
  for (const { gold, decision } of decided) {
    const posterior = posteriorOf(decision.details);
    calibration.add({ confidence: decision.confidence, correct: decision.value === gold, ...(posterior ? { posterior, gold } : {}) });
  }
  return { ...calibration.result(), fitMs };
}
