/**
 * Peak RSS of whole runs in a fresh process, from the built package, on the mirror files (S3 mode is slower here and
 * its client adds a constant, measured in BENCHMARKS.md): streaming at N (and at 100k when N is larger), Dawid-Skene at N.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeManifest } from '../job-files.js';
import type { Bench } from '../measure.js';
import { bucket } from '../synthetic-job.js';

/** Peak RSS (MiB) of a whole run in a fresh Node process. */
async function peakRss(repo: string, options: Record<string, unknown>): Promise<number> {
  const script = `import { consolidate } from ${JSON.stringify(path.join(repo, 'dist/src/index.js'))};
    await consolidate(${JSON.stringify(options)});
    console.log(process.resourceUsage().maxRSS);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return Math.round(Number(stdout.trim()) / 1024);
}

export async function rssPart({ objects, repo, dir, report, table, say }: Bench, local: string): Promise<void> {
  say('peak RSS of whole runs …');
  const rss: Record<string, number> = {};
  const runs: [number, string, string][] = [[objects, 'majority-vote', local], [objects, 'dawid-skene', local]];
  if (objects > 100_000) {
    const first = path.join(dir, 'first-100000.manifest');
    await writeManifest(first, 100_000);
    runs.unshift([100_000, 'majority-vote', first]);
  }
  const jobsRoot = path.resolve(path.dirname(local), '../../..');
  for (const [count, strategy, manifest] of runs) {
    const mib = await peakRss(repo, {
      manifest, out: path.join(dir, 'rss.manifest'), mirrors: [`s3://${bucket}/out/=${jobsRoot}`], fields: { sentiment: { strategy } },
    });
    rss[`${strategy}, ${count} objects`] = mib;
    table[`peak RSS: ${strategy}, ${count} objects (MiB)`] = { MiB: mib };
  }
  report.peakRssMiB = rss;
}
