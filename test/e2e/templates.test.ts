/**
 * One small job per template family of issue 10, built from the answer shapes the Crowd HTML Elements docs and the
 * task-UI templates produce (`/work/shared/reference/ground-truth-formats.md` §4, `answer-semantics.md`), run through
 * `consolidate()`. Expected values and confidences are worked out by hand from the vote counts in each job.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consolidate, UsageError, type ConsolidateOptions, type Summary } from '../../src/index.js';
import { inspectJob } from '../../src/pipeline/inspect.js';
import { writeJobTree, type JobAnswer, type JobObject } from '../../sample-output/job-tree.js';
import { tempDir } from '../helpers/temp-dir.js';

type Line = Record<string, any>;

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
const answer = (n: number, answerContent: Record<string, unknown>, extra: Partial<JobAnswer> = {}): JobAnswer =>
  ({ workerId: worker(n), answerContent, ...extra });

let root: string;
beforeAll(async () => {
  root = await tempDir();
});

let jobs = 0;
/** Writes `objects` as a job of its own and consolidates it; the lines come back in input order. */
async function run(objects: JobObject[], options: Partial<ConsolidateOptions> = {}): Promise<{ summary: Summary; lines: Line[]; manifest: string }> {
  const dir = path.join(root, `job-${(jobs += 1)}`);
  const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'gt' }, objects);
  const out = path.join(dir, 'out/output.manifest');
  const summary = await consolidate({ manifest, out, ...options });
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  return { summary, lines, manifest };
}

const labelOf = (line: Line) => line.job as Record<string, unknown>;
const consolidationOf = (line: Line, field: string) => line['job-metadata'].consolidation[field] as Record<string, any>;

/** hierarchical-ds, the automatic pick for categorical and boolean fields: a posterior, never certain on a split vote. */
function expectModelConfidence(line: Line, field: string): void {
  const { strategy, confidence } = consolidationOf(line, field);
  expect(strategy).toBe('hierarchical-ds');
  expect(confidence).toBeGreaterThan(0);
  expect(confidence).toBeLessThan(1);
}

describe('radio group across names (side-by-side comparison template)', () => {
  // Each button has its own name and value: every button is present in every answer, the unchosen ones false.
  const pick = (n: number, chosen: 1 | 2) => answer(n, { option1: { 'Option 1': chosen === 1 }, option2: { 'Option 2': chosen === 2 } });
  // Each worker is outvoted twice, once each way, and says each option as often: no worker is more credible than
  // another to a worker-quality model, so the majority stands.
  const votes: (1 | 2)[][] = [[1, 1, 2], [1, 2, 1], [2, 1, 1], [2, 2, 1], [2, 1, 2], [1, 2, 2], [1, 1, 1], [2, 2, 2]];
  const objects: JobObject[] = votes.map((picks, id) => ({ data: { id }, answers: picks.map((chosen, w) => pick(w + 1, chosen)) }));
  const expected = ['Option 1', 'Option 1', 'Option 1', 'Option 2', 'Option 2', 'Option 2', 'Option 1', 'Option 2'];

  it('is one categorical field named after its buttons, valued by the chosen button\'s label', async () => {
    const { summary, lines } = await run(objects);
    expect(Object.keys(summary.fields)).toEqual(['option1|option2']);
    expect(summary.fields['option1|option2']).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical', objects: 8, answers: 24 });
    expect(lines.map(labelOf)).toEqual(expected.map((label) => ({ 'option1|option2': label })));
    expectModelConfidence(lines[0]!, 'option1|option2');
    expect(consolidationOf(lines[0]!, 'option1|option2').answers).toBe(3);
    // Neither button is a field of its own: an unchosen button is not a vote for anything.
    expect(consolidationOf(lines[0]!, 'option1')).toBeUndefined();
  });

  it('gives vote shares under majority vote', async () => {
    const { lines } = await run(objects, { fields: { 'option1|option2': { strategy: 'majority-vote' } } });
    expect(lines.map((line) => labelOf(line)['option1|option2'])).toEqual(expected);
    expect(lines.map((line) => consolidationOf(line, 'option1|option2').confidence)).toEqual([2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 1, 1]);
  });

  it('is named as configured in groups', async () => {
    const { summary, lines } = await run(objects, {
      schema: { groups: { preferred: ['option1', 'option2'] } },
      fields: { preferred: { strategy: 'majority-vote' } },
    });
    expect(Object.keys(summary.fields)).toEqual(['preferred']);
    expect(summary.fields.preferred).toMatchObject({ strategy: 'majority-vote', objects: 8, answers: 24 });
    expect(lines.map(labelOf)).toEqual(expected.map((preferred) => ({ preferred })));
    expect(consolidationOf(lines[0]!, 'preferred')).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 });
  });
});

