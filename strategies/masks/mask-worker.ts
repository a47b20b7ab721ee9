/** A thread of the mask pool (`mask-pool.ts`): runs mask-vote's decision and posts it back. */
import { parentPort } from 'node:worker_threads';
import { decideMask, type MaskVoteOptions } from '../mask-vote.js';
import { postableError } from '../worker-module.js';
import type { MaskTask } from './mask-pool.js';

/** The pool is not used for a `labelTie` of `random` (`mask-vote.ts`), the only decision that draws. */
const noRandom = () => {
  throw new Error('a mask thread has no random source');
};

parentPort!.on('message', ({ id, task }: { id: number; task: MaskTask }) => {
  try {
    const { shapes, ...decision } = decideMask(task.answers, task.settings as MaskVoteOptions, noRandom, task.labels);
    // A function cannot cross threads: the pool's caller puts the outcome's similarity back.
    parentPort!.postMessage({ id, decision: { ...decision, ...(shapes && { shapes: { kept: shapes.kept, workers: shapes.workers } }) } });
  } catch (error) {
    parentPort!.postMessage({ id, error: postableError(error) });
  }
});
