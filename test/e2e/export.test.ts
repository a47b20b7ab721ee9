/**
 * `exportPreferences` end to end on a small crowd-text-ranking job (3 responses per prompt, two unnamed ranking
 * dimensions named through `preferences.dimensionNames`). Every expected count below is worked out by hand from the
 * rankings, with the default preference strategy (Borda: 1 point per response judged worse, ½ per tie, averaged).
 * A pair format holds one dimension, so those are exported once per dimension; `lossless` holds both.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { EmptyExportError, exportPreferences, type ExportOptions, type ExportStats } from '../../src/export/export.js';
import type { ExportFormat } from '../../src/export/formats.js';
import { pairPolicies, type PairPolicy } from '../../src/export/pairs.js';
import { writeJobTree, type JobAnswer, type JobObject } from '../../sample-output/job-tree.js';
import { bin, cli } from '../helpers/cli.js';
import { ktoProblems, losslessProblems, novaProblems, openaiProblems, trlProblems } from '../helpers/rlhf-validators.js';
import { tempDir } from '../helpers/temp-dir.js';

const validators: Record<ExportFormat, (row: unknown) => string[]> = {
  trl: (row) => trlProblems(row, { withScores: true }),
  'trl-kto': ktoProblems,
  openai: openaiProblems,
  nova: novaProblems,
  lossless: losslessProblems,
};

/* ---- the job ---- */

const worker = (n: number) => `private.us-east-1.${n.toString(16).padStart(16, '0')}`;
/** One annotator's answer: ranks per dimension (Clarity, Inclusivity), unnamed as in AWS's notebook. */
const ranking = (n: number, clarity: number[], inclusivity: number[], extra: Record<string, unknown> = {}): JobAnswer => ({
  workerId: worker(n),
  answerContent: { ordinalRankingDimensions: [{ responseRankings: clarity }, { responseRankings: inclusivity }], ...extra },
});

const comment = 'The second response rambles a bit.';
const conversation = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'What is 2+2?' }];
const responses = {
  0: ['Plants turn light into sugar.', 'Light, water and CO2 become glucose and oxygen.', 'It is a plant thing.'],
  // 0 and 2 are the same text up to white space.
  1: ['Same answer.', 'A different reply.', '  Same   answer. '],
  2: ['4', 'Four.', 'It is 4.'],
  3: ['Red.', 'Blue.', 'Green.'],
};
const prompts = { 0: 'Explain photosynthesis.', 1: 'Say something.', 3: 'Name a colour.' };

const objects: JobObject[] = [
  {
    // Clarity: ranks (1,2,3), (1,1,3), (2,1,3) → Borda (1.5, 1.5, 0): 0 and 1 tie.
    // Inclusivity: (1,2,3), (1,2,3), (1,3,2) → (2, 2/3, 1/3).
    data: { source: prompts[0], responses: responses[0] },
    answers: [ranking(1, [1, 2, 3], [1, 2, 3], { comment }), ranking(2, [1, 1, 3], [1, 2, 3]), ranking(3, [2, 1, 3], [1, 3, 2])],
  },
  {
    // Clarity: unanimous (1,2,3) → (2, 1, 0): best-vs-worst is the identical pair (0, 2).
    // Inclusivity: (2,1,3), (2,1,3), (1,2,3) → (4/3, 5/3, 0).
    data: { source: prompts[1], responses: responses[1] },
    answers: [ranking(1, [1, 2, 3], [2, 1, 3]), ranking(2, [1, 2, 3], [2, 1, 3]), ranking(3, [1, 2, 3], [1, 2, 3])],
  },
  {
    // A conversation. Clarity: (1,2,3), (1,3,2), (3,1,2) → (4/3, 1, 2/3), every pair 2–1.
    // Inclusivity: (1,2,3), (1,2,3), (1,1,3) → (11/6, 7/6, 0), annotator 3 ties 0 and 1.
    data: { source: conversation, responses: responses[2] },
    answers: [ranking(1, [1, 2, 3], [1, 2, 3]), ranking(2, [1, 3, 2], [1, 2, 3]), ranking(3, [3, 1, 2], [1, 1, 3])],
  },
  {
    // One annotator, under the element name. Clarity (2,1,3) → (1, 2, 0); Inclusivity (1,1,2) → (1.5, 1.5, 0).
    data: { source: prompts[3], responses: responses[3] },
    answers: [{
      workerId: worker(4),
      answerContent: { textRanking: { ordinalRankingDimensions: [{ responseRankings: [2, 1, 3] }, { responseRankings: [1, 1, 2] }] } },
    }],
  },
];

