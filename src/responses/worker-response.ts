/**
 * Parses a worker-response file: `{"answers": [{workerId, answerContent, acceptanceTime?, …}]}` (0..9 answers).
 *
 * One worker, one answer: a workerId that appears more than once (a resubmission) counts once, keeping the last
 * submission by `submissionTime` (ties, and answers without a time, go to the later one in the file); how many were
 * dropped is returned so the run summary can count them.
 */
import { isUtf8 } from 'node:buffer';
import { RejectError } from '../errors.js';
import { isRecord } from '../json.js';
import { sideKeysOf } from './normalise.js';
import { parseUntrustedJson } from './safe-json.js';

export interface WorkerAnswer {
  workerId: string;
  answerContent: Record<string, unknown>;
  acceptanceTime?: string;
  submissionTime?: string;
  timeSpentInSeconds?: number;
  /** `workerMetadata.identityData.sub`: the Cognito/OIDC user id of a private-workforce worker. */
  sub?: string;
  /** By field, the keys beside the answer that are not part of it (`{"crowd-image-classifier": {workerComment}}`). */
  sideKeys?: Record<string, Record<string, unknown>>;
}

export interface WorkerResponse {
  /** One per worker, in file order of the kept submissions. */
  answers: WorkerAnswer[];
  /** Earlier submissions of a worker that appears more than once. */
  duplicatesDropped: number;
}

export function readWorkerResponse(bytes: Buffer): WorkerResponse {
  // Decoding would turn bad bytes into U+FFFD silently, changing the answers.
  if (!isUtf8(bytes)) throw new RejectError('invalid-response', 'worker response is not valid UTF-8');
  let json: unknown;
  try {
    json = parseUntrustedJson(bytes.toString('utf8'), 'worker response');
  } catch (error) {
    if (error instanceof RejectError) throw error;
    throw new RejectError('invalid-response', `worker response is not valid JSON: ${(error as Error).message}`);
  }
  return workerResponseFrom(json);
}

/** A parsed worker response (from a file, or built from a post-annotation Lambda's payload), checked. */
export function workerResponseFrom(json: unknown): WorkerResponse {
  if (!isRecord(json) || !Array.isArray(json.answers)) {
    throw new RejectError('invalid-response', 'worker response has no "answers" array');
  }
  const answers = json.answers.map(workerAnswer);
  const kept = lastSubmissionPerWorker(answers);
  return { answers: kept, duplicatesDropped: answers.length - kept.length };
}

function workerAnswer(answer: unknown, index: number): WorkerAnswer {
  if (!isRecord(answer) || typeof answer.workerId !== 'string' || !isRecord(answer.answerContent)) {
    throw new RejectError('invalid-response', `answers[${index}] needs a string "workerId" and an "answerContent" object`);
  }
  const identity = isRecord(answer.workerMetadata) && isRecord(answer.workerMetadata.identityData)
    ? answer.workerMetadata.identityData
    : undefined;
  const sideKeys = Object.entries(answer.answerContent)
    .flatMap(([field, value]) => {
      const side = sideKeysOf(value);
      return side ? [[field, side] as const] : [];
    });
  return {
    workerId: answer.workerId,
    answerContent: answer.answerContent,
    ...(typeof answer.acceptanceTime === 'string' && { acceptanceTime: answer.acceptanceTime }),
    ...(typeof answer.submissionTime === 'string' && { submissionTime: answer.submissionTime }),
    ...(typeof answer.timeSpentInSeconds === 'number' && { timeSpentInSeconds: answer.timeSpentInSeconds }),
    ...(typeof identity?.sub === 'string' && { sub: identity.sub }),
    ...(sideKeys.length > 0 && { sideKeys: Object.fromEntries(sideKeys) }),
  };
}

/** Milliseconds since the epoch, or -Infinity for a missing or unreadable time (so any dated submission wins). */
const submittedAt = ({ submissionTime }: WorkerAnswer): number => {
  const time = submissionTime === undefined ? Number.NaN : Date.parse(submissionTime);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
};

function lastSubmissionPerWorker(answers: readonly WorkerAnswer[]): WorkerAnswer[] {
  const latest = new Map<string, number>();
  answers.forEach((answer, index) => {
    const best = latest.get(answer.workerId);
    if (best === undefined || submittedAt(answer) >= submittedAt(answers[best]!)) latest.set(answer.workerId, index);
  });
  const keep = new Set(latest.values());
  return answers.filter((_, index) => keep.has(index));
}
