/**
 * Loaders for the public crowdsourcing datasets bundled in `test/fixtures/datasets/` (see its README: formats, line-ending
 * quirks, reference accuracies), and a converter that lays a dataset out as a Ground Truth custom-job output tree
 * (`writeJobTree`), one object per task and one `crowd-classifier` answer per vote.
 *
 * The files mix CRLF, LF and bare-CR line ends (`d_sentiment/quali_truth.csv` is bare CR without a final newline), and
 * their header names differ (`id`/`q` vs `question`), so every table is parsed with all three record delimiters and
 * its columns are looked up by name.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeJobTree, type JobObject } from '../../sample-output/job-tree.js';

export interface CrowdAnswer {
  task: string;
  worker: string;
  label: string;
}

export interface CrowdDataset {
  /** One entry per vote, in file order. */
  answers: CrowdAnswer[];
  /** Task id → gold label. */
  gold: Map<string, string>;
}

export interface Table {
  header: string[];
  rows: string[][];
}

/** Parses a CSV/TSV file with a header row; accepts CRLF, bare CR and LF line ends (even mixed) and skips empty lines. */
export async function readTable(file: string, delimiter: ',' | '\t' = ','): Promise<Table> {
  const records = parse(await readFile(file), {
    delimiter,
    // Longest first, so CRLF is one record end rather than a CR followed by an empty line.
    record_delimiter: ['\r\n', '\r', '\n'],
    skip_empty_lines: true,
    // The TSV is not a quoted format; none of the files quote fields.
    quote: delimiter === '\t' ? false : '"',
  }) as string[][];
  const [header, ...rows] = records;
  if (!header) throw new Error(`${file}: empty file, no header row`);
  return { header, rows };
}

/** The index of the first of `names` present in the header (the files spell the same column differently). */
function column(table: Table, file: string, ...names: string[]): number {
  const index = table.header.findIndex((name) => names.includes(name));
  if (index < 0) throw new Error(`${file}: no column ${names.join(' / ')} in header ${JSON.stringify(table.header)}`);
  return index;
}

function cell(row: readonly string[], index: number, file: string, line: number): string {
  const value = row[index];
  if (value === undefined || value === '') throw new Error(`${file}: row ${line}: empty column ${index}`);
  return value;
}

/** Reads `task,worker,label` votes, refusing a (task, worker) pair that occurs twice. */
async function readAnswers(file: string, delimiter: ',' | '\t', names: { task: string[]; worker: string[]; label: string[] }): Promise<{ table: Table; answers: CrowdAnswer[] }> {
  const table = await readTable(file, delimiter);
  const taskAt = column(table, file, ...names.task);
  const workerAt = column(table, file, ...names.worker);
  const labelAt = column(table, file, ...names.label);
  const seen = new Set<string>();
  const answers = table.rows.map((row, index) => {
    const answer = { task: cell(row, taskAt, file, index + 1), worker: cell(row, workerAt, file, index + 1), label: cell(row, labelAt, file, index + 1) };
    const key = JSON.stringify([answer.task, answer.worker]);
    if (seen.has(key)) throw new Error(`${file}: row ${index + 1}: worker ${answer.worker} answered task ${answer.task} twice`);
    seen.add(key);
    return answer;
  });
  return { table, answers };
}

/** Reads a `task,truth` gold file, refusing a task listed twice. */
export async function readGold(file: string): Promise<Map<string, string>> {
  const table = await readTable(file);
  const taskAt = column(table, file, 'q', 'question', 'id');
  const truthAt = column(table, file, 'truth');
  const gold = new Map<string, string>();
  table.rows.forEach((row, index) => {
    const task = cell(row, taskAt, file, index + 1);
    if (gold.has(task)) throw new Error(`${file}: row ${index + 1}: task ${task} listed twice`);
    gold.set(task, cell(row, truthAt, file, index + 1));
  });
  return gold;
}

const csvNames = { task: ['id', 'question'], worker: ['worker'], label: ['answer'] };

