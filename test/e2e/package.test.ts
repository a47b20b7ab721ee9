/** The published package: importable by name with its types, and without the research datasets or tests. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');

describe('package', () => {
  it('exports the library API by package name, with type declarations', async () => {
    const api = await import('gt-consolidate');
    expect(typeof api.consolidate).toBe('function');
    expect(typeof api.registerStrategy).toBe('function');
    expect(api.strategyNames()).toEqual(expect.arrayContaining(['majority-vote', 'mean', 'median', 'trimmed-mean', 'multi-label-vote', 'collect']));
    expect(existsSync(path.join(repo, 'dist/src/index.d.ts'))).toBe(true);
  });

  it('packs the built code only', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo });
    const files = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    expect(files).toContain('dist/src/cli/bin.js');
    expect(files).toContain('dist/src/index.d.ts');
    expect(files).toContain('dist/strategies/majority-vote.js');
    expect(files.filter((f) => !/^(dist\/(src|strategies)\/|package\.json$|README\.md$)/.test(f))).toEqual([]);
  });
});
