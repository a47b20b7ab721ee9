/**
 * Worker-weighted mean: each worker's numbers count with a weight 1/σ_w learned from the whole job, σ_w being how far
 * the worker usually lands from the other workers on the same objects. A careless worker then moves the result less
 * than the plain `mean` lets them. Fit-based (two passes), as the EM strategies.
 *
 * The estimate of each object is a weighted mean, so a worker's residual is measured against the weighted mean of the
 * *other* workers on the object (a worker is not compared with themself). Each worker's variance is shrunk towards the
 * job's mean squared residual R, as if every worker had ν more answers with squared residual R, so that a worker with
 * few answers is neither trusted nor dismissed on them alone and σ_w stays away from 0. Inverse-variance weighting
 * (per-annotator precisions, as in the regression model of Raykar et al., "Learning From Crowds", JMLR 11, 2010):
 *
 *   u_w = 1 for every worker                                       (start from the mean)
 *   repeat `iterations` (50) times:
 *     r_i   = v_i − Σ_{j on t_i, j ≠ i} u_{w_j} v_j / Σ_{j on t_i, j ≠ i} u_{w_j}   (objects with one answer: none)
 *     R     = mean of r_i² over all residuals
 *     σ²_w  = (Σ_{i of w} r_i² + ν·R) / (n_w + ν),  ν = `shrinkage` (10), n_w = w's residuals
 *     u_w   = 1 / σ_w
 *   decide: Σ u_w v / Σ u_w over the object's answers; a worker the fit did not see weighs 1/√R (σ² = R)
 *
 * When every residual is 0 (workers always agree), the weights stay equal: the weighted mean is the mean.
 * confidence and details as `mean` (see `numeric.ts`); `fitReport().converged` = no weight moved by more than 1e-6 of
 * itself in the last iteration.
 *
 * The pipeline fills the `AnswerTable` with vote keys, which for a numeric answer are `String(value)`; `Number` reads
 * them back exactly, so the fit reuses the categorical table rather than needing a numeric one.
 */
import { z } from 'zod';
import type { AnswerTable } from './answer-table.js';
import { numericDecision, numericOptionFields, numericValues } from './numeric.js';
import type { FitReport, Strategy } from './types.js';
import { readSaved, savedFitReport } from './saved-model.js';

const options = z.strictObject({
  ...numericOptionFields,
  iterations: z.int().min(0).default(50),
  shrinkage: z.number().min(0).default(10),
});

/** Relative change of every weight below which the last iteration counts as converged. */
const settled = 1e-6;

export interface WorkerWeights {
  /** u_w by the table's worker index. */
  weights: Float64Array;
  /** The weight of a worker without residuals: 1/√R (1 when R = 0). */
  unseenWeight: number;
  report: FitReport;
}

/** The number each answer gave, by answer. */
function answerValues(table: AnswerTable): Float64Array {
  const numbers = table.labels.map(Number);
  const bad = table.labels.find((_, at) => !Number.isFinite(numbers[at]));
  if (bad !== undefined) throw new Error(`weighted-mean: answer "${bad}" is not a number`);
  return Float64Array.from(table.labelOf, (label) => numbers[label]!);
}

/** Σ u v and Σ u per object. */
function objectSums(table: AnswerTable, values: Float64Array, weights: Float64Array, sums: Float64Array, weightSums: Float64Array): void {
  sums.fill(0);
  weightSums.fill(0);
  for (let i = 0; i < table.answerCount; i += 1) {
    const weight = weights[table.workerOf[i]!]!;
    sums[table.objectOf[i]!]! += weight * values[i]!;
    weightSums[table.objectOf[i]!]! += weight;
  }
}

