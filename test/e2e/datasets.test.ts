/**
 * Verification on real crowd data: majority vote run through the whole pipeline (job tree → `consolidate` → output
 * manifest) must reproduce the reference accuracies of `test/fixtures/datasets/README.md` §5 exactly, and the loaders must see
 * the row counts and class balances of its §1.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolidate, type Summary } from '../../src/index.js';
import {
  loadBluebirds, loadDSentiment, loadDSentimentQualification, loadSnowRte, readGold, readTable, votesByTask,
  writeDatasetJobTree, type CrowdDataset,
} from '../helpers/crowd-datasets.js';

const datasetsDir = path.resolve(import.meta.dirname, '../fixtures/datasets');

interface Reference {
  name: string;
  load: (dir: string) => Promise<CrowdDataset>;
  answers: number;
  tasks: number;
  workers: number;
  /** Every task has exactly this many votes. */
  answersPerTask: number;
  answersPerWorker: [min: number, max: number];
  goldBalance: Record<string, number>;
  voteBalance: Record<string, number>;
  /** README §5: MV, ties → smallest label. */
  correct: number;
  ties: number;
}

const references: Reference[] = [
  {
    name: 'd_sentiment', load: loadDSentiment, answers: 20_000, tasks: 1_000, workers: 85, answersPerTask: 20,
    answersPerWorker: [20, 1_000], goldBalance: { 0: 528, 1: 472 }, voteBalance: { 0: 9_959, 1: 10_041 },
    correct: 932, ties: 43,
  },
  {
    name: 'snow2008_rte', load: loadSnowRte, answers: 8_000, tasks: 800, workers: 164, answersPerTask: 10,
    answersPerWorker: [20, 800], goldBalance: { 0: 400, 1: 400 }, voteBalance: { 0: 3_419, 1: 4_581 },
    correct: 735, ties: 65,
  },
  {
    name: 'd_Duck_Identification', load: loadBluebirds, answers: 4_212, tasks: 108, workers: 39, answersPerTask: 39,
    answersPerWorker: [108, 108], goldBalance: { 0: 60, 1: 48 }, voteBalance: { 0: 2_615, 1: 1_597 },
    correct: 82, ties: 0,
  },
];

const reference = (name: string): Reference => references.find((r) => r.name === name)!;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'gt-consolidate-datasets-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

// Each dataset is loaded and written as a job tree once; the runs share them.
const loaded = new Map<string, Promise<CrowdDataset>>();
const dataset = (name: string): Promise<CrowdDataset> => {
  let promise = loaded.get(name);
  if (!promise) loaded.set(name, (promise = reference(name).load(datasetsDir)));
  return promise;
};
const trees = new Map<string, Promise<string>>();
const jobTree = (name: string): Promise<string> => {
  let promise = trees.get(name);
  if (!promise) {
    promise = dataset(name).then((data) => writeDatasetJobTree(data, { root: path.join(root, 'jobs'), jobName: jobNameOf(name) }));
    trees.set(name, promise);
  }
  return promise;
};
/** Job names (and so label attributes) as Ground Truth allows them: lowercase letters, digits and hyphens. */
const jobNameOf = (name: string): string => `mv-${name.toLowerCase().replace(/_/g, '-')}`;

interface OutputObject {
  task: string;
  /** The consolidated label (`<label attribute>.answer.label`), absent when the field was left unresolved. */
  label: string | undefined;
  hasAnswer: boolean;
  tie: boolean;
  resolved: boolean;
  votes: Record<string, number>;
  confidence: number;
}

type Tie = 'lowest' | 'none';

interface Run {
  summary: Summary;
  objects: OutputObject[];
}

// One run per (dataset, tie policy), shared by the tests that read it.
const runs = new Map<string, Promise<Run>>();
function consolidateDataset(name: string, tie: Tie): Promise<Run> {
  const key = `${name}:${tie}`;
  let promise = runs.get(key);
  if (!promise) runs.set(key, (promise = runConsolidate(name, tie)));
  return promise;
}