/** Kept pairs and drops per policy (ties dropped), worked out from the aggregates above. */
const expectedByPolicy: Record<PairPolicy, { pairs: number; dropped: Record<string, number> }> = {
  'best-vs-worst': { pairs: 7, dropped: { identical: 1 } },
  'best-vs-others': { pairs: 13, dropped: { tie: 2, identical: 1 } },
  // Object 1's Clarity orders 'Same answer.' first and last: (0, 1) and (1, 2) contradict each other.
  'all-pairs': { pairs: 18, dropped: { tie: 2, identical: 2, contradiction: 2 } },
  adjacent: { pairs: 11, dropped: { tie: 2, identical: 1, contradiction: 2 } },
};

const readJsonLines = async (file: string) =>
  (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);

let dir: string;
let manifest: string;

beforeAll(async () => {
  dir = await tempDir();
  manifest = await writeJobTree({ root: dir, jobName: 'ranking-job', bucket: 'bucket', prefix: 'out' }, objects);
});

let runs = 0;
async function run(options: Partial<ExportOptions> & { format: ExportFormat }) {
  runs += 1;
  const out = path.join(dir, `${options.format}-${runs}.jsonl`);
  const stats = await exportPreferences({ manifest, out, preferences: { dimensionNames: ['Clarity', 'Inclusivity'] }, ...options });
  const rows = await readJsonLines(out);
  const sidecar = JSON.parse(await readFile(path.join(dir, `${options.format}-${runs}.stats.json`), 'utf8')) as ExportStats;
  return { stats, rows, sidecar };
}

/** chosen and rejected texts of a TRL row (strings or single assistant messages). */
const texts = (row: Record<string, any>): [string, string] =>
  typeof row.prompt === 'string' ? [row.chosen, row.rejected] : [row.chosen[0].content, row.rejected[0].content];

type PairFormat = Exclude<ExportFormat, 'lossless'>;

/** A pair format's export of each dimension, Clarity then Inclusivity, each to its own file. */
const runEachDimension = async (options: Partial<ExportOptions> & { format: PairFormat }) =>
  [await run({ ...options, dimensions: ['Clarity'] }), await run({ ...options, dimensions: ['Inclusivity'] })] as const;

/** Both dimensions' exports together: their rows one after the other, their counts added up. */
function together(runs: readonly Awaited<ReturnType<typeof run>>[]) {
  const dropped: Record<string, number> = {};
  for (const { stats } of runs) for (const [reason, count] of Object.entries(stats.dropped)) dropped[reason] = (dropped[reason] ?? 0) + count;
  return { rows: runs.flatMap(({ rows }) => rows), pairsWritten: runs.reduce((sum, { stats }) => sum + stats.pairsWritten, 0), dropped };
}

/**
 * A row's verdict: `better` over `worse` for `prompt`, texts whitespace-normalised. A KTO row is its completion over
 * nothing (`true`) or nothing over it (`false`), so a completion labelled both ways contradicts itself like a swapped pair.
 */
function verdictOf(format: PairFormat, row: Record<string, any>): { prompt: string; better: string; worse: string } {
  const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
  const verdict = (prompt: unknown, better: string, worse: string) => ({ prompt: JSON.stringify(prompt), better: normalise(better), worse: normalise(worse) });
  switch (format) {
    case 'trl':
      return verdict(row.prompt, ...texts(row));
    case 'trl-kto': {
      const completion = typeof row.completion === 'string' ? row.completion : row.completion[0].content;
      return row.label ? verdict(row.prompt, completion, '') : verdict(row.prompt, '', completion);
    }
    case 'openai':
      return verdict(row.input.messages, row.preferred_output[0].content, row.non_preferred_output[0].content);
    case 'nova': {
      const candidates = row.messages.at(-1).candidates as { content: { text: string }[]; preferenceLabel: string }[];
      const text = (label: string) => candidates.find((c) => c.preferenceLabel === label)!.content[0]!.text;
      return verdict([row.system, row.messages.slice(0, -1)], text('preferred'), text('non-preferred'));
    }
  }
}

/** Rows of one prompt whose verdicts are swapped: the contradictions a file must never hold. */
function swappedPairs(format: PairFormat, rows: Record<string, any>[]): string[] {
  const key = (prompt: string, better: string, worse: string) => JSON.stringify([prompt, better, worse]);
  const verdicts = new Set(rows.map((row) => {
    const { prompt, better, worse } = verdictOf(format, row);
    return key(prompt, better, worse);
  }));
  return rows.flatMap((row) => {
    const { prompt, better, worse } = verdictOf(format, row);
    return verdicts.has(key(prompt, worse, better)) ? [key(prompt, better, worse)] : [];
  });
}