describe('same-name radio buttons and native <input type=radio>', () => {
  // crowd-radio-buttons sharing the name "choice", and a native radio "size": a boolean map with exactly one true.
  const radio = (n: number, choice: string, size: string) => answer(n, {
    choice: Object.fromEntries(['a', 'b', 'c'].map((key) => [key, key === choice])),
    size: Object.fromEntries(['small', 'medium', 'large'].map((key) => [key, key === size])),
  });
  const objects: JobObject[] = [
    { data: { id: 0 }, answers: [radio(1, 'b', 'large'), radio(2, 'b', 'large'), radio(3, 'a', 'small')] },
    { data: { id: 1 }, answers: [radio(1, 'c', 'medium'), radio(2, 'a', 'small'), radio(3, 'c', 'medium'), radio(4, 'a', 'small')] },
  ];

  it('is a single choice: categorical, decided by vote, written back as the map', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields.choice).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical' });
    expect(summary.fields.size).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical' });
    expect(labelOf(lines[0]!)).toEqual({ choice: { a: false, b: true, c: false }, size: { small: false, medium: false, large: true } });
    expectModelConfidence(lines[0]!, 'choice');
    expectModelConfidence(lines[1]!, 'size');
  });

  it('splits 2-2 as a tie between two options, never an empty set', async () => {
    const { summary, lines } = await run(objects, { fields: { choice: { strategy: 'majority-vote' }, size: { strategy: 'majority-vote', tie: 'none' } } });
    expect(consolidationOf(lines[0]!, 'choice')).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 });
    // 2 a, 2 c: the default tie rule takes the smallest value, a.
    expect(labelOf(lines[1]!).choice).toEqual({ a: true, b: false, c: false });
    expect(consolidationOf(lines[1]!, 'choice')).toMatchObject({ confidence: 0.5, tie: true, answers: 4 });
    expect(labelOf(lines[1]!).size).toBeUndefined();
    expect(consolidationOf(lines[1]!, 'size')).toMatchObject({ resolved: false, tie: true, confidence: 0.5 });
    expect(summary.fields.size).toMatchObject({ ties: 1, unresolved: 1 });
  });
});

describe('Likert radio with numeric values', () => {
  const likert = (n: number, score: number) => answer(n, { clarity: Object.fromEntries([1, 2, 3, 4, 5].map((k) => [String(k), k === score])) });
  const objects: JobObject[] = [
    { data: { id: 0 }, answers: [likert(1, 3), likert(2, 4), likert(3, 5)] },
    { data: { id: 1 }, answers: [likert(1, 2), likert(2, 2), likert(3, 5), likert(4, 5)] },
  ];

  it('is numeric: mean applies, with the confidence of the spread', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields.clarity).toMatchObject({ strategy: 'mean', pickedFor: 'numeric' });
    // 3, 4, 5: mean 4, population sd √(2/3); 2, 2, 5, 5: mean 3.5, sd 1.5.
    expect(labelOf(lines[0]!).clarity).toBe(4);
    expect(labelOf(lines[1]!).clarity).toBe(3.5);
    expect(consolidationOf(lines[0]!, 'clarity').confidence).toBeCloseTo(1 / (1 + Math.sqrt(2 / 3)), 10);
    expect(consolidationOf(lines[1]!, 'clarity').confidence).toBeCloseTo(1 / (1 + 1.5), 10);
  });

  it('takes a scale and the median', async () => {
    const { lines } = await run(objects, { fields: { clarity: { strategy: 'median', scale: [1, 5] } } });
    expect(lines.map((line) => labelOf(line).clarity)).toEqual([4, 3.5]);
    // 1 - sd / ((5 - 1) / 2)
    expect(consolidationOf(lines[1]!, 'clarity').confidence).toBeCloseTo(1 - 1.5 / 2, 10);
  });
});