async function runConsolidate(name: string, tie: Tie): Promise<Run> {
  const manifest = await jobTree(name);
  const out = path.join(root, 'out', `${name}-${tie}.manifest`);
  const summary = await consolidate({
    manifest,
    out,
    fields: { answer: { strategy: 'majority-vote', tie } },
  });
  const labelAttribute = jobNameOf(name);
  const text = await readFile(out, 'utf8');
  const objects = text.split('\n').filter((line) => line !== '').map((line): OutputObject => {
    const json = JSON.parse(line) as Record<string, unknown>;
    const label = json[labelAttribute] as { answer?: { label: string } };
    const metadata = json[`${labelAttribute}-metadata`] as {
      consolidation: { answer: { tie?: boolean; resolved?: boolean; votes: Record<string, number>; confidence: number } };
    };
    const field = metadata.consolidation.answer;
    return {
      task: json.task as string,
      label: label.answer?.label,
      hasAnswer: 'answer' in label,
      tie: field.tie === true,
      resolved: field.resolved !== false,
      votes: field.votes,
      confidence: field.confidence,
    };
  });
  return { summary, objects };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

describe('crowd dataset loaders (README §1, §3)', () => {
  it.each(references)('$name: row counts and class balances', async (ref) => {
    const { answers, gold } = await dataset(ref.name);
    expect(answers).toHaveLength(ref.answers);
    const byTask = votesByTask(answers);
    expect(byTask.size).toBe(ref.tasks);
    expect(new Set([...byTask.values()].map((votes) => votes.length))).toEqual(new Set([ref.answersPerTask]));
    const perWorker = Object.values(countBy(answers, (a) => a.worker));
    expect(perWorker).toHaveLength(ref.workers);
    expect([Math.min(...perWorker), Math.max(...perWorker)]).toEqual(ref.answersPerWorker);
    expect(countBy(answers, (a) => a.label)).toEqual(ref.voteBalance);
    // Every answered task has gold and every gold task is answered.
    expect(gold.size).toBe(ref.tasks);
    expect([...byTask.keys()].every((task) => gold.has(task))).toBe(true);
    expect(countBy([...gold.values()], (label) => label)).toEqual(ref.goldBalance);
  });

  it('d_sentiment qualification: quali_truth.csv (bare CR, no final newline) has 20 rows', async () => {
    const { answers, gold } = await loadDSentimentQualification(datasetsDir);
    expect(gold.size).toBe(20);
    expect([...gold.keys()]).toEqual(Array.from({ length: 20 }, (_, i) => String(2000 + i)));
    expect(countBy([...gold.values()], (label) => label)).toEqual({ 0: 10, 1: 10 });
    expect(answers).toHaveLength(1_700);
    const main = await dataset('d_sentiment');
    expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(main.answers.map((a) => a.worker)));
    expect(new Set(answers.map((a) => a.task))).toEqual(new Set(gold.keys()));
  });

  it('accepts CRLF, bare CR and LF record ends, even mixed, and skips empty lines', async () => {
    const file = path.join(root, 'mixed.csv');
    await writeFile(file, 'q,truth\r1,0\n2,1\r\n\r\n3,0\r4,1');
    expect(await readTable(file)).toEqual({ header: ['q', 'truth'], rows: [['1', '0'], ['2', '1'], ['3', '0'], ['4', '1']] });
    expect([...(await readGold(file))]).toEqual([['1', '0'], ['2', '1'], ['3', '0'], ['4', '1']]);
  });
});

describe.each(references)('majority vote on $name (README §5)', (ref) => {
  it(`reproduces ${ref.correct}/${ref.tasks} correct with ties → smallest label, ${ref.ties} ties`, async () => {
    const data = await dataset(ref.name);
    const { summary, objects } = await consolidateDataset(ref.name, 'lowest');

    expect(summary.lines).toEqual({ read: ref.tasks, consolidated: ref.tasks, failedInJob: 0, rejected: 0, blank: 0 });
    expect(summary.answers).toBe(ref.answers);
    expect(summary.workers).toBe(ref.workers);
    expect(summary.fields.answer).toMatchObject({ strategy: 'majority-vote', objects: ref.tasks, answers: ref.answers, unresolved: 0 });
    expect(summary.unknownShapes).toEqual({});
    expect(objects).toHaveLength(ref.tasks);

    // The pipeline saw every vote: its tally per object equals the dataset's.
    const byTask = votesByTask(data.answers);
    expect(new Set(objects.map((o) => o.task))).toEqual(new Set(byTask.keys()));
    for (const object of objects) {
      expect(object.votes, `task ${object.task}`).toEqual(countBy(byTask.get(object.task)!, (a) => a.label));
    }

    const correct = objects.filter((o) => o.label === data.gold.get(o.task)).length;
    expect(correct).toBe(ref.correct);
    const tied = objects.filter((o) => o.tie);
    expect(tied).toHaveLength(ref.ties);
    // Binary labels: a tie is an even split, always resolved to "0".
    for (const object of tied) {
      expect(object.votes['0']).toBe(ref.answersPerTask / 2);
      expect(object.label).toBe('0');
      expect(object.confidence).toBe(0.5);
    }
    expect(objects.every((o) => o.hasAnswer && o.resolved)).toBe(true);
  });
});

describe('snow2008_rte tie conventions (README §5.2)', () => {
  it('expected-tie accuracy is 0.896875', async () => {
    const { gold } = await dataset('snow2008_rte');
    const { objects } = await consolidateDataset('snow2008_rte', 'lowest');
    let score = 0;
    for (const object of objects) {
      const top = Math.max(...Object.values(object.votes));
      const winners = Object.keys(object.votes).filter((label) => object.votes[label] === top);
      expect(winners.length > 1).toBe(object.tie);
      if (winners.includes(gold.get(object.task)!)) score += 1 / winners.length;
    }
    expect(Math.abs(score / objects.length - 0.896875)).toBeLessThan(1e-9);
  });

  it('tie: none leaves exactly the 65 tied tasks unresolved', async () => {
    const { gold } = await dataset('snow2008_rte');
    const { summary, objects } = await consolidateDataset('snow2008_rte', 'none');
    expect(summary.lines).toEqual({ read: 800, consolidated: 800, failedInJob: 0, rejected: 0, blank: 0 });
    expect(summary.fields.answer?.unresolved).toBe(65);
    const unresolved = objects.filter((o) => !o.hasAnswer);
    expect(unresolved).toHaveLength(65);
    expect(unresolved.every((o) => o.tie && !o.resolved && o.label === undefined)).toBe(true);
    expect(objects.filter((o) => o.tie)).toHaveLength(65);
    // The 735 correct of the `lowest` run are the resolved correct ones plus the ties whose gold is 0.
    const resolvedCorrect = objects.filter((o) => o.hasAnswer && o.label === gold.get(o.task)).length;
    const tiedGoldZero = unresolved.filter((o) => gold.get(o.task) === '0').length;
    expect(resolvedCorrect + tiedGoldZero).toBe(735);
  });
});
