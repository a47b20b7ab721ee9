/**
 * Bradley-Terry: P(i preferred to j) = γ_i / (γ_i + γ_j), fitted per object to every annotator's pairwise preferences
 * (wins[i][j] = annotators who put i strictly above j; ties carry no information and are skipped) with Hunter's MM
 * algorithm (D. R. Hunter, "MM algorithms for generalized Bradley-Terry models", Annals of Statistics 32(1), 2004):
 *
 *   γ_i ← W_i / Σ_{j≠i} n_ij / (γ_i + γ_j),  all i at once from the previous γ, then Σγ = 1
 *
 * (W_i = wins of i, n_ij = comparisons of i and j), from γ uniform, until the L1 change is below `tol` or after
 * `maxIterations`. The MLE exists only when the "beats" graph is strongly connected (Ford 1957); otherwise the scores
 * drift to 0 and 1, so such an object is left unresolved and reported (`connected: false`), for instance when every
 * annotator gives the same order. `prior` adds that many virtual wins each way to every compared pair (a symmetric
 * Beta prior), which makes every compared graph connected and keeps unanimous orders finite. margin(i, j) = ln(γ_i/γ_j).
 */
import { z } from 'zod';
import { judgmentsOf, pairVotes, preferenceDecision } from './preference.js';
import type { Strategy } from './types.js';

const options = z.strictObject({
  prior: z.number().min(0).default(0),
  maxIterations: z.int().min(0).default(10_000),
  tol: z.number().min(0).default(1e-12),
});

export interface BradleyTerryFit {
  /** γ per item, summing to 1 over compared items; `null` for items never compared. */
  scores: (number | null)[];
  connected: boolean;
  iterations: number;
}

/** Whether every compared item reaches every other along "beats" edges (i → j when wins[i][j] > 0). */
function stronglyConnected(wins: readonly (readonly number[])[], items: readonly number[]): boolean {
  const reach = (start: number, edge: (from: number, to: number) => boolean) => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length) {
      const from = stack.pop()!;
      for (const to of items) if (!seen.has(to) && edge(from, to)) (seen.add(to), stack.push(to));
    }
    return seen.size === items.length;
  };
  const first = items[0]!;
  return reach(first, (a, b) => wins[a]![b]! > 0) && reach(first, (a, b) => wins[b]![a]! > 0);
}

export function fitBradleyTerry(observed: readonly (readonly number[])[], { prior, maxIterations, tol }: z.infer<typeof options>): BradleyTerryFit {
  const count = observed.length;
  const compared = (i: number, j: number) => observed[i]![j]! + observed[j]![i]! > 0;
  const wins = observed.map((row, i) => row.map((won, j) => (i !== j && compared(i, j) ? won + prior : 0)));
  const items = [...Array(count).keys()].filter((i) => [...Array(count).keys()].some((j) => j !== i && compared(i, j)));
  if (items.length === 0) return { scores: new Array(count).fill(null), connected: false, iterations: 0 };
  const connected = stronglyConnected(wins, items);
  let gamma = new Array<number>(count).fill(0);
  for (const i of items) gamma[i] = 1 / items.length;
  let iterations = 0;
  while (connected && iterations < maxIterations) {
    const next = gamma.map((g, i) => {
      if (!items.includes(i)) return 0;
      const won = wins[i]!.reduce((a, b) => a + b, 0);
      const denominator = items.reduce((sum, j) => (j === i ? sum : sum + (wins[i]![j]! + wins[j]![i]!) / (g + gamma[j]!)), 0);
      return won / denominator;
    });
    const total = next.reduce((a, b) => a + b, 0);
    for (let i = 0; i < count; i += 1) next[i] = next[i]! / total;
    const change = next.reduce((sum, g, i) => sum + Math.abs(g - gamma[i]!), 0);
    gamma = next;
    iterations += 1;
    if (change < tol) break;
  }
  return { scores: gamma.map((g, i) => (items.includes(i) ? g : null)), connected, iterations };
}

export const bradleyTerry: Strategy<z.infer<typeof options>> = {
  name: 'bradley-terry',
  summary: 'Bradley-Terry by Hunter\'s MM per object; needs a strongly connected comparison graph (or prior > 0)',
  kinds: ['preference'],
  options,
  create: (config) => ({
    decide(answers) {
      const judgments = judgmentsOf(answers);
      const fit = fitBradleyTerry(pairVotes(judgments), config);
      if (!fit.connected) {
        return { value: undefined, confidence: 0, details: { connected: false, votes: pairVotes(judgments) } };
      }
      const { scores } = fit;
      return preferenceDecision(judgments, scores, (i, j) => Math.log(scores[i]! / scores[j]!), { connected: true, iterations: fit.iterations });
    },
  }),
};
