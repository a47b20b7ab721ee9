/**
 * The training-data formats a preference pair (or, losslessly, a whole judged object) is written in, one JSON line
 * each. Field names and shapes follow `../shared/reference/rlhf-formats.md`:
 *
 * - `trl`: TRL preference, `{prompt, chosen, rejected}`, standard (strings) or, when the prompt is a conversation,
 *   conversational (message lists); `margin`, `score_chosen`, `score_rejected` for the RewardTrainer (DPO ignores them);
 * - `trl-kto`: TRL unpaired preference, `{prompt, completion, label}`: chosen responses `true`, rejected `false`;
 * - `openai`: OpenAI-style preference fine-tuning (also Together, Fireworks, Azure), `{input: {messages},
 *   preferred_output: [assistant message], non_preferred_output: [assistant message]}`;
 * - `nova`: Amazon Nova DPO, `{system?, messages}` whose last assistant turn has two `candidates` labelled
 *   `preferred` / `non-preferred`;
 * - `lossless`: one line per object and dimension with every annotator's judgment and comments, the aggregate and
 *   every candidate pair with its fate, for teams that aggregate elsewhere.
 */
export const exportFormats = ['trl', 'trl-kto', 'openai', 'nova', 'lossless'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface Message {
  role: string;
  content: string;
}

/** A prompt as the manifest gave it: plain text, or a conversation. */
export type Prompt = string | Message[];

export interface PairRecord {
  id: string;
  dimension: string;
  prompt: Prompt;
  chosen: string;
  rejected: string;
  margin: number;
  scoreChosen: number;
  scoreRejected: number;
  tie: boolean;
}

const asConversation = (prompt: Prompt): Message[] => (typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : prompt);
const assistant = (content: string): Message[] => [{ role: 'assistant', content }];

/** The pair rows of one format (KTO unpairs in `ktoRows`; `lossless` is written per object). */
export function pairRow(format: 'trl' | 'openai' | 'nova', pair: PairRecord, withScores: boolean): Record<string, unknown> {
  const flagged = pair.tie ? { tie: true } : {};
  switch (format) {
    case 'trl': {
      const conversational = typeof pair.prompt !== 'string';
      return {
        prompt: pair.prompt,
        chosen: conversational ? assistant(pair.chosen) : pair.chosen,
        rejected: conversational ? assistant(pair.rejected) : pair.rejected,
        ...(withScores && { margin: pair.margin, score_chosen: pair.scoreChosen, score_rejected: pair.scoreRejected }),
        ...flagged,
      };
    }
    case 'openai':
      return {
        input: { messages: asConversation(pair.prompt) },
        preferred_output: assistant(pair.chosen),
        non_preferred_output: assistant(pair.rejected),
      };
    case 'nova': {
      const turns = asConversation(pair.prompt);
      const system = turns.filter((turn) => turn.role === 'system').map((turn) => ({ text: turn.content }));
      return {
        ...(system.length > 0 && { system }),
        messages: [
          ...turns.filter((turn) => turn.role !== 'system').map((turn) => ({ role: turn.role, content: [{ text: turn.content }] })),
          {
            role: 'assistant',
            candidates: [
              { content: [{ text: pair.chosen }], preferenceLabel: 'preferred' },
              { content: [{ text: pair.rejected }], preferenceLabel: 'non-preferred' },
            ],
          },
        ],
      };
    }
  }
}

/** Texts that differ only in whitespace are the same response. */
export const normaliseSpace = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * KTO rows of one object's kept pairs on one dimension: each chosen response `true`, each rejected one `false`, once
 * each (texts compared after whitespace normalisation). A response chosen in one pair and rejected in another (the
 * middle of `all-pairs`) has no absolute label: it is left out and counted. TRL warns that a relative preference is
 * not an absolute one; prefer `best-vs-worst` for KTO.
 */
export function ktoRows(pairs: readonly PairRecord[]): { rows: Record<string, unknown>[]; conflicts: number } {
  const labels = new Map<string, { completion: string; prompt: Prompt; label: boolean | 'conflict' }>();
  for (const pair of pairs) {
    for (const [completion, label] of [[pair.chosen, true], [pair.rejected, false]] as const) {
      const previous = labels.get(normaliseSpace(completion));
      if (!previous) labels.set(normaliseSpace(completion), { completion, prompt: pair.prompt, label });
      else if (previous.label !== label) previous.label = 'conflict';
    }
  }
  const kept = [...labels.values()].filter((entry) => entry.label !== 'conflict');
  return {
    rows: kept.map(({ prompt, completion, label }) => ({
      prompt,
      completion: typeof prompt === 'string' ? completion : assistant(completion),
      label,
    })),
    conflicts: labels.size - kept.length,
  };
}
