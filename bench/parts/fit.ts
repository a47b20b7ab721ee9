/**
 * The fit time of Dawid-Skene and of hierarchical-ds (the default for categorical fields) on the same 100k answers,
 * 4 classes, 100 iterations: `--fit-rounds` rounds, alternating, median and range.
 */
import { seededRandom } from '../../src/random.js';
import { AnswerTableBuilder } from '../../strategies/answer-table.js';
import { fitDawidSkene } from '../../strategies/dawid-skene.js';
import { fitHierarchical, hierarchicalDawidSkene } from '../../strategies/hierarchical-ds.js';
import { type Bench, median, ratio, spread } from '../measure.js';

/** 20k objects × 5 answers from 200 workers of accuracy 0.6–0.95, 4 classes, seeded. */
function syntheticAnswerTable() {
  const random = seededRandom(42);
  const accuracy = Array.from({ length: 200 }, () => 0.6 + 0.35 * random());
  const builder = new AnswerTableBuilder();
  for (let t = 0; t < 20_000; t += 1) {
    const truth = Math.floor(random() * 4);
    builder.addObject(Array.from({ length: 5 }, () => {
      const w = Math.floor(random() * 200);
      return [`w${w}`, `c${random() < accuracy[w]! ? truth : Math.floor(random() * 4)}`] as const;
    }));
  }
  return builder.build();
}

/** E-steps of every timed fit: `tol: 0` runs them all, so both models do the same number. */
const fitIterations = 100;

export function fitPart({ fitRounds, report, table, say }: Bench): void {
  say(`model fits, ${fitRounds} rounds …`);
  const answers = syntheticAnswerTable();
  const hierarchical = hierarchicalDawidSkene.options.parse({ maxIterations: fitIterations, tol: 0 });
  const fits: Record<string, () => unknown> = {
    'dawid-skene': () => fitDawidSkene(answers, { maxIterations: fitIterations, tol: 0 }),
    'hierarchical-ds': () => fitHierarchical(answers, hierarchical),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fits).map((name) => [name, []]));
  for (let round = 0; round < fitRounds; round += 1) {
    for (const [name, fit] of Object.entries(fits)) {
      const start = performance.now();
      fit();
      times[name]!.push(performance.now() - start);
    }
  }
  const fitRatio = ratio(median(times['hierarchical-ds']!), median(times['dawid-skene']!));
  report.modelFit = {
    answers: answers.answerCount, classes: answers.labels.length, iterations: fitIterations, rounds: fitRounds, ratio: fitRatio,
    ...Object.fromEntries(Object.entries(times).map(([name, ms]) => [name, spread(ms)])),
  };
  for (const [name, ms] of Object.entries(times)) {
    const { median: medianMs, min, max } = spread(ms);
    table[`${name} fit: ${answers.answerCount / 1000}k answers, ${answers.labels.length} classes, ${fitIterations} iterations`] = {
      'median ms': medianMs, 'min ms': min, 'max ms': max, ...(name === 'hierarchical-ds' && { ratio: fitRatio }),
    };
  }
}
