/**
 * Synthetic Ground Truth jobs for the benchmarks, defined per object index so that any number of objects can be served
 * (by `synthetic-s3-server.ts`) or written (for mirror mode) without holding the job in memory. Each object has 3–5
 * answers of mixed shapes: a classifier, a slider, a checkbox group, and sometimes a comment.
 */
const labels = ['positive', 'negative', 'neutral'] as const;

export const jobName = 'bench';
export const bucket = 'bench';
export const prefix = 'out';

export const responseKey = (index: number) => `${prefix}/${jobName}/annotations/worker-response/iteration-1/${index}/2025-03-08_00:00:00.json`;
export const manifestKey = `${prefix}/${jobName}/manifests/output/output.manifest`;

export function manifestLine(index: number): string {
  return JSON.stringify({
    source: `Synthetic object ${index}: a short customer message to label.`,
    [jobName]: {},
    [`${jobName}-metadata`]: {
      'job-name': jobName,
      type: 'groundtruth/custom',
      'human-annotated': 'yes',
      'creation-date': '2025-03-08T00:00:00.000000',
      'worker-response-ref': `s3://${bucket}/${responseKey(index)}`,
    },
  });
}

export function workerResponse(index: number): string {
  return JSON.stringify({
    answers: Array.from({ length: 3 + (index % 3) }, (_, w) => ({
      workerId: `private.us-east-1.${((index * 7 + w) % 40).toString(16).padStart(16, '0')}`,
      acceptanceTime: '2025-03-08T13:24:54.282Z',
      submissionTime: '2025-03-08T13:26:50.009Z',
      timeSpentInSeconds: 115.727,
      answerContent: {
        sentiment: { label: labels[(index + (w === 2 ? 1 : 0)) % 3] },
        accuracy: 1 + ((index + w) % 5),
        issues: { grammar: w % 2 === 0, factual: index % 4 === 0, other: false },
        ...(w === 0 && { comment: 'The response misses one detail of the message.' }),
      },
    })),
  });
}
