/** The option tables behind the CLI: every flag declared once, and parsed flags mapped back onto library options. */
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { cliFlags, exportDecisions, flagsOf, optionsFrom, runDecisions } from '../../src/cli/options.js';

describe('CLI option tables', () => {
  it.each([['run', runDecisions], ['export', exportDecisions]] as const)('%s: no two flags share a name or an attribute', (_, decisions) => {
    const flags = [...flagsOf(decisions), ...Object.values(cliFlags)].map((flag) => new Option(flag.flags));
    const names = flags.flatMap((option) => [option.long, option.short].filter(Boolean));
    expect(new Set(names).size).toBe(names.length);
    // `--no-x` shares its attribute with `--x <value>` on purpose: it sets it to false.
    const pairsNegation = (option: Option) => option.negate && flags.some((other) => !other.negate && other.attributeName() === option.attributeName());
    const attributes = flags.filter((option) => !pairsNegation(option)).map((option) => option.attributeName());
    expect(new Set(attributes).size).toBe(attributes.length);
  });

  it('maps flags onto nested library options, leaving unset ones out', () => {
    const options = optionsFrom(runDecisions, { region: 'eu-west-1', maxAttempts: 2, strategy: ['a=trimmed-mean,proportion=0.25'], mirror: [], out: 'o' }, 'in.manifest');
    expect(options).toEqual({
      manifest: 'in.manifest', out: 'o', mirrors: [], s3: { region: 'eu-west-1' }, retry: { attempts: 2 },
      fields: { a: { strategy: 'trimmed-mean', proportion: 0.25 } },
    });
  });

  it('export: an empty --dimension list means every dimension; --no-scores turns withScores off', () => {
    expect(optionsFrom(exportDecisions, { dimension: [], scores: false }, 'm')).toEqual({ manifest: 'm', withScores: false });
    expect(optionsFrom(exportDecisions, { dimension: ['Clarity'] }, 'm')).toEqual({ manifest: 'm', dimensions: ['Clarity'] });
  });
});
