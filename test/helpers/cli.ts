/** The built `gt-consolidate` binary, run as a user runs it (`npm test` builds it first). */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(repo, 'dist/src/cli/bin.js');

/** Runs the binary with `args` from the repository's root, `stdinFile` (if any) on its standard input. */
export function cli(args: string[], stdinFile?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (stdinFile) createReadStream(stdinFile).pipe(child.stdin);
    else child.stdin.end();
  });
}
