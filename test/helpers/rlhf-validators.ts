/**
 * Validators for the export formats' rows, from `shared/reference/rlhf-formats.md` (§1.1 TRL, §1.3 margin, §2.1 OpenAI,
 * §2.3 Nova) and the lossless row: each returns a list of problems, empty when the row is valid.
 */

import { isRecord } from '../../src/json.js';

export { isRecord };
export const keysOf = (value: Record<string, unknown>) => Object.keys(value).sort();

/** A list of `{role, content}` messages with string role and content, nothing else. */
export function messageListProblems(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) return [`${where}: not a non-empty message list`];
  return value.flatMap((message, i) => {
    if (!isRecord(message)) return [`${where}[${i}]: not an object`];
    const problems: string[] = [];
    if (keysOf(message).join() !== 'content,role') problems.push(`${where}[${i}]: keys ${keysOf(message).join()}`);
    if (typeof message.role !== 'string') problems.push(`${where}[${i}].role: not a string`);
    if (typeof message.content !== 'string') problems.push(`${where}[${i}].content: not a string`);
    return problems;
  });
}

/** Exactly one assistant message. */
export function singleAssistantProblems(value: unknown, where: string): string[] {
  const problems = messageListProblems(value, where);
  if (problems.length) return problems;
  const list = value as Record<string, unknown>[];
  if (list.length !== 1) return [`${where}: ${list.length} messages, not 1`];
  return list[0]!.role === 'assistant' ? [] : [`${where}[0].role: ${String(list[0]!.role)}, not assistant`];
}

/** TRL preference: `{prompt, chosen, rejected}`, all strings (standard) or message lists (conversational). */
export function trlProblems(row: unknown, { withScores }: { withScores: boolean }): string[] {
  if (!isRecord(row)) return ['row: not an object'];
  const problems: string[] = [];
  const allowed = new Set(['prompt', 'chosen', 'rejected', 'margin', 'score_chosen', 'score_rejected', 'tie']);
  for (const key of Object.keys(row)) if (!allowed.has(key)) problems.push(`unexpected key ${key}`);
  for (const key of ['prompt', 'chosen', 'rejected']) if (!(key in row)) problems.push(`missing ${key}`);
  if (typeof row.prompt === 'string') {
    if (typeof row.chosen !== 'string') problems.push('chosen: standard row but not a string');
    if (typeof row.rejected !== 'string') problems.push('rejected: standard row but not a string');
  } else {
    problems.push(...messageListProblems(row.prompt, 'prompt'));
    problems.push(...singleAssistantProblems(row.chosen, 'chosen'));
    problems.push(...singleAssistantProblems(row.rejected, 'rejected'));
  }
  for (const key of ['margin', 'score_chosen', 'score_rejected']) {
    if (withScores && !(typeof row[key] === 'number' && Number.isFinite(row[key]))) problems.push(`${key}: not a finite number`);
    if (!withScores && key in row) problems.push(`${key}: present without withScores`);
  }
  if ('tie' in row && row.tie !== true) problems.push('tie: present but not true');
  return problems;
}

/** TRL unpaired preference (KTO): `{prompt, completion, label: boolean}`. */
export function ktoProblems(row: unknown): string[] {
  if (!isRecord(row)) return ['row: not an object'];
  const problems: string[] = [];
  if (keysOf(row).join() !== 'completion,label,prompt') problems.push(`keys ${keysOf(row).join()}`);
  if (typeof row.label !== 'boolean') problems.push('label: not a boolean');
  if (typeof row.prompt === 'string') {
    if (typeof row.completion !== 'string') problems.push('completion: standard row but not a string');
  } else {
    problems.push(...messageListProblems(row.prompt, 'prompt'));
    problems.push(...singleAssistantProblems(row.completion, 'completion'));
  }
  return problems;
}

/** OpenAI preference fine-tuning: `{input: {messages}, preferred_output: [assistant], non_preferred_output: [assistant]}`. */
export function openaiProblems(row: unknown): string[] {
  if (!isRecord(row)) return ['row: not an object'];
  const problems: string[] = [];
  if (keysOf(row).join() !== 'input,non_preferred_output,preferred_output') problems.push(`keys ${keysOf(row).join()}`);
  if (!isRecord(row.input)) return [...problems, 'input: not an object'];
  for (const key of Object.keys(row.input)) {
    if (!['messages', 'tools', 'parallel_tool_calls'].includes(key)) problems.push(`input: unexpected key ${key}`);
  }
  problems.push(...messageListProblems(row.input.messages, 'input.messages'));
  const messages = Array.isArray(row.input.messages) ? row.input.messages as { role?: unknown }[] : [];
  if (messages.length && messages[messages.length - 1]!.role !== 'user') problems.push('input.messages: last turn is not the user\'s');
  problems.push(...singleAssistantProblems(row.preferred_output, 'preferred_output'));
  problems.push(...singleAssistantProblems(row.non_preferred_output, 'non_preferred_output'));
  return problems;
}