describe('export: every format and pair policy', () => {
  for (const format of ['trl', 'trl-kto', 'openai', 'nova', 'lossless'] as const) {
    for (const policy of pairPolicies) {
      it(`${format} × ${policy}: every row valid, counts as worked out, no swapped pair in a file`, async () => {
        const runs = format === 'lossless' ? [await run({ format, pairs: policy })] : await runEachDimension({ format, pairs: policy });
        for (const { stats, rows, sidecar } of runs) {
          for (const row of rows) expect(validators[format](row), JSON.stringify(row)).toEqual([]);
          expect(sidecar).toEqual(JSON.parse(JSON.stringify(stats)));
          expect(stats.format).toBe(format);
          expect(stats.policy).toEqual({ pairs: policy, minAgreement: 0, minMargin: 0, minVotes: 1, ties: 'drop' });
          expect(stats.rowsWritten).toBe(rows.length);
          expect(Object.keys(stats.dimensions)).toHaveLength(format === 'lossless' ? 2 : 1);
          if (format === 'trl' || format === 'openai' || format === 'nova') expect(rows).toHaveLength(stats.pairsWritten);
          if (format === 'trl') for (const row of rows) expect(texts(row)[0]).not.toBe(texts(row)[1]);
          if (format !== 'lossless') expect(swappedPairs(format, rows)).toEqual([]);
          expect(stats.run.lines).toMatchObject({ read: 4, consolidated: 4, rejected: 0 });
        }
        const { pairsWritten, dropped: { 'kto-conflict': _, ...dropped } } = together(runs);
        expect(pairsWritten).toBe(expectedByPolicy[policy].pairs);
        expect(dropped).toEqual(expectedByPolicy[policy].dropped);
        if (format === 'lossless') expect(runs[0]!.rows).toHaveLength(8);
      });
    }
  }

  it('the two dimensions disagree: both in one file would hold swapped pairs', async () => {
    // Object 3: Clarity ranks Blue over Red; Inclusivity ties them, kept as Red over Blue (response order).
    const { rows } = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', ties: 'keep' }));
    expect(swappedPairs('trl', rows)).toEqual([
      JSON.stringify([JSON.stringify(prompts[3]), 'Blue.', 'Red.']),
      JSON.stringify([JSON.stringify(prompts[3]), 'Red.', 'Blue.']),
    ]);
  });
});

