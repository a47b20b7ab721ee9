/**
 * `npx tsx bench/strategy-scores.ts` — the README's strategy table: accuracy, expected calibration error, Brier score
 * and the share of errors among the 10% least confident objects, for majority vote, Dawid-Skene and hierarchical-ds on
 * the bundled crowd datasets, scored by the test suite's scorer (`test/unit/strategies/score-strategies.ts`).
 */
import path from 'node:path';
import { loadBluebirds, loadDSentiment, loadSnowRte } from '../test/helpers/crowd-datasets.js';
import { scoreStrategy } from '../test/unit/strategies/score-strategies.js';

const datasetsDir = path.resolve(import.meta.dirname, '../test/fixtures/datasets');
const datasets = { 'D_PosSent (1,000)': loadDSentiment, 'RTE (800)': loadSnowRte, 'bluebirds (108)': loadBluebirds };
const strategies: [string, Record<string, unknown>][] = [['majority-vote', { tie: 'lowest' }], ['dawid-skene', {}], ['hierarchical-ds', {}]];
const fixed = (value: number | null) => (value === null ? '—' : value.toFixed(4));

console.log('| dataset (gold objects) | strategy | accuracy | ECE | Brier | errors in the lowest 10% |');
console.log('|---|---|---|---|---|---|');
for (const [name, load] of Object.entries(datasets)) {
  const dataset = await load(datasetsDir);
  for (const [strategy, options] of strategies) {
    const scored = scoreStrategy(dataset, strategy, options);
    const errors = scored.objects - scored.correct;
    console.log(`| ${name} | \`${strategy}\` | ${fixed(scored.accuracy)} | ${fixed(scored.ece)} | ${fixed(scored.brier)} | ` +
      `${Math.round((scored.lowConfidenceErrorShare ?? 0) * errors)}/${errors} = ${fixed(scored.lowConfidenceErrorShare)} |`);
  }
}
