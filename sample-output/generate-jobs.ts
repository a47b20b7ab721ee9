/**
 * Generates the three sample SageMaker Ground Truth custom labeling jobs under sample-output/,
 * laid out as the service writes them to s3://acme-ml-labeling/ground-truth/output/:
 *
 * - `multimodal-content-eval`: 34 image-prompt/model-answer pairs (AWS's gen-ai multi-modal
 *   content evaluation template), rated by 3–5 workers each on accuracy, relevance and
 *   completeness (crowd-slider, 1–5) with an optional `additional-context` comment; object 17
 *   expired without answers.
 * - `support-ticket-sentiment`: 24 customer support messages labelled positive / negative /
 *   neutral (crowd-classifier) by 3 workers each, with a few 2–1 splits and two 1–1–1 ties.
 * - `text-ranking-preferences`: 16 user prompts (two of them conversations) with three assistant
 *   responses each, ranked by 3 workers on Clarity (ties allowed) and Inclusivity (AWS's gen-ai
 *   text-ranking template: unnamed `ordinalRankingDimensions` at the top level), with an optional
 *   `comment`; a few adjacent swaps, two objects where every worker prefers a different response
 *   (an aggregate tie) and one object with a duplicated response.
 *
 * - `street-scene-boxes`: 12 street photos, objects boxed (crowd-bounding-box) by 3 workers each, with jitter, missed
 *   small objects, a stray extra box and car/truck mix-ups, beside an image-quality question (crowd-classifier); one
 *   photo has nothing to box.
 * - `news-entities`: 12 news sentences, entities marked (crowd-entity-annotation: PER, ORG, LOC) by 3 workers each,
 *   with names cut short, ORG/LOC mix-ups, misses and a stray extra; one sentence has no entity.
 * - `street-scene-masks`: 6 small street images painted (crowd-semantic-segmentation: sky, road, car) by 3 workers
 *   each, with jittered region boundaries and now and then a missed car.
 *
 * The data comes from fixed seeds, so re-running rewrites byte-identical files:
 *
 *   npx tsx sample-output/generate-jobs.ts
 *
 * The hand-written content is in `data/`; each run first deletes the job folders, so no stale file survives.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { seededRandom } from '../src/random.js';
import { writeJobTree, type JobAnswer, type JobObject } from './job-tree.js';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const BUCKET = 'acme-ml-labeling';
const PREFIX = 'ground-truth/output';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Xk29LpQ7d';

/** The jobs' hand-written content (prompts, tickets, responses and their true labels) lives in `data/*.json`. */
const readData = <T>(name: string): T => JSON.parse(readFileSync(path.join(ROOT, 'data', `${name}.json`), 'utf8')) as T;

// ---------------------------------------------------------------------------------------------
// Seeded randomness

type Rand = () => number;

const between = (rand: Rand, lo: number, hi: number): number => lo + rand() * (hi - lo);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));