describe('export: trl, best-vs-worst (the defaults)', () => {
  let clarity: Awaited<ReturnType<typeof run>>;
  let inclusivity: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    [clarity, inclusivity] = await runEachDimension({ format: 'trl' });
  });

  it('writes one row per kept pair of the dimension, in input order, with margin and scores', () => {
    const close = (x: number) => expect.closeTo(x, 12);
    const assistant = (content: string) => [{ role: 'assistant', content }];
    expect(clarity.rows).toEqual([
      { prompt: prompts[0], chosen: responses[0][0], rejected: responses[0][2], margin: close(1.5), score_chosen: close(1.5), score_rejected: close(0) },
      // Object 1's pair is the identical one: dropped. The conversation keeps its system message in a TRL prompt.
      { prompt: conversation, chosen: assistant('4'), rejected: assistant('It is 4.'), margin: close(2 / 3), score_chosen: close(4 / 3), score_rejected: close(2 / 3) },
      { prompt: prompts[3], chosen: responses[3][1], rejected: responses[3][2], margin: close(2), score_chosen: close(2), score_rejected: close(0) },
    ]);
    expect(inclusivity.rows).toEqual([
      { prompt: prompts[0], chosen: responses[0][0], rejected: responses[0][2], margin: close(5 / 3), score_chosen: close(2), score_rejected: close(1 / 3) },
      { prompt: prompts[1], chosen: responses[1][1], rejected: responses[1][2], margin: close(5 / 3), score_chosen: close(5 / 3), score_rejected: close(0) },
      { prompt: conversation, chosen: assistant('4'), rejected: assistant('It is 4.'), margin: close(11 / 6), score_chosen: close(11 / 6), score_rejected: close(0) },
      { prompt: prompts[3], chosen: responses[3][0], rejected: responses[3][2], margin: close(1.5), score_chosen: close(1.5), score_rejected: close(0) },
    ]);
  });

  it('writes the stats sidecar beside the dataset, counting its dimension only', () => {
    expect(clarity.stats).toMatchObject({ rowsWritten: 3, pairsWritten: 3, dropped: { identical: 1 } });
    expect(clarity.stats.dimensions).toEqual({ Clarity: { objects: 4, pairs: 3, dropped: { identical: 1 } } });
    expect(inclusivity.stats).toMatchObject({ rowsWritten: 4, pairsWritten: 4, dropped: {} });
    expect(inclusivity.stats.dimensions).toEqual({ Inclusivity: { objects: 4, pairs: 4, dropped: {} } });
  });

  it('reports agreement with and without ties over every pair the aggregates order', () => {
    // Per object (agreeing, disagreeing, judgments). Clarity: (6,0,6), (9,0,9), (6,3,9), (3,0,3).
    // Inclusivity: (8,1,9), (8,1,9), (8,0,9) with one tied judgment, (2,0,2).
    expect(clarity.stats.agreement).toMatchObject({ judgments: 27, ties: 0 });
    expect(clarity.stats.agreement.withoutTies).toBeCloseTo(24 / 27, 12);
    expect(clarity.stats.agreement.withTies).toBeCloseTo(24 / 27, 12);
    const { agreement } = inclusivity.stats;
    expect(agreement).toMatchObject({ judgments: 29, ties: 1 });
    expect(agreement.withoutTies).toBeCloseTo(26 / 28, 12);
    expect(agreement.withTies).toBeCloseTo(26 / 29, 12);
  });

  it('consolidated the named preference dimensions with Borda, picked for preference answers', () => {
    const { fields } = clarity.stats.run;
    expect(fields.Clarity).toMatchObject({ strategy: 'borda', pickedFor: 'preference', objects: 4, answers: 10, unresolved: 0 });
    expect(fields.Inclusivity).toMatchObject({ strategy: 'borda', pickedFor: 'preference', objects: 4, answers: 10, unresolved: 0 });
    expect(Object.keys(fields)).not.toContain('ordinalRankingDimensions');
    expect(Object.keys(fields)).not.toContain('textRanking');
    expect(Object.keys(fields)).not.toContain('dimension-1');
  });

  it('without dimension names the dimensions are dimension-1 and dimension-2', async () => {
    const stats = await exportPreferences({ manifest, out: path.join(dir, 'unnamed.jsonl'), format: 'lossless' });
    expect(Object.keys(stats.dimensions)).toEqual(['dimension-1', 'dimension-2']);
    expect(stats.pairsWritten).toBe(7);
  });
});

describe('export: one dimension per pair file', () => {
  for (const format of ['trl', 'trl-kto', 'openai', 'nova'] as const) {
    it(`${format} without --dimension refuses the two-dimension job, naming its dimensions; nothing is published`, async () => {
      const out = path.join(dir, `both-${format}.jsonl`);
      const refused = exportPreferences({ manifest, out, format, preferences: { dimensionNames: ['Clarity', 'Inclusivity'] } });
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(
        `the job has several preference dimensions (Clarity, Inclusivity) and a ${format} file holds one: ` +
        'pass --dimension with one of them (an export each), or --format lossless for every dimension in one file');
      expect(await readdir(dir)).not.toContain(`both-${format}.jsonl`);
      expect(await readdir(dir)).not.toContain(`both-${format}.stats.json`);
    });
  }

  it('two dimensions named for a pair format are refused before the job is read', async () => {
    const refused = exportPreferences({ manifest: path.join(dir, 'no-such.manifest'), out: path.join(dir, 'two.jsonl'), format: 'trl', dimensions: ['Clarity', 'Inclusivity'] });
    await expect(refused).rejects.toThrow('a trl file holds one preference dimension and --dimension names Clarity, Inclusivity');
  });

  it('lossless takes several dimensions in one file, each line naming its own', async () => {
    const { stats, rows } = await run({ format: 'lossless', dimensions: ['Clarity', 'Inclusivity'] });
    expect(new Set(rows.map((row) => row.dimension))).toEqual(new Set(['Clarity', 'Inclusivity']));
    expect(stats.rowsWritten).toBe(8);
  });

  it('a dimension the job does not have exits 2 naming the ones it has, with a did-you-mean when one is close', async () => {
    const options = { manifest, out: path.join(dir, 'typo.jsonl'), format: 'trl', preferences: { dimensionNames: ['Clarity', 'Inclusivity'] } } as const;
    await expect(exportPreferences({ ...options, dimensions: ['clarty'] })).rejects.toThrow(
      '--dimension clarty: the job has no such dimension; its preference dimensions are Clarity, Inclusivity (did you mean Clarity?)');
    const far = exportPreferences({ ...options, dimensions: ['Safety'] });
    await expect(far).rejects.toThrow(UsageError);
    await expect(far).rejects.toThrow(/^--dimension Safety: the job has no such dimension; its preference dimensions are Clarity, Inclusivity$/);
    expect(await readdir(dir)).not.toContain('typo.jsonl');
  });
});

