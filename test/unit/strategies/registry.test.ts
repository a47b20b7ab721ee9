import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { collect } from '../../../strategies/collect.js';
import { majorityVote } from '../../../strategies/majority-vote.js';
import { mean } from '../../../strategies/mean.js';
import { median } from '../../../strategies/median.js';
import { multiLabelVote } from '../../../strategies/multi-label-vote.js';
import { defaultStrategyFor, getStrategy, registerStrategy, strategyNames } from '../../../strategies/registry.js';
import { trimmedMean } from '../../../strategies/trimmed-mean.js';
import type { AnswerKind, Strategy } from '../../../strategies/types.js';
import { byWorkers, noRandom, plainString } from './fixtures.js';

const builtIns = ['majority-vote', 'mean', 'median', 'trimmed-mean', 'multi-label-vote', 'collect'];

describe('registry: built-ins', () => {
  it('lists every built-in strategy by name', () => {
    expect(strategyNames()).toEqual(expect.arrayContaining(builtIns));
  });

  it('returns each built-in by its name', () => {
    expect(getStrategy('majority-vote')).toBe(majorityVote);
    expect(getStrategy('mean')).toBe(mean);
    expect(getStrategy('median')).toBe(median);
    expect(getStrategy('trimmed-mean')).toBe(trimmedMean);
    expect(getStrategy('multi-label-vote')).toBe(multiLabelVote);
    expect(getStrategy('collect')).toBe(collect);
  });

  it('returns undefined for an unknown name', () => {
    expect(getStrategy('no-such-strategy')).toBeUndefined();
    expect(getStrategy('Majority-Vote')).toBeUndefined();
  });
});

describe('registry: defaultStrategyFor', () => {
  it('maps each answer kind', () => {
    expect(defaultStrategyFor).toEqual({
      categorical: 'hierarchical-ds',
      boolean: 'hierarchical-ds',
      numeric: 'mean',
      'multi-label': 'multi-label-vote',
      text: 'collect',
      preference: 'borda',
      boxes: 'boxes',
      spans: 'spans',
      keypoints: 'keypoints',
      polygons: 'polygons',
      lines: 'lines',
      mask: 'mask-vote',
    });
  });

  it('names a registered strategy that accepts that kind', () => {
    for (const [kind, name] of Object.entries(defaultStrategyFor) as Array<[AnswerKind, string]>) {
      const strategy = getStrategy(name);
      expect(strategy, name).toBeDefined();
      expect(strategy!.kinds).toContain(kind);
    }
  });
});

describe('registry: registerStrategy', () => {
  const options = z.strictObject({ answer: z.string().default('always') });
  const constant: Strategy<z.infer<typeof options>> = {
    name: 'test-constant',
    summary: 'always the configured answer',
    kinds: ['categorical'],
    options,
    create: ({ answer }) => ({ decide: () => ({ value: answer, confidence: 1 }) }),
  };

  it('makes a custom strategy retrievable by name and listed', () => {
    expect(getStrategy('test-constant')).toBeUndefined();
    registerStrategy(constant);
    expect(getStrategy('test-constant')).toBe(constant);
    expect(strategyNames()).toContain('test-constant');
    expect(strategyNames()).toEqual(expect.arrayContaining(builtIns));
  });

  it('the retrieved strategy works through its own options schema', () => {
    registerStrategy(constant);
    const strategy = getStrategy('test-constant')!;
    const decision = strategy.create(strategy.options.parse({ answer: 'x' })).decide(byWorkers([plainString('y')]), noRandom);
    expect(decision).toEqual({ value: 'x', confidence: 1 });
    expect(strategy.options.safeParse({ other: 1 }).success).toBe(false);
  });

  it('registering the same name again replaces the strategy', () => {
    const replacement: Strategy<z.infer<typeof options>> = { ...constant, summary: 'replaced' };
    registerStrategy(constant);
    registerStrategy(replacement);
    expect(getStrategy('test-constant')).toBe(replacement);
    expect(strategyNames().filter((name) => name === 'test-constant')).toHaveLength(1);
  });
});