function shuffled<T>(rand: Rand, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Standard normal sample (Box–Muller). */
const gaussian = (rand: Rand): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const hex = (rand: Rand, length: number): string =>
  Array.from({ length }, () => Math.floor(rand() * 16).toString(16)).join('');

const uuidV4 = (rand: Rand): string =>
  `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-${pick(rand, ['8', '9', 'a', 'b'])}${hex(rand, 3)}-${hex(rand, 12)}`;

// ---------------------------------------------------------------------------------------------
// Workforce and answer timing

interface Worker {
  workerId: string;
  sub: string;
}

/** One private Cognito workteam; job 1 uses workers 0–7, job 2 workers 5–9, job 3 workers 1, 2, 4, 6, 8 and 9. */
const WORKFORCE: Worker[] = (() => {
  const rand = seededRandom(0x3c0917);
  return Array.from({ length: 10 }, () => ({ workerId: `private.us-east-1.${hex(rand, 16)}`, sub: uuidV4(rand) }));
})();

/** A worker's day on a job: `free` is when they can accept their next task (epoch ms). */
interface Shift {
  worker: Worker;
  free: number;
  /** Multiplies the worker's time per task. */
  pace: number;
}

function shifts(rand: Rand, workers: readonly Worker[], firstLogin: string, loginWindowHours: number): Shift[] {
  const from = Date.parse(firstLogin);
  return workers.map((worker) => ({
    worker,
    free: Math.round(from + rand() * loginWindowHours * 3_600_000),
    pace: between(rand, 0.6, 1.5),
  }));
}

/** Books the next task on the worker's timeline (a short pause, sometimes a break) and builds its answer. */
function answer(rand: Rand, shift: Shift, seconds: number, answerContent: Record<string, unknown>): JobAnswer {
  const pause = rand() < 0.06 ? between(rand, 300, 1_500) : between(rand, 2, 40);
  const acceptance = Math.round(shift.free + pause * 1000);
  let spentMs = Math.round(seconds * 1000);
  if (spentMs % 10 === 0) spentMs += 7; // keep three decimals in timeSpentInSeconds
  const submission = acceptance + spentMs;
  shift.free = submission;
  return {
    acceptanceTime: new Date(acceptance).toISOString(),
    answerContent,
    submissionTime: new Date(submission).toISOString(),
    timeSpentInSeconds: spentMs / 1000,
    workerId: shift.worker.workerId,
    workerMetadata: { identityData: { identityProviderType: 'Cognito', issuer: ISSUER, sub: shift.worker.sub } },
  };
}

const bySubmission = (a: JobAnswer, b: JobAnswer): number => a.submissionTime!.localeCompare(b.submissionTime!);

async function writeJob(jobName: string, start: string, objects: JobObject[]): Promise<void> {
  const answers = objects.flatMap((object) => object.answers ?? []);
  const lastSubmission = answers.map((a) => a.submissionTime!).sort().at(-1)!;
  if (lastSubmission >= start) throw new Error(`${jobName}: answer submitted at ${lastSubmission}, after objects completed (${start})`);
  await rm(path.join(ROOT, jobName), { recursive: true, force: true });
  const manifest = await writeJobTree(
    { root: ROOT, jobName, bucket: BUCKET, prefix: PREFIX, start: new Date(start) },
    objects,
  );
  const failed = objects.filter((object) => !object.answers).length;
  console.log(
    `${path.relative(process.cwd(), manifest)}: ${objects.length} objects (${failed} failed), ${answers.length} worker answers`,
  );
}

// ---------------------------------------------------------------------------------------------
// Job 1: multimodal-content-eval

interface Prompt {
  source: string;
  /** File name under s3://acme-ml-labeling/eval-images/. */
  image: string;
  modelResponse: string;
}

interface RatedPrompt extends Prompt {
  /** Latent accuracy, relevance and completeness (1–5) the workers' ratings scatter around. */
  quality: [number, number, number];
  /** Reviewers split on whether the answer is right: about half of them rate accuracy much lower. */
  disputed?: true;
  /** Remarks (`additional-context`) a worker who gave the answer a 3 or less may explain it with. */
  issues?: string[];
  /** Remarks a worker who found the answer good may leave. */
  praise?: string[];
}

type EvalItem = RatedPrompt | (Prompt & { expired: true });

const EVAL_ITEMS: EvalItem[] = readData('content-eval-items');

/**
 * Per-worker rating bias, chance of writing a comment and habitual sign-off on a good answer
 * (worker 3 is harsh, worker 5 lenient).
 */
const RATERS = [
  { bias: 0.1, chattiness: 0.45, approval: 'Looks correct.' },
  { bias: -0.2, chattiness: 0.15, approval: 'No issues.' },
  { bias: 0, chattiness: 0.3, approval: 'Looks correct.' },
  { bias: -0.9, chattiness: 0.55, approval: 'Acceptable.' },
  { bias: 0.2, chattiness: 0.05, approval: 'ok' },
  { bias: 0.7, chattiness: 0.25, approval: 'Great answer!' },
  { bias: -0.1, chattiness: 0.4, approval: 'Looks correct.' },
  { bias: 0, chattiness: 0.3, approval: 'Looks correct.' },
];

const EXPIRED_REASON =
  'ClientError: Annotation tasks expired.  Probable Reasons are 1) TaskAvailabilityLifetimeInSeconds parameter is too small.  2) Reward is too low for workers to work on the task.';

function contentEvalObjects(): JobObject[] {
  const rand = seededRandom(0x0e7a4);
  const team = shifts(rand, WORKFORCE.slice(0, RATERS.length), '2025-03-08T13:00:00Z', 3);
  return EVAL_ITEMS.map((item): JobObject => {
    const image = `s3://${BUCKET}/eval-images/${item.image}`;
    const data = { source: item.source, image, modelResponse: item.modelResponse };
    if ('expired' in item) return { data, answers: undefined, failureReason: EXPIRED_REASON };
    const issues = shuffled(rand, item.issues ?? []);
    const praise = shuffled(rand, item.praise ?? []);
    const workers = shuffled(rand, team.map((shift, index) => ({ shift, rater: RATERS[index]! })));
    const answers = workers.slice(0, 3 + Math.floor(rand() * 3)).map(({ shift, rater }) => {
      const doubt = item.disputed && rand() < 0.5 ? 1.8 : 0;
      const rate = (latent: number): number => clamp(Math.round(latent + rater.bias + 0.45 * gaussian(rand)), 1, 5);
      const [accuracy, relevance, completeness] = [rate(item.quality[0] - doubt), rate(item.quality[1]), rate(item.quality[2])];
      const answerContent: Record<string, unknown> = { accuracy, relevance, completeness };
      const critical = Math.min(accuracy, relevance, completeness) <= 3;
      if (rand() < rater.chattiness + (critical ? 0.35 : 0)) {
        const comment = critical ? issues.pop() : (rand() < 0.35 && praise.pop()) || rater.approval;
        if (comment) answerContent['additional-context'] = comment;
      }
      const writing = 'additional-context' in answerContent ? between(rand, 15, 45) : 0;
      const seconds = clamp(shift.pace * between(rand, 35, 150) + writing, 20, 240);
      return answer(rand, shift, seconds, answerContent);
    });
    return { data, answers: answers.sort(bySubmission) };
  });
}

// ---------------------------------------------------------------------------------------------
// Job 2: support-ticket-sentiment

type Sentiment = 'positive' | 'negative' | 'neutral';

interface Ticket {
  source: string;
  /** The majority label. */
  label: Sentiment;
  /** One of the three workers picks this label instead (a 2–1 split). */
  dissent?: Sentiment;
}

/** `'tie'` tickets get one worker per label (1–1–1). */
const TICKETS: (Ticket | { source: string; label: 'tie' })[] = readData('support-tickets');

function sentimentObjects(): JobObject[] {
  const rand = seededRandom(0x5e471);
  const team = shifts(rand, WORKFORCE.slice(5), '2025-04-14T14:00:00Z', 1.5);
  return TICKETS.map((ticket): JobObject => {
    const labels: Sentiment[] =
      ticket.label === 'tie'
        ? shuffled(rand, ['positive', 'negative', 'neutral'])
        : shuffled(rand, [ticket.label, ticket.label, ticket.dissent ?? ticket.label]);
    const hard = ticket.label === 'tie' || ticket.dissent !== undefined;
    const answers = shuffled(rand, team)
      .slice(0, 3)
      .map((shift, i) => {
        const seconds = clamp(shift.pace * between(rand, 6, 30) * (hard ? 1.6 : 1), 5, 60);
        return answer(rand, shift, seconds, { sentiment: { label: labels[i]! } });
      });
    return { data: { source: ticket.source }, answers: answers.sort(bySubmission) };
  });
}

// ---------------------------------------------------------------------------------------------
// Job 3: text-ranking-preferences

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** `ranks[i]` = rank of response i, 1 = best (the crowd-text-ranking `responseRankings`). */
type Ranks = [number, number, number];

/** The template's `ordinal-ranking-dimensions`, in order. */
type Dimension = 'clarity' | 'inclusivity';

interface RankingPrompt {
  /** A user prompt, or a conversation whose last turn is the user's. */
  source: string | Message[];
  responses: [string, string, string];
}

interface RankedPrompt extends RankingPrompt {
  /** Latent ranks the workers follow. Clarity may tie two responses (a worker keeps the tie or not); Inclusivity is strict. */
  clarity: Ranks;
  inclusivity: Ranks;
  /** One worker swaps these two responses, adjacent in the dimension's latent order, and may say why. */
  swap?: { dimension: Dimension; responses: [number, number]; comment?: string };
  /** Rationales, in line with the latent order, a worker may leave in `comment`. */
  notes: string[];
}

/** Every worker prefers a different response (on both dimensions): the three rankings are rotations of one order. */
interface SplitPrompt extends RankingPrompt {
  /** `favourite[i]`: the comment of a worker who ranked response i first. */
  favourite: [string, string, string];
}

type RankingItem = RankedPrompt | SplitPrompt;

const RANKING_ITEMS: RankingItem[] = readData('ranking-items');

/** Per-worker chance of leaving a `comment` (worker 8 never does). */
const RANKERS = [
  { worker: WORKFORCE[1]!, chattiness: 0.55 },
  { worker: WORKFORCE[2]!, chattiness: 0.2 },
  { worker: WORKFORCE[4]!, chattiness: 0.4 },
  { worker: WORKFORCE[6]!, chattiness: 0.3 },
  { worker: WORKFORCE[8]!, chattiness: 0 },
  { worker: WORKFORCE[9]!, chattiness: 0.45 },
];

/** Responses ordered best first (ties in response order). */
const orderOf = (ranks: readonly number[]): number[] => ranks.map((_, i) => i).sort((a, b) => ranks[a]! - ranks[b]! || a - b);

/** Ranks (1 = best) of responses listed best first, without ties. */
function ranksFrom(order: readonly number[]): Ranks {
  const ranks: Ranks = [0, 0, 0];
  order.forEach((response, position) => (ranks[response] = position + 1));
  return ranks;
}

const isPermutation = (ranks: readonly number[]): boolean => [...ranks].sort().join() === '1,2,3';

/** A worker's Clarity ranks: the latent ones, a tie kept with probability 0.7, else broken at random. */
function clarityRanks(rand: Rand, latent: Ranks): Ranks {
  const ranks: Ranks = [...latent];
  if (isPermutation(latent) || rand() < 0.7) return ranks;
  const tied = ranks.map((_, i) => i).filter((i) => ranks.filter((rank) => rank === ranks[i]).length > 1);
  ranks[pick(rand, tied)]! += 1;
  return ranks;
}

/** Swaps two responses' ranks. */
function swapped(ranks: Ranks, [a, b]: readonly [number, number]): Ranks {
  const copy: Ranks = [...ranks];
  [copy[a], copy[b]] = [copy[b]!, copy[a]!];
  return copy;
}

function checkRankingItems(): void {
  const key = (responses: readonly string[]) => responses.map((text) => text.replace(/\s+/g, ' ').trim());
  const duplicated = RANKING_ITEMS.filter(({ responses }) => new Set(key(responses)).size < responses.length).length;
  if (duplicated !== 1) throw new Error(`text-ranking-preferences: ${duplicated} objects with identical responses, expected 1`);
  for (const [index, item] of RANKING_ITEMS.entries()) {
    if ('favourite' in item) continue;
    if (!isPermutation(item.inclusivity)) throw new Error(`text-ranking-preferences ${index}: Inclusivity must be a strict ranking`);
    if (item.swap) {
      const order = orderOf(item[item.swap.dimension]);
      const [a, b] = item.swap.responses;
      const adjacent = Math.abs(order.indexOf(a) - order.indexOf(b)) === 1 && item[item.swap.dimension][a] !== item[item.swap.dimension][b];
      if (!adjacent) throw new Error(`text-ranking-preferences ${index}: swapped responses must be adjacent and not tied`);
    }
  }
}

function textRankingObjects(): JobObject[] {
  checkRankingItems();
  const rand = seededRandom(0x7e4a2c);
  const team = shifts(rand, RANKERS.map(({ worker }) => worker), '2025-05-20T14:30:00Z', 2);
  const chattiness = new Map(RANKERS.map(({ worker, chattiness }) => [worker.workerId, chattiness]));
  return RANKING_ITEMS.map((item): JobObject => {
    const data = { source: item.source, responses: item.responses };
    const workers = shuffled(rand, team).slice(0, 3);
    const notes = 'notes' in item ? shuffled(rand, item.notes) : [];
    const rotated = 'favourite' in item ? shuffled(rand, [0, 1, 2]) : [];
    const deviant = 'swap' in item && item.swap ? Math.floor(rand() * 3) : -1;
    const answers = workers.map((shift, k) => {
      let clarity: Ranks;
      let inclusivity: Ranks;
      let comment: string | undefined;
      const talks = rand() < chattiness.get(shift.worker.workerId)!;
      if ('favourite' in item) {
        // Worker k's order is the shared order rotated by k: each response is first for exactly one worker.
        const order = [...rotated.slice(k), ...rotated.slice(0, k)];
        clarity = ranksFrom(order);
        inclusivity = ranksFrom(order);
        if (talks) comment = item.favourite[order[0]!];
      } else {
        clarity = clarityRanks(rand, item.clarity);
        inclusivity = [...item.inclusivity];
        if (k === deviant && item.swap) {
          if (item.swap.dimension === 'clarity') clarity = swapped(clarity, item.swap.responses);
          else inclusivity = swapped(inclusivity, item.swap.responses);
          if (talks) comment = item.swap.comment;
        } else if (talks) {
          comment = notes.pop();
        }
      }
      const answerContent: Record<string, unknown> = {
        ordinalRankingDimensions: [{ responseRankings: clarity }, { responseRankings: inclusivity }],
      };
      if (comment) answerContent.comment = comment;
      const reading = item.responses.join(' ').length / 8; // reading the responses and going back over them to compare
      const writing = comment ? between(rand, 15, 45) : 0;
      const seconds = clamp(shift.pace * (reading + between(rand, 25, 90)) + writing, 20, 300);
      return answer(rand, shift, seconds, answerContent);
    });
    return { data, answers: answers.sort(bySubmission) };
  });
}

// ---------------------------------------------------------------------------------------------
// Job 4: street-scene-boxes

interface Box { label: string; left: number; top: number; width: number; height: number }

interface StreetScene {
  /** File name under s3://acme-ml-labeling/street-images/. */
  image: string;
  width: number;
  height: number;
  /** The true boxes the workers' boxes scatter around. */
  objects: Box[];
  quality: 'clear' | 'blurry';
}

const STREET_SCENES: StreetScene[] = readData('street-scenes');

/** Labels a careless worker confuses. */
const LOOKALIKE: Record<string, string> = { car: 'truck', truck: 'car', bus: 'truck' };

/** One worker's boxes: each true box jittered (2% of its size), small ones missed more often, a rare stray box. */
function drawnBoxes(rand: Rand, scene: StreetScene): Box[] {
  const boxes = scene.objects.flatMap((box) => {
    const small = box.width * box.height < 8000;
    if (rand() < (small ? 0.25 : 0.06)) return [];
    const edge = (value: number, size: number) => Math.round(value + gaussian(rand) * (0.02 * size + 1));
    const left = edge(box.left, box.width);
    const top = edge(box.top, box.height);
    const label = rand() < 0.06 && LOOKALIKE[box.label] ? LOOKALIKE[box.label]! : box.label;
    return [{ label, left, top, width: edge(box.left + box.width, box.width) - left, height: edge(box.top + box.height, box.height) - top }];
  });
  if (rand() < 0.1) boxes.push({ label: 'person', left: Math.round(between(rand, 0, 1200)), top: Math.round(between(rand, 200, 500)), width: 40, height: 110 });
  return boxes;
}

function streetSceneObjects(): JobObject[] {
  const rand = seededRandom(0xb0c5);
  const team = shifts(rand, WORKFORCE.slice(2, 8), '2025-06-02T09:00:00Z', 2);
  return STREET_SCENES.map((scene): JobObject => {
    const answers = shuffled(rand, team).slice(0, 3).map((shift) => {
      const boundingBoxes = drawnBoxes(rand, scene);
      const quality = scene.quality === 'blurry' && rand() < 0.3 ? 'clear' : scene.quality;
      const seconds = clamp(shift.pace * (20 + 12 * boundingBoxes.length + between(rand, 0, 30)), 10, 240);
      return answer(rand, shift, seconds, {
        boundingBox: { boundingBoxes, inputImageProperties: { width: scene.width, height: scene.height } },
        imageQuality: { label: quality },
      });
    });
    return { data: { 'source-ref': `s3://${BUCKET}/street-images/${scene.image}` }, answers: answers.sort(bySubmission) };
  });
}

// ---------------------------------------------------------------------------------------------
// Job 5: news-entities

interface Entity { label: string; text: string; startOffset: number; endOffset: number }

interface NewsSentence {
  source: string;
  /** The true entities, offsets in characters (`endOffset` exclusive). */
  entities: Entity[];
}

const NEWS_SENTENCES: NewsSentence[] = readData('news-entities');

/** One worker's entities: a name cut to its first word now and then, ORG/LOC mix-ups, misses, a stray capitalised word. */
function markedEntities(rand: Rand, sentence: NewsSentence): Omit<Entity, 'text'>[] {
  const marked = sentence.entities.flatMap(({ label, text, startOffset, endOffset }) => {
    if (rand() < 0.08) return [];
    const space = text.indexOf(' ');
    const end = space > 0 && rand() < 0.12 ? startOffset + space : endOffset;
    const swapped = rand() < 0.06 && label !== 'PER' ? (label === 'ORG' ? 'LOC' : 'ORG') : label;
    return [{ label: swapped, startOffset, endOffset: end }];
  });
  const stray = /\b(Monday|Thursday|Dr)\b/.exec(sentence.source);
  if (stray && rand() < 0.25) marked.push({ label: 'ORG', startOffset: stray.index, endOffset: stray.index + stray[0].length });
  return marked;
}

function newsEntityObjects(): JobObject[] {
  const rand = seededRandom(0x4e45);
  const team = shifts(rand, WORKFORCE.slice(0, 6), '2025-06-16T08:30:00Z', 2);
  return NEWS_SENTENCES.map((sentence): JobObject => {
    const answers = shuffled(rand, team).slice(0, 3).map((shift) => {
      const entities = markedEntities(rand, sentence);
      const seconds = clamp(shift.pace * (sentence.source.length / 4 + 8 * entities.length), 8, 120);
      return answer(rand, shift, seconds, { 'crowd-entity-annotation': { entities } });
    });
    return { data: { source: sentence.source }, answers: answers.sort(bySubmission) };
  });
}

// ---------------------------------------------------------------------------------------------
// Job 6: street-scene-masks

interface MaskScene {
  image: string;
  /** The true sky (rows above `horizon`), road band (`roadTop`…`roadBottom`) and cars ([left, top, right, bottom]). */
  horizon: number;
  roadTop: number;
  roadBottom: number;
  cars: [number, number, number, number][];
}

const [MASK_WIDTH, MASK_HEIGHT] = [192, 108];
const MASK_COLORS = { car: '#1f77b4', road: '#ff7f0e', sky: '#2ca02c' };
const MASK_SCENES: MaskScene[] = [
  { image: 'masks-0001.jpg', horizon: 40, roadTop: 70, roadBottom: 100, cars: [[30, 60, 80, 90]] },
  { image: 'masks-0002.jpg', horizon: 35, roadTop: 65, roadBottom: 105, cars: [[100, 55, 170, 95], [20, 70, 50, 88]] },
  { image: 'masks-0003.jpg', horizon: 50, roadTop: 75, roadBottom: 108, cars: [] },
  { image: 'masks-0004.jpg', horizon: 30, roadTop: 60, roadBottom: 98, cars: [[60, 50, 130, 92]] },
  { image: 'masks-0005.jpg', horizon: 45, roadTop: 72, roadBottom: 104, cars: [[10, 64, 44, 84], [140, 66, 185, 96]] },
  { image: 'masks-0006.jpg', horizon: 38, roadTop: 68, roadBottom: 102, cars: [[75, 58, 120, 94]] },
];

/** One worker's RGBA PNG, base64: each region's boundary jittered by a few pixels, a car missed now and then. */
function paintedMask(rand: Rand, scene: MaskScene): string {
  const jitter = (value: number) => value + Math.round(gaussian(rand) * 2);
  const [horizon, roadTop, roadBottom] = [jitter(scene.horizon), jitter(scene.roadTop), jitter(scene.roadBottom)];
  const cars = scene.cars.filter(() => rand() >= 0.12).map((car) => car.map(jitter));
  const data = new Uint8Array(MASK_WIDTH * MASK_HEIGHT * 4);
  const paint = (pixel: number, hex: string) => {
    const key = Number.parseInt(hex.slice(1), 16);
    data.set([key >> 16, (key >> 8) & 0xff, key & 0xff, 255], pixel * 4);
  };
  for (let y = 0; y < MASK_HEIGHT; y += 1) {
    for (let x = 0; x < MASK_WIDTH; x += 1) {
      const pixel = y * MASK_WIDTH + x;
      if (cars.some(([left, top, right, bottom]) => x >= left! && x < right! && y >= top! && y < bottom!)) paint(pixel, MASK_COLORS.car);
      else if (y < horizon) paint(pixel, MASK_COLORS.sky);
      else if (y >= roadTop && y < roadBottom) paint(pixel, MASK_COLORS.road);
    }
  }
  return Buffer.from(encode({ width: MASK_WIDTH, height: MASK_HEIGHT, data, channels: 4, depth: 8 })).toString('base64');
}

function streetMaskObjects(): JobObject[] {
  const rand = seededRandom(0x3a5c);
  const team = shifts(rand, WORKFORCE.slice(1, 6), '2025-06-23T10:00:00Z', 2);
  const labelMappings = Object.fromEntries(Object.entries(MASK_COLORS).map(([label, color]) => [label, { color }]));
  return MASK_SCENES.map((scene): JobObject => {
    const answers = shuffled(rand, team).slice(0, 3).map((shift) => answer(rand, shift, clamp(shift.pace * between(rand, 40, 120), 20, 240), {
      'crowd-semantic-segmentation': {
        inputImageProperties: { width: MASK_WIDTH, height: MASK_HEIGHT },
        labelMappings,
        labeledImage: { pngImageData: paintedMask(rand, scene) },
      },
    }));
    return { data: { 'source-ref': `s3://${BUCKET}/street-images/${scene.image}` }, answers: answers.sort(bySubmission) };
  });
}

await writeJob('multimodal-content-eval', '2025-03-08T19:42:13Z', contentEvalObjects());
await writeJob('support-ticket-sentiment', '2025-04-14T16:27:51Z', sentimentObjects());
await writeJob('text-ranking-preferences', '2025-05-20T17:03:18Z', textRankingObjects());
await writeJob('street-scene-boxes', '2025-06-02T14:12:40Z', streetSceneObjects());
await writeJob('news-entities', '2025-06-16T13:05:22Z', newsEntityObjects());
await writeJob('street-scene-masks', '2025-06-23T12:40:05Z', streetMaskObjects());