describe('export: 0 rows fails with the reason, and publishes nothing', () => {
  it('every pair dropped: the message counts the drops; the error carries the stats', async () => {
    // No pair has 4 annotators: the job has 3 per object, 1 for the last.
    const error = await exportPreferences({
      manifest, out: path.join(dir, 'strict.jsonl'), format: 'trl', dimensions: ['Inclusivity'], minVotes: 4,
      preferences: { dimensionNames: ['Clarity', 'Inclusivity'] },
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EmptyExportError);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('0 rows written to a trl file: every pair dropped (too-few-votes 4)');
    expect((error as EmptyExportError).stats).toMatchObject({ rowsWritten: 0, pairsWritten: 0, dropped: { 'too-few-votes': 4 } });
    expect((await readdir(dir)).filter((file) => file.startsWith('strict.'))).toEqual([]);
  });

  it('no preference answers: the message names the fields the job has', async () => {
    const root = path.join(dir, 'sentiment');
    const sentiment = await writeJobTree({ root, jobName: 'sentiment-job', bucket: 'bucket', prefix: 'out' }, [
      { data: { source: 'Great service.' }, answers: [{ workerId: worker(1), answerContent: { sentiment: { label: 'positive' } } }] },
    ]);
    const error = await exportPreferences({ manifest: sentiment, out: path.join(root, 'trl.jsonl'), format: 'trl' }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EmptyExportError);
    expect((error as Error).message).toBe('0 rows written to a trl file: no preference answers in 1 consolidated lines (fields: sentiment); ' +
      'map choices or ratings onto responses under `preferences` in the config');
    expect(await readdir(root)).not.toContain('trl.jsonl');
  });
});

describe('export: filters', () => {
  // Each runs on both dimensions, one export each, and counts them together. In all-pairs, object 1's Clarity pairs
  // (0, 1) and (1, 2) contradict each other ('Same answer.' is first and last) whenever both pass the filter.
  it('ties keep: tied pairs are written flagged "tie": true', async () => {
    const { pairsWritten, dropped, rows } = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', ties: 'keep' }));
    expect(pairsWritten).toBe(20);
    expect(dropped).toEqual({ identical: 2, contradiction: 2 });
    const tied = rows.filter((row) => row.tie === true);
    // Object 0 Clarity (0, 1) and object 3 Inclusivity (0, 1).
    expect(tied).toEqual([
      { prompt: prompts[0], chosen: responses[0][0], rejected: responses[0][1], margin: 0, score_chosen: 1.5, score_rejected: 1.5, tie: true },
      { prompt: prompts[3], chosen: responses[3][0], rejected: responses[3][1], margin: 0, score_chosen: 1.5, score_rejected: 1.5, tie: true },
    ]);
    for (const row of rows) expect(trlProblems(row, { withScores: true })).toEqual([]);
    expect(rows.filter((row) => 'tie' in row)).toHaveLength(2);
  });

  it('minAgreement drops pairs whose winner has a smaller share of the non-tied annotators', async () => {
    // all-pairs: the 2–1 pairs are object 0 Inclusivity (1,2), object 1 Inclusivity (1,0), object 2 Clarity ×3.
    const { pairsWritten, dropped } = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minAgreement: 0.7 }));
    expect(pairsWritten).toBe(13);
    expect(dropped).toEqual({ tie: 2, identical: 2, 'low-agreement': 5, contradiction: 2 });
    const lenient = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minAgreement: 2 / 3 }));
    expect(lenient.pairsWritten).toBe(18);
  });

  it('minMargin drops pairs with a smaller aggregate margin', async () => {
    // Margins below 0.5: object 0 Inclusivity (1,2) 1/3, object 1 Inclusivity (1,0) 1/3, object 2 Clarity (0,1), (1,2) 1/3.
    const { pairsWritten, dropped } = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minMargin: 0.5 }));
    expect(pairsWritten).toBe(14);
    expect(dropped).toEqual({ tie: 2, identical: 2, 'low-margin': 4, contradiction: 2 });
    // At least 1.6: only 2 (Clarity), then 5/3, 5/3 and 11/6 (Inclusivity) remain; object 1's Clarity pairs (margin 1) go.
    const strict = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minMargin: 1.6 }));
    expect(strict.pairsWritten).toBe(4);
    expect(strict.rows.map((row) => row.margin)).toEqual([2, expect.closeTo(5 / 3, 12), expect.closeTo(5 / 3, 12), expect.closeTo(11 / 6, 12)]);
  });

  it('minVotes drops pairs fewer annotators were not tied on', async () => {
    // 2: the single-annotator object's 5 untied pairs. 3: also object 2 Inclusivity (0,1), voted 2–0 with a tie.
    const two = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minVotes: 2 }));
    expect(two.pairsWritten).toBe(13);
    expect(two.dropped).toEqual({ tie: 2, identical: 2, 'too-few-votes': 5, contradiction: 2 });
    const three = together(await runEachDimension({ format: 'trl', pairs: 'all-pairs', minVotes: 3 }));
    expect(three.pairsWritten).toBe(12);
    expect(three.dropped).toEqual({ tie: 2, identical: 2, 'too-few-votes': 6, contradiction: 2 });
  });

  it('withScores false leaves margin and scores out of TRL rows', async () => {
    const { rows } = together(await runEachDimension({ format: 'trl', withScores: false }));
    expect(rows).toHaveLength(7);
    for (const row of rows) expect(trlProblems(row, { withScores: false })).toEqual([]);
  });

  it('an unresolved dimension (Bradley-Terry on a graph that is not strongly connected) is dropped and counted', async () => {
    // Clarity of objects 0 (response 2 never wins), 1 (unanimous) and 3 (one annotator) is not strongly connected;
    // object 2's votes are the reference's EX1 (every pair 2–1), MLE (0.495502, 0.310246, 0.194253).
    const { stats, rows } = await run({ format: 'trl', dimensions: ['Clarity'], fields: { Clarity: { strategy: 'bradley-terry' } } });
    expect(stats.dimensions.Clarity).toEqual({ objects: 4, pairs: 1, dropped: { unresolved: 3 } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.prompt).toEqual(conversation);
    expect(texts(rows[0]!)).toEqual(['4', 'It is 4.']);
    expect(Math.abs(rows[0]!.score_chosen - 0.495502)).toBeLessThan(1e-6);
    expect(Math.abs(rows[0]!.score_rejected - 0.194253)).toBeLessThan(1e-6);
    expect(rows[0]!.margin).toBeCloseTo(Math.log(0.495502 / 0.194253), 4);
  });
});