describe('checkbox and toggle with values', () => {
  // crowd-checkbox name="occluded" value="yes", crowd-toggle-button name="blurry" (no value: "on").
  const marks = (n: number, occluded: boolean, blurry: boolean) => answer(n, { occluded: { yes: occluded }, blurry: { on: blurry } });
  const objects: JobObject[] = [
    { data: { id: 0 }, answers: [marks(1, true, false), marks(2, false, false), marks(3, false, true)] },
    { data: { id: 1 }, answers: [marks(1, false, true), marks(2, false, true), marks(3, false, true)] },
  ];

  it('counts an unticked box as a "no" vote', async () => {
    const { summary, lines } = await run(objects, { fields: { occluded: { strategy: 'majority-vote' }, blurry: { strategy: 'majority-vote' } } });
    expect(labelOf(lines[0]!)).toEqual({ occluded: { yes: false }, blurry: { on: false } });
    expect(consolidationOf(lines[0]!, 'occluded')).toMatchObject({ confidence: 2 / 3, answers: 3 });
    expect(consolidationOf(lines[0]!, 'blurry')).toMatchObject({ confidence: 2 / 3, answers: 3 });
    // Nobody ticked "occluded": three "no" votes, not an object without answers.
    expect(labelOf(lines[1]!)).toEqual({ occluded: { yes: false }, blurry: { on: true } });
    expect(consolidationOf(lines[1]!, 'occluded')).toMatchObject({ confidence: 1, answers: 3 });
    expect(summary.fields.occluded).toMatchObject({ objects: 2, answers: 6, unresolved: 0 });
  });

  it('is boolean for the automatic pick', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields.occluded).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'boolean' });
    expect(summary.fields.blurry).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'boolean' });
    expect(labelOf(lines[0]!).occluded).toEqual({ yes: false });
    expectModelConfidence(lines[0]!, 'occluded');
  });
});

describe('conditional checkboxes', () => {
  // "cracked" is enabled only when "damaged" is ticked: workers who did not tick it have no "cracked" key.
  const objects: JobObject[] = [
    {
      data: { id: 0 },
      answers: [
        answer(1, { damaged: { yes: true }, cracked: { yes: true } }),
        answer(2, { damaged: { yes: true }, cracked: { yes: true } }),
        answer(3, { damaged: { yes: true }, cracked: { yes: false } }),
        answer(4, { damaged: { yes: false } }),
      ],
    },
    {
      data: { id: 1 },
      answers: [answer(1, { damaged: { yes: false } }), answer(2, { damaged: { yes: false } }), answer(3, { damaged: { yes: true }, cracked: { yes: false } })],
    },
  ];

  it('is decided over the workers who answered, and the metadata says how many', async () => {
    const { lines } = await run(objects, { fields: { damaged: { strategy: 'majority-vote' }, cracked: { strategy: 'majority-vote' } } });
    // 2 yes of 3 who answered (not 2 of 4: the fourth worker was not asked).
    expect(labelOf(lines[0]!)).toEqual({ damaged: { yes: true }, cracked: { yes: true } });
    expect(consolidationOf(lines[0]!, 'cracked')).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 });
    expect(consolidationOf(lines[0]!, 'damaged')).toMatchObject({ confidence: 3 / 4, answers: 4 });
    expect(labelOf(lines[1]!)).toEqual({ damaged: { yes: false }, cracked: { yes: false } });
    expect(consolidationOf(lines[1]!, 'cracked')).toMatchObject({ confidence: 1, answers: 1 });
  });

  it('is reported as partial in the job schema', async () => {
    const dir = path.join(root, 'conditional-inspect');
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'gt' }, objects);
    const { schema } = await inspectJob({ manifest });
    const cracked = schema.fields.find(({ name }) => name === 'cracked')!;
    expect(cracked).toMatchObject({ kind: 'boolean', answers: 4, objects: 2, partialObjects: 2, workersPerObject: { min: 1, max: 3 } });
    expect(schema.fields.find(({ name }) => name === 'damaged')).toMatchObject({ kind: 'boolean', partialObjects: 0 });
  });
});