/** D_PosSent (Zheng et al. 2017): `d_sentiment/answer.csv` + `truth.csv` (CRLF). */
export async function loadDSentiment(datasetsDir: string): Promise<CrowdDataset> {
  const dir = path.join(datasetsDir, 'd_sentiment');
  const { answers } = await readAnswers(path.join(dir, 'answer.csv'), ',', csvNames);
  return { answers, gold: await readGold(path.join(dir, 'truth.csv')) };
}

/** D_PosSent's qualification test: `d_sentiment/quali.csv` (CRLF) + `quali_truth.csv` (bare CR, no final newline). */
export async function loadDSentimentQualification(datasetsDir: string): Promise<CrowdDataset> {
  const dir = path.join(datasetsDir, 'd_sentiment');
  const { answers } = await readAnswers(path.join(dir, 'quali.csv'), ',', csvNames);
  return { answers, gold: await readGold(path.join(dir, 'quali_truth.csv')) };
}

/**
 * RTE (Snow et al. 2008): `snow2008_rte/rte.standardized.tsv` (LF), one row per vote keyed by
 * (`orig_id`, `!amt_worker_ids`); the gold label is the `gold` column, which must agree on every row of a task.
 */
export async function loadSnowRte(datasetsDir: string): Promise<CrowdDataset> {
  const file = path.join(datasetsDir, 'snow2008_rte', 'rte.standardized.tsv');
  const { table, answers } = await readAnswers(file, '\t', { task: ['orig_id'], worker: ['!amt_worker_ids'], label: ['response'] });
  const goldAt = column(table, file, 'gold');
  const gold = new Map<string, string>();
  table.rows.forEach((row, index) => {
    const { task } = answers[index]!;
    const label = cell(row, goldAt, file, index + 1);
    const known = gold.get(task);
    if (known !== undefined && known !== label) {
      throw new Error(`${file}: row ${index + 1}: task ${task} has gold ${label}, earlier rows say ${known}`);
    }
    gold.set(task, label);
  });
  return { answers, gold };
}

/** bluebirds (Welinder et al. 2010): `d_Duck_Identification/answer.csv` + `truth.csv` (CRLF). */
export async function loadBluebirds(datasetsDir: string): Promise<CrowdDataset> {
  const dir = path.join(datasetsDir, 'd_Duck_Identification');
  const { answers } = await readAnswers(path.join(dir, 'answer.csv'), ',', csvNames);
  return { answers, gold: await readGold(path.join(dir, 'truth.csv')) };
}

/** Votes grouped by task, tasks in order of first appearance, votes in file order. */
export function votesByTask(answers: readonly CrowdAnswer[]): Map<string, CrowdAnswer[]> {
  const tasks = new Map<string, CrowdAnswer[]>();
  for (const answer of answers) {
    const votes = tasks.get(answer.task);
    if (votes) votes.push(answer);
    else tasks.set(answer.task, [answer]);
  }
  return tasks;
}

export interface DatasetJobOptions {
  /** Folder that plays the role of `s3://<bucket>/<prefix>`. */
  root: string;
  jobName: string;
  /** The form field each vote is submitted under (default `answer`). */
  field?: string;
  bucket?: string;
  prefix?: string;
}

/**
 * Writes `dataset` as a Ground Truth custom-job output tree: one object per task (input data
 * `{source: <task id>, task: <task id>}`), and per vote one answer `{workerId: <dataset worker id>, answerContent:
 * {<field>: {label: '<label>'}}}` (the crowd-classifier shape). Returns the output manifest's path.
 */
export async function writeDatasetJobTree(dataset: CrowdDataset, options: DatasetJobOptions): Promise<string> {
  const field = options.field ?? 'answer';
  const objects: JobObject[] = [...votesByTask(dataset.answers)].map(([task, votes]) => ({
    data: { source: task, task },
    answers: votes.map(({ worker, label }) => ({ workerId: worker, answerContent: { [field]: { label } } })),
  }));
  return writeJobTree({
    root: options.root,
    jobName: options.jobName,
    bucket: options.bucket ?? 'crowd-datasets',
    prefix: options.prefix ?? 'jobs',
  }, objects);
}