describe('export: trl-kto', () => {
  it('best-vs-worst: each kept pair gives its chosen response true and its rejected one false', async () => {
    // Clarity's kept pairs (chosen, rejected): object 0 (0,2), object 2 (0,2), object 3 (1,2); object 1's is identical.
    const { stats, rows } = await run({ format: 'trl-kto', dimensions: ['Clarity'] });
    expect(stats.pairsWritten).toBe(3);
    expect(stats.dropped).toEqual({ identical: 1 });
    for (const row of rows) expect(ktoProblems(row)).toEqual([]);
    expect(rows).toEqual([
      { prompt: prompts[0], completion: responses[0][0], label: true },
      { prompt: prompts[0], completion: responses[0][2], label: false },
      { prompt: conversation, completion: [{ role: 'assistant', content: '4' }], label: true },
      { prompt: conversation, completion: [{ role: 'assistant', content: 'It is 4.' }], label: false },
      { prompt: prompts[3], completion: responses[3][1], label: true },
      { prompt: prompts[3], completion: responses[3][2], label: false },
    ]);
  });

  it('all-pairs: the middle response has no absolute label; it is left out and counted', async () => {
    // Inclusivity: object 0 (0>1>2: 1 conflicts), object 1 (1 over 0 and 2; (0,2) identical), object 2 (0>1>2),
    // object 3 (0 and 1 tie, both over 2).
    const { stats, rows } = await run({ format: 'trl-kto', pairs: 'all-pairs', dimensions: ['Inclusivity'] });
    expect(stats.pairsWritten).toBe(10);
    expect(stats.dropped).toEqual({ tie: 1, identical: 1, 'kto-conflict': 2 });
    expect(stats.dimensions.Inclusivity!.dropped).toEqual({ tie: 1, identical: 1, 'kto-conflict': 2 });
    const completion = (row: Record<string, any>) => (typeof row.completion === 'string' ? row.completion : row.completion[0].content);
    expect(rows.map((row) => [completion(row), row.label])).toEqual([
      [responses[0][0], true], [responses[0][2], false],
      // responses[1][0] and [1][2] are one text up to white space: one row.
      [responses[1][1], true], [responses[1][0], false],
      ['4', true], ['It is 4.', false],
      [responses[3][0], true], [responses[3][2], false], [responses[3][1], true],
    ]);
  });
});

