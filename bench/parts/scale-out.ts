/**
 * A sharded run (`src/scale-out/`) with 4 shards next to a single run of the same job (local mirror files,
 * Dawid-Skene, so `fit` has a model to fit): the seconds of each step, the shards and deciders one after another in
 * this process (this machine's 2 cores are shared, so running them at once would measure the machine, not the steps).
 * `critical path` is what 4 machines would take, one shard and one decider each: the slowest shard + fit + the
 * slowest decider + merge. `--rounds` rounds, alternating single and sharded runs; medians and ranges. Beside the
 * wall seconds, the process's CPU seconds (its threads included) of the single run and of each kind of step, which the
 * machine's other load inflates far less.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { consolidate } from '../../src/pipeline/consolidate.js';
import { decide } from '../../src/scale-out/decide.js';
import { fit } from '../../src/scale-out/fit.js';
import { merge } from '../../src/scale-out/merge.js';
import { shard } from '../../src/scale-out/shard.js';
import { type Bench, spread } from '../measure.js';
import { bucket } from '../synthetic-job.js';

const shards = 4;

/** Wall and CPU seconds of `run`, the CPU seconds added to `cpu` (by kind of step). */
async function seconds(run: () => Promise<unknown>, cpu: Record<string, number>, kind: string): Promise<number> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await run();
  const { user, system } = process.cpuUsage(startCpu);
  cpu[kind] = (cpu[kind] ?? 0) + (user + system) / 1e6;
  return (performance.now() - start) / 1000;
}

export async function scaleOutPart({ objects, rounds, dir, report, table, say }: Bench, local: string): Promise<void> {
  const jobsRoot = path.resolve(path.dirname(local), '../../..');
  const options = { manifest: local, mirrors: [`s3://${bucket}/out/=${jobsRoot}`], fields: { sentiment: { strategy: 'dawid-skene' } } };
  const times: Record<string, number[]> = {};
  const record = (name: string, value: number) => (times[name] ??= []).push(value);
  for (let round = 0; round < rounds; round += 1) {
    const cpu: Record<string, number> = {};
    say(`scale-out, round ${round + 1} of ${rounds}: a single run …`);
    record('single run', await seconds(() => consolidate({ ...options, out: path.join(dir, 'single.manifest') }), cpu, 'single run'));
    say(`scale-out, round ${round + 1} of ${rounds}: ${shards} shards …`);
    const work = path.join(dir, 'scale-out-work');
    const job = { ...options, out: path.join(dir, 'sharded.manifest'), work };
    const shardTimes: number[] = [];
    for (let index = 0; index < shards; index += 1) shardTimes.push(await seconds(() => shard(job, { index, count: shards }), cpu, 'shard (all)'));
    const fitTime = await seconds(() => fit(job, { count: shards }), cpu, 'fit');
    const decideTimes: number[] = [];
    for (let index = 0; index < shards; index += 1) decideTimes.push(await seconds(() => decide(job, { index, count: shards }), cpu, 'decide (all)'));
    const mergeTime = await seconds(() => merge(job, { count: shards }), cpu, 'merge');
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    record('shard (slowest)', Math.max(...shardTimes));
    record('shard (all, one after another)', sum(shardTimes));
    record('fit', fitTime);
    record('decide (slowest)', Math.max(...decideTimes));
    record('decide (all, one after another)', sum(decideTimes));
    record('merge', mergeTime);
    record('critical path on 4 machines', Math.max(...shardTimes) + fitTime + Math.max(...decideTimes) + mergeTime);
    record('all steps on one machine', sum(shardTimes) + fitTime + sum(decideTimes) + mergeTime);
    for (const [kind, value] of Object.entries(cpu)) record(`CPU, ${kind}`, value);
    record('CPU, all steps', cpu['shard (all)']! + cpu.fit! + cpu['decide (all)']! + cpu.merge!);
    await rm(work, { recursive: true, force: true });
  }
  const result = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, spread(values, 2)]));
  for (const [name, { median, min, max }] of Object.entries(result)) table[`scale-out (${shards} shards, ${objects} objects): ${name} (s)`] = { s: median, min, max };
  report.scaleOut = { shards, objects, rounds, seconds: result };
}
