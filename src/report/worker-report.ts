/**
 * Per-worker figures, the ones teams use to pay, coach or drop workers: answers given, agreement with the consensus,
 * what a model learned (accuracy, confusion matrix), accuracy against gold, median time spent, and the Cognito/OIDC
 * `sub` of private-workforce workers. Written as CSV (one column per figure, one `accuracy:<field>` column per fitted
 * field) or JSON Lines (with the confusion matrices).
 */
import { median } from 'simple-statistics';
import { stringify } from 'csv-stringify/sync';
import type { WorkerAnswer } from '../responses/worker-response.js';
import { forSpreadsheet } from '../text/escape.js';
import type { WorkerShapeScore, WorkerSkill } from '../../strategies/types.js';

interface Tally {
  sub?: string;
  objects: number;
  seconds: number[];
  compared: number;
  agreed: number;
  goldAnswers: number;
  goldCorrect: number;
  /** Annotation fields: the worker's drawings against the consolidated shapes, and against gold. */
  shapes?: WorkerShapeScore;
  goldIou?: { objects: number; sum: number };
}

export interface WorkerRow {
  workerId: string;
  sub?: string;
  objects: number;
  medianTimeSpentSeconds?: number;
  /** Share of the worker's categorical answers equal to the consolidated label. */
  agreement?: number;
  goldAnswers: number;
  goldAccuracy?: number;
  /** Per fitted field: the model's estimate. */
  models: Record<string, WorkerSkill & { labels: readonly string[] }>;
  /** Annotation fields: mean similarity of the worker's kept shapes to the consolidated ones, shapes missed and extra. */
  shapes?: { matched: number; meanSimilarity: number | null; missed: number; extra: number };
  /** Annotation fields with gold: the mean of the worker's per-object mean IoU against gold (AWS's rule). */
  goldMeanIou?: number;
}

export class WorkerStats {
  private readonly tallies = new Map<string, Tally>();

  /**
   * `keepTimes`: keep every `timeSpentInSeconds` for the report's median, 8 bytes an answer; without a report the
   * run keeps nothing per answer (a 1M-object streaming run measured 291 MiB with them, see BENCHMARKS.md).
   */
  constructor(private readonly keepTimes: boolean) {}

  private tally(workerId: string): Tally {
    let tally = this.tallies.get(workerId);
    if (!tally) this.tallies.set(workerId, (tally = { objects: 0, seconds: [], compared: 0, agreed: 0, goldAnswers: 0, goldCorrect: 0 }));
    return tally;
  }

  get size(): number {
    return this.tallies.size;
  }

  observe(answers: readonly Omit<WorkerAnswer, 'answerContent'>[]): void {
    for (const { workerId, sub, timeSpentInSeconds } of answers) {
      const tally = this.tally(workerId);
      tally.objects += 1;
      if (sub !== undefined) tally.sub ??= sub;
      if (this.keepTimes && timeSpentInSeconds !== undefined) tally.seconds.push(timeSpentInSeconds);
    }
  }

  /** One answer compared with the consolidated label and, when the object has one, the gold label. */
  compare(workerId: string, answer: string, consensus: string, gold: string | undefined): void {
    const tally = this.tally(workerId);
    tally.compared += 1;
    if (answer === consensus) tally.agreed += 1;
    if (gold !== undefined) {
      tally.goldAnswers += 1;
      if (answer === gold) tally.goldCorrect += 1;
    }
  }

  /** One worker's drawing of one object against the consolidated shapes. */
  compareShapes(workerId: string, score: WorkerShapeScore): void {
    const shapes = (this.tally(workerId).shapes ??= { matched: 0, similarity: 0, missed: 0, extra: 0 });
    shapes.matched += score.matched;
    shapes.similarity += score.similarity;
    shapes.missed += score.missed;
    shapes.extra += score.extra;
  }

  /** One worker's drawing of one object scored against gold (mean IoU). */
  goldShapes(workerId: string, meanIou: number): void {
    const gold = (this.tally(workerId).goldIou ??= { objects: 0, sum: 0 });
    gold.objects += 1;
    gold.sum += meanIou;
  }

  rows(models: ReadonlyMap<string, { labels: readonly string[]; skills: ReadonlyMap<string, WorkerSkill> }>): WorkerRow[] {
    return [...this.tallies].map(([workerId, tally]) => ({
      workerId,
      ...(tally.sub !== undefined && { sub: tally.sub }),
      objects: tally.objects,
      // Ground Truth gives times to the millisecond; the median of an even count would add float noise.
      ...(tally.seconds.length > 0 && { medianTimeSpentSeconds: Math.round(median(tally.seconds) * 1000) / 1000 }),
      ...(tally.compared > 0 && { agreement: tally.agreed / tally.compared }),
      goldAnswers: tally.goldAnswers,
      ...(tally.goldAnswers > 0 && { goldAccuracy: tally.goldCorrect / tally.goldAnswers }),
      models: Object.fromEntries([...models].flatMap(([field, { labels, skills }]) => {
        const skill = skills.get(workerId);
        return skill ? [[field, { ...skill, labels }]] : [];
      })),
      ...(tally.shapes && { shapes: {
        matched: tally.shapes.matched,
        meanSimilarity: tally.shapes.matched > 0 ? tally.shapes.similarity / tally.shapes.matched : null,
        missed: tally.shapes.missed,
        extra: tally.shapes.extra,
      } }),
      ...(tally.goldIou && { goldMeanIou: tally.goldIou.sum / tally.goldIou.objects }),
    }));
  }
}

export function formatWorkerReport(file: string, rows: readonly WorkerRow[]): string {
  if (/\.jsonl?$/i.test(file)) return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row.models)))];
  // Shape columns only for jobs with annotation fields, so other reports keep their columns.
  const shapes = rows.some((row) => row.shapes || row.goldMeanIou !== undefined);
  const header = ['workerId', 'sub', 'objects', 'medianTimeSpentSeconds', 'agreement', 'goldAnswers', 'goldAccuracy',
    ...fields.map((field) => `accuracy:${field}`),
    ...(shapes ? ['shapesMatched', 'shapeSimilarity', 'shapesMissed', 'shapesExtra', 'goldMeanIou'] : [])];
  // Worker ids and subs come from the data: neither may reach a spreadsheet as a formula (field names follow `accuracy:`).
  return stringify([header, ...rows.map((row) => [
    forSpreadsheet(row.workerId), forSpreadsheet(row.sub ?? ''), row.objects, row.medianTimeSpentSeconds ?? '', row.agreement ?? '', row.goldAnswers,
    row.goldAccuracy ?? '', ...fields.map((field) => (Object.hasOwn(row.models, field) ? row.models[field]!.accuracy : '')),
    ...(shapes ? [row.shapes?.matched ?? '', row.shapes?.meanSimilarity ?? '', row.shapes?.missed ?? '', row.shapes?.extra ?? '', row.goldMeanIou ?? ''] : []),
  ])]);
}