describe('export: openai and nova', () => {
  it('openai: a text prompt is one user message; the conversation keeps its system message', async () => {
    const { rows } = await run({ format: 'openai', dimensions: ['Clarity'] });
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      input: { messages: [{ role: 'user', content: prompts[0] }] },
      preferred_output: [{ role: 'assistant', content: responses[0][0] }],
      non_preferred_output: [{ role: 'assistant', content: responses[0][2] }],
    });
    expect(rows[1]).toEqual({
      input: { messages: conversation },
      preferred_output: [{ role: 'assistant', content: '4' }],
      non_preferred_output: [{ role: 'assistant', content: 'It is 4.' }],
    });
  });

  it('nova: the system message moves to `system`', async () => {
    const { rows } = await run({ format: 'nova', dimensions: ['Clarity'] });
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is 2+2?' }] },
        {
          role: 'assistant',
          candidates: [
            { content: [{ text: '4' }], preferenceLabel: 'preferred' },
            { content: [{ text: 'It is 4.' }], preferenceLabel: 'non-preferred' },
          ],
        },
      ],
    });
    expect(rows[0]).not.toHaveProperty('system');
  });
});

describe('export: lossless', () => {
  let rows: Record<string, any>[];
  let stats: ExportStats;
  beforeAll(async () => {
    ({ rows, stats } = await run({ format: 'lossless' }));
  });

  it('writes one row per object × dimension', () => {
    expect(rows.map((row) => [row.id, row.dimension])).toEqual([
      ['1', 'Clarity'], ['1', 'Inclusivity'], ['2', 'Clarity'], ['2', 'Inclusivity'],
      ['3', 'Clarity'], ['3', 'Inclusivity'], ['4', 'Clarity'], ['4', 'Inclusivity'],
    ]);
    expect(stats.rowsWritten).toBe(8);
    expect(stats.pairsWritten).toBe(7);
  });

  it('keeps every annotator\'s judgment as submitted, and their comments', () => {
    const byRow = (id: string, dimension: string) => rows.find((row) => row.id === id && row.dimension === dimension)!;
    expect(byRow('1', 'Clarity').annotators).toEqual([
      { workerId: worker(1), source: 'ranking', judgment: { responseRankings: [1, 2, 3] }, comments: { comment } },
      { workerId: worker(2), source: 'ranking', judgment: { responseRankings: [1, 1, 3] } },
      { workerId: worker(3), source: 'ranking', judgment: { responseRankings: [2, 1, 3] } },
    ]);
    expect(byRow('3', 'Inclusivity').annotators.map((a: { judgment: unknown }) => a.judgment)).toEqual([
      { responseRankings: [1, 2, 3] }, { responseRankings: [1, 2, 3] }, { responseRankings: [1, 1, 3] },
    ]);
    expect(byRow('4', 'Clarity').annotators).toEqual([{ workerId: worker(4), source: 'ranking', judgment: { responseRankings: [2, 1, 3] } }]);
    // Every annotator of every object, in both dimensions, with the ranks they gave.
    for (const row of rows) {
      const object = objects[Number(row.id) - 1]!;
      const given = object.answers!.map(({ answerContent }) => {
        const content = (answerContent.textRanking ?? answerContent) as { ordinalRankingDimensions: { responseRankings: number[] }[] };
        return { responseRankings: content.ordinalRankingDimensions[row.dimension === 'Clarity' ? 0 : 1]!.responseRankings };
      });
      expect(row.annotators.map((a: { judgment: unknown }) => a.judgment)).toEqual(given);
    }
    for (const row of rows) {
      const object = objects[Number(row.id) - 1]!;
      expect(row.annotators).toHaveLength(object.answers!.length);
      expect(row.responses).toEqual(object.data.responses);
      expect(row.prompt).toEqual(object.data.source);
    }
  });

  it('records the aggregate and every candidate pair with its fate', () => {
    const [first, , identical] = rows;
    expect(first!.aggregate).toEqual({ strategy: 'borda', resolved: true, scores: [1.5, 1.5, 0], confidence: 1 });
    expect(first!.pairs).toEqual([{ chosen: 0, rejected: 2, tie: false, margin: 1.5, agreement: 1, votes: [3, 0], kept: true }]);
    expect(identical!.pairs).toEqual([{ chosen: 0, rejected: 2, tie: false, margin: 2, agreement: 1, votes: [3, 0], dropped: 'identical' }]);
  });
});