describe('comment box whose first answers are short', () => {
  const objects: JobObject[] = [
    { data: { id: 0 }, answers: [answer(1, { comment: 'Fine.' }), answer(2, { comment: 'Fine.' }), answer(3, { comment: 'OK' })] },
    {
      data: { id: 1 },
      answers: [
        answer(1, { comment: 'The second paragraph contradicts the first one.' }),
        answer(2, { comment: 'Fine.' }),
        answer(3, { comment: 'Too long,\nand the tone is off.' }),
      ],
    },
  ];

  it('is text for the whole job: collected for every object, never voted', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields.comment).toMatchObject({ strategy: 'collect', pickedFor: 'text', objects: 2 });
    expect(labelOf(lines[0]!).comment).toEqual(['Fine.', 'OK']);
    expect(consolidationOf(lines[0]!, 'comment')).toMatchObject({ strategy: 'collect', confidence: 2 / 3, answers: 3 });
    expect(labelOf(lines[1]!).comment).toEqual(['The second paragraph contradicts the first one.', 'Fine.', 'Too long,\nand the tone is off.']);
    expect(consolidationOf(lines[1]!, 'comment')).toMatchObject({ strategy: 'collect', confidence: 1 / 3 });
  });
});

describe('decoded "[]" among unknown shapes', () => {
  // A hidden input filled with JSON.stringify(boxes): one worker drew nothing ("[]"), the others drew boxes.
  const box = { left: 10, top: 20, width: 30, height: 40, label: 'car' };
  const objects: JobObject[] = [
    {
      data: { id: 0 },
      answers: [answer(1, { boxes: '[]', ok: { on: true } }), answer(2, { boxes: JSON.stringify([box]), ok: { on: true } }), answer(3, { boxes: [box], ok: { on: false } })],
    },
    { data: { id: 1 }, answers: [answer(1, { boxes: '[]', ok: { on: true } }), answer(2, { boxes: '[]', ok: { on: true } })] },
  ];

  it('leaves the field undecided and keeps its raw answers', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields.boxes).toBeUndefined();
    for (const line of lines) {
      expect(labelOf(line).boxes).toBeUndefined();
      expect(consolidationOf(line, 'boxes').strategy).toBeNull();
    }
    expect(consolidationOf(lines[0]!, 'boxes').unknownShape).toEqual(expect.arrayContaining([JSON.stringify([box]), [box]]));
    // The other field of the object is decided as usual, and the object's confidence is that field's.
    expect(labelOf(lines[0]!).ok).toEqual({ on: true });
    expect(lines[0]!['job-metadata'].confidence).toBe(consolidationOf(lines[0]!, 'ok').confidence);
    expect(summary.unknownShapes.boxes).toBeGreaterThanOrEqual(2);
  });

  it('keeps "[]" answers too: nothing a worker submitted is dropped', async () => {
    const { lines } = await run(objects);
    const isEmptyList = (raw: unknown) => raw === '[]' || (Array.isArray(raw) && raw.length === 0);
    const first = consolidationOf(lines[0]!, 'boxes');
    expect(first).toMatchObject({ strategy: null, answers: 0, ignored: 1 });
    expect(first.unknownShape).toHaveLength(3);
    expect(first.unknownShape.filter(isEmptyList)).toHaveLength(1);
    // Object 1 has only "[]" answers, yet the field is unknown for the whole job: not "decided" as an empty list.
    const second = consolidationOf(lines[1]!, 'boxes');
    expect(second).toMatchObject({ strategy: null, answers: 0, ignored: 2 });
    expect(second.unknownShape).toHaveLength(2);
    expect(second.unknownShape.every(isEmptyList)).toBe(true);
  });

  it('is decided by a configured strategy only if it accepts the known answers, and refused otherwise', async () => {
    await expect(run(objects, { fields: { boxes: { strategy: 'majority-vote' } } })).rejects.toThrow(/fields\.boxes: strategy "majority-vote"/);
  });
});

