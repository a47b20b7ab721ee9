/** Parses a worker-response file: `{"answers": [{workerId, answerContent, acceptanceTime?, …}]}` (0..9 answers). */
import { RejectError } from '../errors.js';
import { parseUntrustedJson } from './safe-json.js';

export interface WorkerAnswer {
  workerId: string;
  answerContent: Record<string, unknown>;
  acceptanceTime?: string;
  submissionTime?: string;
  timeSpentInSeconds?: number;
  /** `workerMetadata.identityData.sub`: the Cognito/OIDC user id of a private-workforce worker. */
  sub?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseWorkerResponse(bytes: Buffer): WorkerAnswer[] {
  let json: unknown;
  try {
    json = parseUntrustedJson(bytes.toString('utf8'), 'worker response');
  } catch (error) {
    if (error instanceof RejectError) throw error;
    throw new RejectError('invalid-response', `worker response is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json) || !Array.isArray(json.answers)) {
    throw new RejectError('invalid-response', 'worker response has no "answers" array');
  }
  return json.answers.map((answer, index) => {
    if (!isObject(answer) || typeof answer.workerId !== 'string' || !isObject(answer.answerContent)) {
      throw new RejectError('invalid-response', `answers[${index}] needs a string "workerId" and an "answerContent" object`);
    }
    const identity = isObject(answer.workerMetadata) && isObject(answer.workerMetadata.identityData)
      ? answer.workerMetadata.identityData
      : undefined;
    return {
      workerId: answer.workerId,
      answerContent: answer.answerContent,
      ...(typeof answer.acceptanceTime === 'string' && { acceptanceTime: answer.acceptanceTime }),
      ...(typeof answer.submissionTime === 'string' && { submissionTime: answer.submissionTime }),
      ...(typeof answer.timeSpentInSeconds === 'number' && { timeSpentInSeconds: answer.timeSpentInSeconds }),
      ...(typeof identity?.sub === 'string' && { sub: identity.sub }),
    };
  });
}