/** Σ r² and the count of residuals per worker, each answer against the weighted mean of the others on its object; returns R. */
function residuals(
  table: AnswerTable, values: Float64Array, weights: Float64Array, answersOn: Int32Array,
  sums: Float64Array, weightSums: Float64Array, squares: Float64Array, counts: Float64Array,
): number {
  squares.fill(0);
  counts.fill(0);
  let total = 0;
  let count = 0;
  for (let i = 0; i < table.answerCount; i += 1) {
    const t = table.objectOf[i]!;
    if (answersOn[t]! < 2) continue;
    const w = table.workerOf[i]!;
    const others = (sums[t]! - weights[w]! * values[i]!) / (weightSums[t]! - weights[w]!);
    const square = (values[i]! - others) ** 2;
    squares[w]! += square;
    counts[w]! += 1;
    total += square;
    count += 1;
  }
  return count ? total / count : 0;
}

export function fitWorkerWeights(table: AnswerTable, { iterations, shrinkage }: { iterations: number; shrinkage: number }): WorkerWeights {
  const values = answerValues(table);
  const workers = table.workers.length;
  const weights = new Float64Array(workers).fill(1);
  const answersOn = new Int32Array(table.objectCount);
  for (let i = 0; i < table.answerCount; i += 1) answersOn[table.objectOf[i]!]! += 1;
  const sums = new Float64Array(table.objectCount);
  const weightSums = new Float64Array(table.objectCount);
  const squares = new Float64Array(workers);
  const counts = new Float64Array(workers);
  let meanSquare = 0;
  let converged = false;
  let run = 0;
  while (run < iterations) {
    objectSums(table, values, weights, sums, weightSums);
    meanSquare = residuals(table, values, weights, answersOn, sums, weightSums, squares, counts);
    run += 1;
    if (meanSquare === 0) {
      converged = true; // nothing to weigh: every worker agrees with the others
      break;
    }
    converged = true;
    for (let w = 0; w < workers; w += 1) {
      const weight = 1 / Math.sqrt((squares[w]! + shrinkage * meanSquare) / (counts[w]! + shrinkage));
      if (Math.abs(weight - weights[w]!) > settled * weights[w]!) converged = false;
      weights[w] = weight;
    }
  }
  return { weights, unseenWeight: meanSquare > 0 ? 1 / Math.sqrt(meanSquare) : 1, report: { iterations: run, converged } };
}

const savedWeights = z.strictObject({
  weights: z.array(z.tuple([z.string(), z.number().positive()])),
  unseenWeight: z.number().positive(),
  report: savedFitReport,
});

export const weightedMean: Strategy<z.infer<typeof options>> = {
  name: 'weighted-mean',
  summary: 'mean weighted by 1/σ per worker, σ learned from each worker\'s distance to the others (shrunk to the job\'s)',
  kinds: ['numeric'],
  options,
  create: (config) => {
    let fitted: { weightOf: Map<string, number>; unseenWeight: number; report: FitReport } | undefined;
    const fittedModel = () => {
      if (!fitted) throw new Error('decide() or fitReport() called before fit()');
      return fitted;
    };
    return {
      fit(table) {
        const { weights, unseenWeight, report } = fitWorkerWeights(table, config);
        fitted = { weightOf: new Map(table.workers.map((worker, w) => [worker, weights[w]!])), unseenWeight, report };
      },
      decide(answers) {
        const { weightOf, unseenWeight } = fittedModel();
        const values = numericValues(answers);
        let sum = 0;
        let total = 0;
        answers.forEach(({ workerId }, at) => {
          const weight = weightOf.get(workerId) ?? unseenWeight;
          sum += weight * values[at]!;
          total += weight;
        });
        return numericDecision(values, sum / total, config);
      },
      fitReport: () => fittedModel().report,
      save() {
        const { weightOf, unseenWeight, report } = fittedModel();
        return { weights: [...weightOf], unseenWeight, report };
      },
      restore(saved) {
        const { weights, unseenWeight, report } = readSaved('weighted-mean', savedWeights, saved);
        fitted = { weightOf: new Map(weights), unseenWeight, report };
      },
    };
  },
};