describe('dynamic keys', () => {
  // translation{{ forloop.index }}: one key per row, rows differ per object.
  const translations = (n: number, rows: string[]) => answer(n, Object.fromEntries(rows.map((text, i) => [`translation${i + 1}`, text])));
  const perRow: JobObject[] = [
    { data: { id: 0 }, answers: [translations(1, ['Bonjour', 'Merci']), translations(2, ['Bonjour', 'Merci']), translations(3, ['Salut', 'Merci'])] },
    { data: { id: 1 }, answers: [translations(1, ['Oui', 'Non', 'Peut-être']), translations(2, ['Oui', 'Non', 'Jamais']), translations(3, ['Si', 'Non', 'Jamais'])] },
  ];
  const keyPatterns = [{ pattern: '^translation(\\d+)$', field: 'translation' }];

  it('maps per-row keys onto one field per row', async () => {
    const { summary, lines } = await run(perRow, { schema: { keyPatterns }, fields: { translation: { strategy: 'majority-vote' } } });
    expect(Object.keys(summary.fields).sort()).toEqual(['translation[1]', 'translation[2]', 'translation[3]']);
    expect(labelOf(lines[0]!)).toEqual({ 'translation[1]': 'Bonjour', 'translation[2]': 'Merci' });
    expect(labelOf(lines[1]!)).toEqual({ 'translation[1]': 'Oui', 'translation[2]': 'Non', 'translation[3]': 'Jamais' });
    expect(consolidationOf(lines[0]!, 'translation[1]')).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 });
    expect(consolidationOf(lines[0]!, 'translation[2]')).toMatchObject({ confidence: 1, answers: 3 });
    expect(consolidationOf(lines[1]!, 'translation[3]')).toMatchObject({ confidence: 2 / 3 });
    expect(summary.fields['translation[3]']).toMatchObject({ objects: 1, answers: 3 });
  });

  it('picks a strategy per row without configuration', async () => {
    const { summary, lines } = await run(perRow, { schema: { keyPatterns } });
    expect(summary.fields['translation[1]']).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical' });
    expect(labelOf(lines[0]!)['translation[1]']).toBe('Bonjour');
    expectModelConfidence(lines[0]!, 'translation[1]');
  });

  // ocr-${Date.now().toString(16)}-<4 digits>-correct: the same question gets another key for every worker.
  const ocrKey = (worker: number, row: number) => `ocr-${(0x18c3f9a2b1d + worker * 7919).toString(16)}-${String(row).padStart(4, '0')}-correct`;
  const ocr = (n: number, rows: boolean[]) => answer(n, Object.fromEntries(rows.map((on, i) => [ocrKey(n, i + 1), { on }])));
  const perWorker: JobObject[] = [
    { data: { id: 0 }, answers: [ocr(1, [true, false]), ocr(2, [true, true]), ocr(3, [false, true])] },
    { data: { id: 1 }, answers: [ocr(1, [true, true]), ocr(2, [true, true]), ocr(3, [true, false])] },
  ];

  it('reports per-worker keys as one pattern, with a keyPatterns entry that consolidates them', async () => {
    const dir = path.join(root, 'per-worker');
    const manifest = await writeJobTree({ root: dir, jobName: 'job', bucket: 'bucket', prefix: 'gt' }, perWorker);
    const { schema } = await inspectJob({ manifest });
    expect(schema.patterns).toHaveLength(1);
    const [pattern] = schema.patterns;
    expect(pattern).toMatchObject({ pattern: 'ocr-<id>-<n>-correct', perWorker: true, keys: 6, answers: 12 });
    expect(pattern!.exampleKeys.every((key) => /^ocr-[0-9a-f]+-\d{4}-correct$/.test(key))).toBe(true);
    const suggested = new RegExp(pattern!.suggestion.pattern);
    expect(suggested.exec(ocrKey(5, 12))?.[1]).toBe('0012');

    const { summary, lines } = await run(perWorker, { schema: { keyPatterns: [pattern!.suggestion] }, fields: { [pattern!.suggestion.field]: { strategy: 'majority-vote' } } });
    const row = (n: number) => `${pattern!.suggestion.field}[000${n}]`;
    expect(Object.keys(summary.fields).sort()).toEqual([row(1), row(2)]);
    // Row 1: on, on, off → on (2/3); row 2: off, on, on → on (2/3); object 1: on ×3 (1), on, on, off (2/3).
    expect(labelOf(lines[0]!)).toEqual({ [row(1)]: { on: true }, [row(2)]: { on: true } });
    expect(consolidationOf(lines[0]!, row(1))).toMatchObject({ confidence: 2 / 3, answers: 3 });
    expect(consolidationOf(lines[1]!, row(1))).toMatchObject({ confidence: 1, answers: 3 });
    expect(consolidationOf(lines[1]!, row(2))).toMatchObject({ confidence: 2 / 3, answers: 3 });
  });
});

