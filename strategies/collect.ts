/**
 * Collect: free text is not voted on; every distinct text is kept (grouped after trimming whitespace), most frequent
 * first, ties in answer order. The value is the list of texts; `details.counts` pairs each with its count.
 * confidence = the most frequent text's share (1 when everyone wrote the same thing).
 */
import { z } from 'zod';
import type { Strategy } from './types.js';

export const collect: Strategy<Record<string, never>> = {
  name: 'collect',
  summary: 'distinct texts with counts, most frequent first',
  kinds: ['text', 'categorical'],
  options: z.strictObject({}),
  keepsAnswers: true,
  create: () => ({
    decide(answers) {
      const counts = new Map<string, number>();
      for (const { value } of answers) {
        if (value.kind !== 'text' && value.kind !== 'categorical') continue;
        const text = value.value.trim();
        counts.set(text, (counts.get(text) ?? 0) + 1);
      }
      // Array.prototype.sort is stable, so equal counts keep answer order.
      const ranked = [...counts].sort((a, b) => b[1] - a[1]);
      return {
        value: ranked.map(([text]) => text),
        confidence: ranked[0]![1] / answers.length,
        details: { counts: ranked.map(([text, count]) => ({ text, count })) },
      };
    },
  }),
};
