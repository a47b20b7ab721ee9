import { describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { readWorkerResponse } from '../../src/responses/worker-response.js';

const file = (answers: unknown[]) => Buffer.from(JSON.stringify({ answers }));
const submission = (workerId: string, label: string, submissionTime?: string) =>
  ({ workerId, answerContent: { sentiment: { label } }, ...(submissionTime && { submissionTime }) });
const labelsOf = (bytes: Buffer) =>
  readWorkerResponse(bytes).answers.map(({ workerId, answerContent }) => `${workerId}:${(answerContent.sentiment as { label: string }).label}`);

describe('readWorkerResponse: one worker, one answer', () => {
  it('keeps the last submission by submissionTime and counts the dropped ones', () => {
    const bytes = file([
      submission('w1', 'late', '2024-01-01T10:05:00.000Z'),
      submission('w2', 'only', '2024-01-01T10:00:00.000Z'),
      submission('w1', 'early', '2024-01-01T10:01:00.000Z'),
      submission('w1', 'middle', '2024-01-01T10:03:00.000Z'),
    ]);
    expect(labelsOf(bytes)).toEqual(['w1:late', 'w2:only']);
    expect(readWorkerResponse(bytes).duplicatesDropped).toBe(2);
  });

  it('breaks equal times, and missing times, towards the later one in the file', () => {
    expect(labelsOf(file([
      submission('w1', 'first', '2024-01-01T10:00:00Z'),
      submission('w1', 'second', '2024-01-01T10:00:00Z'),
    ]))).toEqual(['w1:second']);
    expect(labelsOf(file([submission('w1', 'first'), submission('w1', 'second')]))).toEqual(['w1:second']);
    // A dated submission beats an undated one wherever it sits.
    expect(labelsOf(file([submission('w1', 'dated', '2024-01-01T10:00:00Z'), submission('w1', 'undated')])))
      .toEqual(['w1:dated']);
  });

  it('drops nothing when every worker answered once', () => {
    const response = readWorkerResponse(file([submission('w1', 'a'), submission('w2', 'b')]));
    expect(response.duplicatesDropped).toBe(0);
    expect(response.answers).toHaveLength(2);
  });

});

describe('readWorkerResponse: nothing silently dropped', () => {
  it('keeps crowd-image-classifier workerComment as a side key of its field', () => {
    const [answer] = readWorkerResponse(file([{
      workerId: 'w1',
      answerContent: { 'crowd-image-classifier': { label: 'cat', workerComment: 'blurry, could be a fox' }, notes: 'ok' },
    }])).answers;
    expect(answer!.sideKeys).toEqual({ 'crowd-image-classifier': { workerComment: 'blurry, could be a fox' } });
    expect(answer!.answerContent['crowd-image-classifier']).toEqual({ label: 'cat', workerComment: 'blurry, could be a fox' });
  });

  it('has no sideKeys when there are none', () => {
    expect(readWorkerResponse(file([submission('w1', 'a')])).answers[0]).not.toHaveProperty('sideKeys');
  });

  it('keeps the envelope fields', () => {
    const [answer] = readWorkerResponse(file([{
      ...submission('w1', 'a', '2024-01-01T10:00:00Z'), acceptanceTime: '2024-01-01T09:59:00Z', timeSpentInSeconds: 12.5,
      workerMetadata: { identityData: { sub: 'aaaa-bbbb' } },
    }])).answers;
    expect(answer).toMatchObject({ acceptanceTime: '2024-01-01T09:59:00Z', timeSpentInSeconds: 12.5, sub: 'aaaa-bbbb' });
  });
});

describe('readWorkerResponse: malformed files are rejected', () => {
  it.each([
    ['not JSON', Buffer.from('{')],
    ['no answers array', Buffer.from('{"answer": []}')],
    ['an answer without workerId', file([{ answerContent: {} }])],
    ['an answer without answerContent', file([{ workerId: 'w1' }])],
  ])('%s', (_name, bytes) => {
    expect(() => readWorkerResponse(bytes)).toThrow(RejectError);
  });
});

describe('worker responses that decoding would change', () => {
  it('rejects invalid UTF-8 instead of reading U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from('{"answers":[{"workerId":"w","answerContent":{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}]}')]);
    expect(() => readWorkerResponse(bytes)).toThrow(/not valid UTF-8/);
  });
});
