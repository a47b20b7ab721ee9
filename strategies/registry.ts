/** Strategies by name: the built-ins, plus any a user registers; and the default strategy for each answer kind. */
import { borda } from './borda.js';
import { boxes } from './boxes.js';
import { bradleyTerry } from './bradley-terry.js';
import { collect } from './collect.js';
import { dawidSkene } from './dawid-skene.js';
import { hierarchicalDawidSkene } from './hierarchical-ds.js';
import { keypoints } from './keypoints.js';
import { lines } from './lines.js';
import { majorityVote } from './majority-vote.js';
import { maskVote } from './mask-vote.js';
import { mean } from './mean.js';
import { meanRank } from './mean-rank.js';
import { meanRating } from './mean-rating.js';
import { median } from './median.js';
import { multiLabelVote } from './multi-label-vote.js';
import { oneCoin } from './one-coin.js';
import { pairwiseMajority } from './pairwise-majority.js';
import { polygons } from './polygons.js';
import { spans } from './spans.js';
import { trimmedMean } from './trimmed-mean.js';
import { wawa } from './wawa.js';
import { weightedMean } from './weighted-mean.js';
import { weightedVote } from './weighted-vote.js';
import type { AnswerKind, Strategy } from './types.js';

const strategies = new Map<string, Strategy<any>>(
  [majorityVote, mean, median, trimmedMean, weightedMean, multiLabelVote, collect, dawidSkene, hierarchicalDawidSkene,
    oneCoin, wawa, weightedVote, borda, meanRank, meanRating, pairwiseMajority, bradleyTerry, boxes, spans,
    keypoints, polygons, lines, maskVote].map((s) => [s.name, s]),
);

/** Adds (or replaces) a strategy under its name, for config files and `--strategy` to select. */
export function registerStrategy<Options>(strategy: Strategy<Options>): void {
  strategies.set(strategy.name, strategy);
}

export function getStrategy(name: string): Strategy<unknown> | undefined {
  return strategies.get(name);
}

export function strategyNames(): string[] {
  return [...strategies.keys()];
}

/** The strategy picked for a field when configuration names none, by the kind of its answers. */
export const defaultStrategyFor: Record<AnswerKind, string> = {
  // Never below majority vote on the bundled datasets and better calibrated than Dawid-Skene (README, "Choosing a
  // strategy"); majority vote stays one flag away.
  categorical: hierarchicalDawidSkene.name,
  boolean: hierarchicalDawidSkene.name,
  numeric: mean.name,
  'multi-label': multiLabelVote.name,
  text: collect.name,
  preference: borda.name,
  boxes: boxes.name,
  spans: spans.name,
  keypoints: keypoints.name,
  polygons: polygons.name,
  lines: lines.name,
  mask: maskVote.name,
};
