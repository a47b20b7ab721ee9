/** `fitReport()` of the EM strategies: iterations run, convergence, and the collapse warning. */
import { describe, expect, it } from 'vitest';
import { dawidSkene } from '../../../strategies/dawid-skene.js';
import { hierarchicalDawidSkene } from '../../../strategies/hierarchical-ds.js';
import { oneCoin } from '../../../strategies/one-coin.js';
import type { FitReport, Strategy } from '../../../strategies/types.js';
import { tableOf, toyYsda, type TaskLabels } from './fixtures.js';

const emStrategies: Strategy<any>[] = [dawidSkene, oneCoin, hierarchicalDawidSkene];

function reportOf(strategy: Strategy<any>, tasks: TaskLabels, options: Record<string, unknown> = {}): FitReport {
  const consolidator = strategy.create(strategy.options.parse(options));
  consolidator.fit!(tableOf(tasks).table);
  return consolidator.fitReport!();
}

/** w0 answers "a" on every object; majority vote decides a, b, a, yet one-coin puts every object on "a". */
const collapsing: TaskLabels = {
  t1: { w0: 'a', w1: 'a', w2: 'b' },
  t2: { w0: 'a', w1: 'b', w2: 'b' },
  t3: { w0: 'a', w1: 'a', w2: 'a' },
};

describe('fitReport', () => {
  it.each(emStrategies.map((s) => [s.name, s] as const))('%s: runs maxIterations with tol 0 and says it did not converge', (_, strategy) => {
    expect(reportOf(strategy, toyYsda, { maxIterations: 7, tol: 0 })).toEqual({ iterations: 7, converged: false });
  });

  it.each(emStrategies.map((s) => [s.name, s] as const))('%s: says it converged when tol stopped it', (_, strategy) => {
    const report = reportOf(strategy, toyYsda, { maxIterations: 1000 });
    expect(report.converged).toBe(true);
    expect(report.iterations).toBeLessThan(1000);
    expect(report.warnings).toBeUndefined();
  });

  it('one-coin warns when its fit collapses onto one label', () => {
    const report = reportOf(oneCoin, collapsing);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings![0]).toMatch(/collapsed onto one label.*"a"/);
  });

  it('does not warn when every object has the same majority label anyway', () => {
    const unanimous: TaskLabels = { t1: { w0: 'a', w1: 'a' }, t2: { w0: 'a', w1: 'a', w2: 'b' } };
    expect(reportOf(oneCoin, unanimous).warnings).toBeUndefined();
  });

  it('warns the same way for any EM strategy: hierarchical-ds collapses on this tiny job too, dawid-skene does not', () => {
    expect(reportOf(hierarchicalDawidSkene, collapsing).warnings![0]).toMatch(/collapsed onto one label.*"a"/);
    expect(reportOf(dawidSkene, collapsing).warnings).toBeUndefined();
  });
});
