/** A thread of the mask pool (`mask-pool.ts`): runs mask-vote's decision and posts it back. */
import { parentPort } from 'node:worker_threads';
import { decideMask, type MaskVoteOptions } from '../mask-vote.js';
import { postableError } from '../worker-module.js';
import type { MaskTask } from './mask-pool.js';

parentPort!.on('message', ({ id, task }: { id: number; task: MaskTask }) => {
  try {
    const { shapes, ...decision } = decideMask(task.answers, task.settings as MaskVoteOptions, task.labels);
    // A function cannot cross threads: the pool's caller puts the outcome's similarity back.
    parentPort!.postMessage({ id, decision: { ...decision, ...(shapes && { shapes: { kept: shapes.kept, workers: shapes.workers } }) } });
  } catch (error) {
    parentPort!.postMessage({ id, error: postableError(error) });
  }
});