/** `[{text: string}]`, non-empty. */
export function textBlocksProblems(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) return [`${where}: not a non-empty list`];
  return value.flatMap((block, i) =>
    isRecord(block) && keysOf(block).join() === 'text' && typeof block.text === 'string' ? [] : [`${where}[${i}]: not {text: string}`]);
}

/** Amazon Nova DPO: `{system?: [{text}], messages: [..turns, {role: assistant, candidates: [preferred, non-preferred]}]}`. */
export function novaProblems(row: unknown): string[] {
  if (!isRecord(row)) return ['row: not an object'];
  const problems: string[] = [];
  for (const key of Object.keys(row)) if (!['system', 'messages'].includes(key)) problems.push(`unexpected key ${key}`);
  if ('system' in row) problems.push(...textBlocksProblems(row.system, 'system'));
  if (!Array.isArray(row.messages) || row.messages.length < 2) return [...problems, 'messages: fewer than 2 turns'];
  const turns = row.messages as unknown[];
  const last = turns[turns.length - 1];
  turns.slice(0, -1).forEach((turn, i) => {
    if (!isRecord(turn)) return void problems.push(`messages[${i}]: not an object`);
    if (keysOf(turn).join() !== 'content,role') problems.push(`messages[${i}]: keys ${keysOf(turn).join()}`);
    // Nova SFT turns alternate user / assistant, starting with the user; the system prompt is never a turn.
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (turn.role !== expected) problems.push(`messages[${i}].role: ${String(turn.role)}, expected ${expected}`);
    problems.push(...textBlocksProblems(turn.content, `messages[${i}].content`));
  });
  if (turns.length % 2 !== 0) problems.push('messages: the candidates turn does not follow a user turn');
  if (!isRecord(last)) return [...problems, 'last turn: not an object'];
  if (keysOf(last).join() !== 'candidates,role' || last.role !== 'assistant') problems.push('last turn: not {role: assistant, candidates}');
  if (!Array.isArray(last.candidates) || last.candidates.length !== 2) return [...problems, 'candidates: not 2'];
  (last.candidates as unknown[]).forEach((candidate, i) => {
    const label = i === 0 ? 'preferred' : 'non-preferred';
    if (!isRecord(candidate) || keysOf(candidate).join() !== 'content,preferenceLabel') {
      problems.push(`candidates[${i}]: not {content, preferenceLabel}`);
      return;
    }
    if (candidate.preferenceLabel !== label) problems.push(`candidates[${i}].preferenceLabel: ${String(candidate.preferenceLabel)}`);
    problems.push(...textBlocksProblems(candidate.content, `candidates[${i}].content`));
  });
  return problems;
}

/** The lossless row: one per object × dimension. */
export function losslessProblems(row: unknown): string[] {
  if (!isRecord(row)) return ['row: not an object'];
  const problems: string[] = [];
  if (keysOf(row).join() !== 'aggregate,annotators,dimension,id,pairs,prompt,responses') problems.push(`keys ${keysOf(row).join()}`);
  if (typeof row.id !== 'string') problems.push('id: not a string');
  if (typeof row.dimension !== 'string') problems.push('dimension: not a string');
  if (!Array.isArray(row.responses)) problems.push('responses: not a list');
  if (!Array.isArray(row.annotators) || row.annotators.length === 0) problems.push('annotators: not a non-empty list');
  else {
    for (const annotator of row.annotators as unknown[]) {
      // The judgment as submitted: crowd-text-ranking's {responseRankings}, else {scores}.
      const judgment = isRecord(annotator) ? annotator.judgment : undefined;
      if (!isRecord(annotator) || typeof annotator.workerId !== 'string' || typeof annotator.source !== 'string'
        || !isRecord(judgment) || !(Array.isArray(judgment.responseRankings) || Array.isArray(judgment.scores))) {
        problems.push('annotator: not {workerId, source, judgment}');
      }
    }
  }
  if (!isRecord(row.aggregate) || typeof row.aggregate.strategy !== 'string' || typeof row.aggregate.resolved !== 'boolean'
    || typeof row.aggregate.confidence !== 'number') problems.push('aggregate: not {strategy, resolved, scores, confidence}');
  if (!Array.isArray(row.pairs)) problems.push('pairs: not a list');
  return problems;
}

