/**
 * Multi-label vote: each label is voted on separately (binary relevance); a label is kept when the share of workers
 * who chose it is strictly above `threshold` (default 0.5, so a 50/50 split drops the label, as crowd-kit's
 * `BinaryRelevance(MajorityVote())` does).
 *
 * confidence = mean over every label any worker saw of max(share, 1 - share): 1 when workers agree on every label.
 * `details.shares` gives each label's share, like Ground Truth's `confidence-map`.
 */
import { z } from 'zod';
import { submittedForm } from './submitted-form.js';
import type { Strategy } from './types.js';

const options = z.strictObject({
  threshold: z.number().min(0).lt(1).default(0.5),
});

export const multiLabelVote: Strategy<z.infer<typeof options>> = {
  name: 'multi-label-vote',
  summary: 'per-label vote; keep labels chosen by a share > threshold (0.5)',
  kinds: ['multi-label'],
  options,
  create: ({ threshold }) => ({
    decide(answers) {
      const chosen = new Map<string, number>();
      for (const { value } of answers) {
        if (value.kind !== 'multi-label') continue;
        for (const option of value.options) if (!chosen.has(option)) chosen.set(option, 0);
        for (const label of new Set(value.labels)) chosen.set(label, (chosen.get(label) ?? 0) + 1);
      }
      const shares = [...chosen].map(([label, count]) => [label, count / answers.length] as const);
      const first = answers[0]!.value;
      const shape = first.kind === 'multi-label' ? first.shape : 'labels';
      const labels = shares.filter(([, share]) => share > threshold).map(([label]) => label);
      const clarity = shares.map(([, share]) => Math.max(share, 1 - share));
      return {
        value: submittedForm({ kind: 'multi-label', labels, options: [...chosen.keys()], shape }),
        confidence: clarity.length ? clarity.reduce((a, b) => a + b, 0) / clarity.length : 1,
        details: { shares: Object.fromEntries(shares) },
      };
    },
  }),
};