describe('export through the CLI: exit 2 with one line, nothing published', () => {
  let config: string;
  beforeAll(async () => {
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    config = path.join(dir, 'ranking.config.yaml');
    await writeFile(config, 'preferences:\n  dimensionNames: [Clarity, Inclusivity]\n');
  });
  const exportTo = (name: string, ...flags: string[]) => cli(['export', manifest, '--config', config, '--out', path.join(dir, name), '--quiet', ...flags]);

  it.each([
    ['several dimensions, no --dimension', ['--format', 'trl'], /several preference dimensions \(Clarity, Inclusivity\).*pass --dimension/],
    ['two --dimension for a pair format', ['--format', 'nova', '--dimension', 'Clarity', '--dimension', 'Inclusivity'], /a nova file holds one preference dimension/],
    ['a dimension the job lacks', ['--format', 'openai', '--dimension', 'Inclusivty'], /no such dimension; its preference dimensions are Clarity, Inclusivity \(did you mean Inclusivity\?\)$/],
    ['0 rows', ['--format', 'trl-kto', '--dimension', 'Clarity', '--min-votes', '4'], /^gt-consolidate: 0 rows written to a trl-kto file: every pair dropped \(too-few-votes 3, identical 1\)$/],
  ])('%s', async (name, flags, message) => {
    const file = `cli-${name.replace(/\W+/g, '-')}.jsonl`;
    const run = await exportTo(file, ...flags);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(await readdir(dir)).not.toContain(file);
  });

  it('exits 0 with one dimension chosen', async () => {
    const run = await exportTo('cli-clarity.jsonl', '--format', 'trl', '--dimension', 'Clarity');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(await readJsonLines(path.join(dir, 'cli-clarity.jsonl'))).toHaveLength(3);
  });
});

describe('the sample preference job', () => {
  const sample = path.resolve(import.meta.dirname, '../../sample-output');
  const sampleExport = (options: Partial<ExportOptions> & { format: ExportFormat }) => {
    runs += 1;
    return exportPreferences({
      manifest: path.join(sample, 'text-ranking-preferences/manifests/output/output.manifest'),
      out: path.join(dir, `sample-${runs}.jsonl`),
      preferences: { dimensionNames: ['Clarity', 'Inclusivity'] },
      ...options,
    });
  };

  it('its dimensions disagree: all-pairs of both in one file would hold swapped pairs', async () => {
    const stats = await sampleExport({ format: 'lossless', pairs: 'all-pairs' });
    const verdicts = new Set<string>();
    let swapped = 0;
    for (const row of await readJsonLines(path.join(dir, `sample-${runs}.jsonl`))) {
      for (const { chosen, rejected, kept } of row.pairs) {
        if (!kept) continue;
        if (verdicts.has(`${row.id}:${rejected}>${chosen}`)) swapped += 1;
        verdicts.add(`${row.id}:${chosen}>${rejected}`);
      }
    }
    expect(stats.rowsWritten).toBe(32);
    expect(swapped).toBeGreaterThan(0);
  });

  for (const format of ['trl', 'openai', 'nova', 'trl-kto'] as const) {
    it(`${format}: refused without --dimension; each dimension's file never holds a pair and its swap`, async () => {
      await expect(sampleExport({ format })).rejects.toThrow('several preference dimensions (Clarity, Inclusivity)');
      for (const dimension of ['Clarity', 'Inclusivity']) {
        for (const pairs of pairPolicies) {
          const stats = await sampleExport({ format, dimensions: [dimension], pairs, ties: 'keep' });
          const rows = await readJsonLines(path.join(dir, `sample-${runs}.jsonl`));
          expect(rows.length).toBeGreaterThan(10);
          expect(swappedPairs(format, rows), `${dimension}, ${pairs}`).toEqual([]);
          expect(Object.keys(stats.dimensions)).toEqual([dimension]);
        }
        const committed = await readJsonLines(path.join(sample, `consolidated/text-ranking-preferences/${format}.${dimension}.jsonl`));
        expect(swappedPairs(format, committed)).toEqual([]);
      }
    });
  }

  it('its committed TRL exports load back as JSON Lines, every row valid, chosen and rejected never identical', async () => {
    for (const dimension of ['Clarity', 'Inclusivity']) {
      const rows = await readJsonLines(path.join(sample, `consolidated/text-ranking-preferences/trl.${dimension}.jsonl`));
      expect(rows.length).toBeGreaterThan(10);
      for (const row of rows) {
        expect(trlProblems(row, { withScores: true }), JSON.stringify(row)).toEqual([]);
        const [chosen, rejected] = texts(row);
        expect(chosen.replace(/\s+/g, ' ').trim()).not.toBe(rejected.replace(/\s+/g, ' ').trim());
      }
      expect(rows.some((row) => Array.isArray(row.prompt))).toBe(true); // the conversations
    }
  });
});