describe('duplicate workerIds in one response file', () => {
  const sentiment = (n: number, label: string, submissionTime: string) => answer(n, { sentiment: { label } }, { submissionTime });
  const objects: JobObject[] = [
    {
      data: { id: 0 },
      answers: [
        // Worker 1 three times, the last submission first in the file: only "positive" (10:05) counts.
        sentiment(1, 'positive', '2025-03-08T10:05:00.000Z'),
        sentiment(1, 'negative', '2025-03-08T10:00:00.000Z'),
        sentiment(1, 'negative', '2025-03-08T09:00:00.000Z'),
        sentiment(2, 'positive', '2025-03-08T10:01:00.000Z'),
        sentiment(3, 'negative', '2025-03-08T10:02:00.000Z'),
      ],
    },
  ];

  it('counts one answer per worker, the last by submissionTime, and the summary counts the rest', async () => {
    const { summary, lines } = await run(objects, { fields: { sentiment: { strategy: 'majority-vote' } } });
    expect(labelOf(lines[0]!)).toEqual({ sentiment: { label: 'positive' } });
    expect(consolidationOf(lines[0]!, 'sentiment')).toMatchObject({ confidence: 2 / 3, answers: 3 });
    expect(summary.duplicateAnswers).toBe(2);
    expect(summary.answers).toBe(3);
    expect(summary.workers).toBe(3);
  });
});

describe('workerComment beside a crowd-image-classifier answer', () => {
  const objects: JobObject[] = [
    {
      data: { 'source-ref': 's3://bucket/images/1.jpg' },
      answers: [
        answer(1, { 'crowd-image-classifier': { label: 'cat', workerComment: 'Blurry, but the ears give it away.' } }),
        answer(2, { 'crowd-image-classifier': { label: 'cat' } }),
        answer(3, { 'crowd-image-classifier': { label: 'dog', workerComment: 'Looks like a small dog to me' } }),
      ],
    },
  ];

  it('decides the label and keeps every comment in the metadata', async () => {
    const { summary, lines } = await run(objects, { fields: { 'crowd-image-classifier': { strategy: 'majority-vote' } } });
    expect(labelOf(lines[0]!)).toEqual({ 'crowd-image-classifier': { label: 'cat' } });
    const field = consolidationOf(lines[0]!, 'crowd-image-classifier');
    expect(field).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3, answers: 3 });
    expect(field.sideKeys).toEqual({
      workerComment: [
        { workerId: worker(1), value: 'Blurry, but the ears give it away.' },
        { workerId: worker(3), value: 'Looks like a small dog to me' },
      ],
    });
    expect(summary.unknownShapes).toEqual({});
  });

  it('is categorical for the automatic pick, the comment not being part of the answer', async () => {
    const { summary, lines } = await run(objects);
    expect(summary.fields['crowd-image-classifier']).toMatchObject({ strategy: 'hierarchical-ds', pickedFor: 'categorical' });
    expectModelConfidence(lines[0]!, 'crowd-image-classifier');
    expect(consolidationOf(lines[0]!, 'crowd-image-classifier').sideKeys.workerComment).toHaveLength(2);
  });
});

describe('fields given to consolidate() as in a configuration file', () => {
  const objects: JobObject[] = [{ data: { id: 0 }, answers: [answer(1, { sentiment: { label: 'a' } }), answer(2, { sentiment: { label: 'b' } }), answer(3, { sentiment: { label: 'b' } })] }];

  it('take a strategy name alone, and refuse a setting without one with a usage error naming the field', async () => {
    // JavaScript callers (and YAML read by hand) pass the shorthand the configuration file accepts.
    const { lines } = await run(objects, { fields: { sentiment: 'majority-vote' } as never });
    expect(consolidationOf(lines[0]!, 'sentiment')).toMatchObject({ strategy: 'majority-vote', confidence: 2 / 3 });
    const refused = run(objects, { fields: { sentiment: { tie: 'none' } } as never });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(/fields\.sentiment: expected a strategy name/);
  });
});
