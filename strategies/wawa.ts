/**
 * Wawa ("worker agreement with aggregate"): majority vote first; each worker's skill is the share of their answers
 * that agree with it; then a vote weighted by those skills decides. Cheap, and it discounts careless workers.
 *
 * As crowd-kit's `Wawa` (reference `consolidation-algorithms.md` §1.2): the first majority vote breaks ties towards the
 * smallest label; the weighted vote too (see `weighted-vote.ts`). confidence = the winner's share of the weight.
 */
import { z } from 'zod';
import { argmax } from './answer-table.js';
import { readSaved, savedSkills } from './saved-model.js';
import { decideWeighted } from './weighted-vote.js';
import type { Strategy, WorkerSkill } from './types.js';

export const wawa: Strategy<Record<string, never>> = {
  name: 'wawa',
  summary: 'majority vote, then a vote weighted by each worker\'s agreement with it',
  kinds: ['categorical', 'boolean'],
  options: z.strictObject({}),
  create: () => {
    let skills = new Map<string, WorkerSkill>();
    return {
      fit(table) {
        const k = table.labels.length;
        const votes = new Float64Array(table.objectCount * k);
        for (let i = 0; i < table.answerCount; i += 1) votes[table.objectOf[i]! * k + table.labelOf[i]!]! += 1;
        const majority = Int32Array.from({ length: table.objectCount }, (_, t) => argmax(votes, t * k, t * k + k));
        const agree = new Float64Array(table.workers.length);
        const given = new Float64Array(table.workers.length);
        for (let i = 0; i < table.answerCount; i += 1) {
          given[table.workerOf[i]!]! += 1;
          if (majority[table.objectOf[i]!] === table.labelOf[i]) agree[table.workerOf[i]!]! += 1;
        }
        skills = new Map(table.workers.map((worker, w) => [worker, { accuracy: agree[w]! / given[w]! }]));
      },
      decide: (answers) => decideWeighted(answers, (worker) => skills.get(worker)?.accuracy ?? 0),
      skills: () => skills,
      save: () => ({ skills: [...skills] }),
      restore(saved) {
        skills = new Map(readSaved('wawa', z.strictObject({ skills: savedSkills }), saved).skills);
      },
    };
  },
};
