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
 * The data comes from fixed seeds, so re-running rewrites byte-identical files:
 *
 *   npx tsx sample-output/generate-jobs.ts
 *
 * Each run first deletes the job folders, so no stale file survives.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJobTree, type JobAnswer, type JobObject } from '../test/helpers/gt-job-tree.js';
import { seededRandom } from '../src/pipeline/random.js';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const BUCKET = 'acme-ml-labeling';
const PREFIX = 'ground-truth/output';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Xk29LpQ7d';

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

const EVAL_ITEMS: EvalItem[] = [
  {
    source: 'How many people are in this photo and what are they doing?',
    image: 'park-picnic-0193.jpg',
    modelResponse: 'There are three people sitting on a blanket in a park, sharing food from a picnic basket. One of them is pouring a drink.',
    quality: [3.0, 4.5, 2.6],
    issues: ['Misses the second person in the background by the tree.', 'Count is wrong, there are four people.', "Doesn't mention the dog."],
  },
  {
    source: 'What does the sign in this picture say?',
    image: 'street-sign-0457.jpg',
    modelResponse: 'The sign reads "No Parking 7AM–9AM Mon–Fri", with a tow-away warning below it.',
    quality: [4.7, 4.9, 4.6],
    praise: ['Text transcribed exactly.', 'Correct, including the tow-away line.'],
  },
  {
    source: 'Is this mushroom safe to eat?',
    image: 'forest-mushroom-0021.jpg',
    modelResponse: 'This appears to be a chanterelle, which is edible. However, never eat a wild mushroom based on a photo alone; confirm the identification with a local expert first.',
    quality: [3.9, 4.5, 4.0],
    disputed: true,
    issues: ["Could be a jack-o'-lantern, naming it as edible is risky.", 'Those look like true gills, not ridges, so probably not a chanterelle.'],
    praise: ['Good that it adds a safety caveat.'],
  },
  {
    source: 'Describe this chart in one sentence.',
    image: 'quarterly-revenue-chart-0088.jpg',
    modelResponse: 'The bar chart shows quarterly revenue rising steadily from about $1.2M in Q1 to $2.0M in Q4.',
    quality: [4.2, 4.8, 4.3],
    issues: ['Q4 is closer to $1.9M.'],
    praise: ['Good one-sentence summary.'],
  },
  {
    source: 'What breed is this dog?',
    image: 'dog-portrait-0310.jpg',
    modelResponse: 'This looks like a Border Collie, based on the black-and-white coat and medium build.',
    quality: [4.5, 4.8, 4.2],
    issues: ['Could mention it might be a mix.'],
    praise: ['Correct breed.'],
  },
  {
    source: 'Translate the text on this menu into English.',
    image: 'menu-french-0142.jpg',
    modelResponse: 'The menu lists: Onion soup – €8, Duck confit with potatoes – €19, Crème brûlée – €7.',
    quality: [3.4, 4.7, 2.3],
    issues: ['Skips the last two items on the menu.', 'Prices are right but the daily special is missing.', 'only translates the first section'],
  },
  {
    source: "What's wrong with my plant? The leaves keep turning yellow.",
    image: 'houseplant-leaves-0277.jpg',
    modelResponse: 'The yellowing lower leaves with brown tips suggest overwatering. Let the soil dry out between waterings and make sure the pot drains well.',
    quality: [4.0, 4.7, 4.1],
    issues: ['Could also be a nutrient deficiency, but overwatering is plausible.'],
    praise: ['Reasonable diagnosis.'],
  },
  {
    source: 'Can you read the license plate of the red car?',
    image: 'parking-lot-0519.jpg',
    modelResponse: "The red car's license plate reads 7KJX 482.",
    quality: [1.7, 4.0, 3.0],
    issues: ['The plate is not legible in this image, the number is made up.', 'Hallucinated plate number.', "Should have said the plate can't be read."],
  },
  {
    source: 'What time does the clock on the wall show?',
    image: 'wall-clock-0066.jpg',
    modelResponse: 'The clock shows approximately 10:10.',
    quality: [1.9, 4.8, 3.6],
    issues: ['Wrong, it shows 1:50. The hour and minute hands are mixed up.', 'Hands swapped.'],
  },
  {
    source: "Summarize what's happening in this scene.",
    image: 'construction-site-0231.jpg',
    modelResponse: 'Workers in hard hats are pouring concrete for a foundation while an excavator digs in the background.',
    quality: [4.3, 4.6, 3.8],
    issues: ['Missing the crane on the left.'],
    praise: ['Good description.'],
  },
  {
    source: 'Which of these bananas is the ripest?',
    image: 'fruit-bowl-0398.jpg',
    modelResponse: 'The banana on the far right is the ripest: its peel is covered in brown spots, while the others are still slightly green at the stem.',
    quality: [4.4, 4.6, 4.3],
    praise: ['Correct, the spotted one.'],
  },
  {
    source: 'Is there anything unsafe in this kitchen?',
    image: 'kitchen-counter-0412.jpg',
    modelResponse: 'A knife is lying near the edge of the counter, and a pan handle sticks out over the front of the stove where it could be knocked.',
    quality: [4.6, 4.8, 3.7],
    issues: ["Doesn't mention the dish towel right next to the burner."],
    praise: ['Good catch on the pan handle.'],
  },
  {
    source: 'What kind of bird is this?',
    image: 'backyard-bird-0104.jpg',
    modelResponse: 'This is a male Northern Cardinal, identifiable by its bright red plumage and black face mask.',
    quality: [4.8, 4.9, 4.7],
    praise: ['Correct ID.'],
  },
  {
    source: 'How much does the total come to on this receipt?',
    image: 'grocery-receipt-0350.jpg',
    modelResponse: 'The total on the receipt is $47.83, including $3.12 in tax.',
    quality: [3.4, 4.6, 3.9],
    disputed: true,
    issues: ['Total is $47.38, the digits are transposed.', 'Receipt is blurry near the total, hard to verify.'],
  },
  {
    source: 'Describe the outfit the person is wearing.',
    image: 'street-fashion-0187.jpg',
    modelResponse: 'The person is wearing a navy trench coat over a white sweater, dark jeans and brown ankle boots.',
    quality: [4.2, 4.8, 4.0],
    issues: ['Misses the scarf.', 'Coat looks black to me, not navy.'],
  },
  {
    source: 'What is the name of this landmark?',
    image: 'landmark-bridge-0029.jpg',
    modelResponse: 'This is the Golden Gate Bridge in San Francisco.',
    quality: [1.4, 4.2, 3.0],
    issues: ['Wrong landmark, this is the 25 de Abril Bridge in Lisbon.', 'Confuses it with the Golden Gate. You can see Lisbon in the background.'],
  },
  {
    source: 'Explain what this diagram shows.',
    image: 'water-cycle-diagram-0075.jpg',
    modelResponse: 'The diagram shows the water cycle: evaporation from the ocean, condensation into clouds, precipitation over the mountains, and runoff back to the sea.',
    quality: [4.7, 4.9, 4.4],
    issues: ['Missing transpiration from the trees.'],
  },
  {
    source: 'Count the cars waiting at the traffic light.',
    image: 'intersection-0602.jpg',
    modelResponse: 'There are five cars waiting at the red light, plus a bus in the right-hand lane.',
    expired: true,
  },
  {
    source: 'What emotion does the child in the photo seem to be feeling?',
    image: 'child-birthday-0263.jpg',
    modelResponse: 'The child looks excited and happy, smiling widely while looking at the birthday cake.',
    quality: [4.2, 4.7, 4.3],
    issues: ['Child looks more surprised than happy.'],
  },
  {
    source: 'Write alt text for this image.',
    image: 'beach-sunset-0411.jpg',
    modelResponse: 'A sunset over a calm beach.',
    quality: [4.4, 4.0, 2.1],
    issues: ['Too short for alt text, misses the two surfers.', 'Accurate but minimal.', 'Should mention the pier.'],
  },
  {
    source: "Can I park in this spot? I don't have a permit.",
    image: 'parking-sign-0533.jpg',
    modelResponse: 'Yes, you can park here. The sign only restricts parking on weekends.',
    quality: [1.5, 4.5, 2.8],
    issues: ['Sign says permit holders only Mon–Sat 8am–6pm, so the answer is wrong.', 'Misreads the sign, this could get the user a ticket.'],
  },
  {
    source: 'What ingredients can you see on the cutting board?',
    image: 'cutting-board-0144.jpg',
    modelResponse: 'I can see tomatoes, a red onion, garlic cloves, fresh basil and a block of mozzarella.',
    quality: [4.1, 4.8, 4.0],
    issues: ["The 'mozzarella' looks like tofu to me."],
    praise: ['Good list.'],
  },
  {
    source: 'What does the error message on my screen say?',
    image: 'laptop-error-0219.jpg',
    modelResponse: 'The screen shows a Windows blue screen with the stop code CRITICAL_PROCESS_DIED.',
    quality: [4.6, 4.4, 3.5],
    issues: ["Doesn't explain what the error means, but the user only asked what it says."],
    praise: ['Correct stop code.'],
  },
  {
    source: 'How good is the composition of this photograph?',
    image: 'mountain-lake-0092.jpg',
    modelResponse: 'The composition is strong: the horizon sits on the lower third, the pine on the left frames the lake, and the reflection leads the eye to the peak.',
    quality: [3.9, 4.6, 4.2],
    disputed: true,
    issues: ['The horizon is actually centered, not on the lower third.'],
    praise: ['Subjective but well argued.'],
  },
  {
    source: 'How many calories are in this meal?',
    image: 'burger-plate-0377.jpg',
    modelResponse: 'This meal has exactly 1,240 calories.',
    quality: [2.2, 4.0, 1.9],
    issues: ['Gives a precise number with no basis, should give a range.', 'Overconfident estimate, no breakdown of the burger vs fries.'],
  },
  {
    source: 'What species is the tree in the foreground?',
    image: 'autumn-tree-0158.jpg',
    modelResponse: 'The tree in the foreground is a sugar maple, recognizable by its five-lobed leaves turning orange and red.',
    quality: [4.3, 4.8, 4.3],
    issues: ['Could be a red maple, the leaves are hard to see.'],
  },
  {
    source: 'Are there any typos on this poster?',
    image: 'event-poster-0446.jpg',
    modelResponse: 'Yes: "Saturday" is misspelled as "Saturady", and "accomodation" should be "accommodation".',
    quality: [4.0, 4.8, 3.0],
    issues: ['Missed "recieve" in the footer.'],
    praise: ['Both flagged typos are real.'],
  },
  {
    source: 'What is the person in the photo holding?',
    image: 'subway-commuter-0288.jpg',
    modelResponse: 'The person is holding a smartphone in their right hand and a coffee cup in their left.',
    quality: [4.7, 4.9, 4.6],
  },
  {
    source: 'Describe the weather in this picture.',
    image: 'city-skyline-0504.jpg',
    modelResponse: 'It is a clear, sunny day with no clouds in the sky.',
    quality: [2.3, 4.6, 3.4],
    issues: ["There's clearly fog over the lower buildings.", "Not clear at all, it's hazy and overcast."],
  },
  {
    source: "What's the make and model of this car?",
    image: 'classic-car-0013.jpg',
    modelResponse: 'This is a 1965 Ford Mustang convertible in red.',
    quality: [4.1, 4.8, 4.4],
    disputed: true,
    issues: ['The grille looks like a 1966 model.', 'Make and model are right, the year is debatable.'],
  },
  {
    source: 'Can you explain the math problem written on the whiteboard?',
    image: 'whiteboard-math-0321.jpg',
    modelResponse: 'The whiteboard shows the quadratic equation x² − 5x + 6 = 0. Factoring gives (x − 2)(x − 3) = 0, so x = 2 or x = 3.',
    quality: [4.8, 4.9, 4.6],
    praise: ['Correct and clear.'],
  },
  {
    source: 'How old does this building look?',
    image: 'old-building-0249.jpg',
    modelResponse: 'Based on the Gothic Revival arches and the weathered brick, this building likely dates from the late 19th century.',
    quality: [3.9, 4.6, 3.9],
    praise: ['Reasonable estimate.', 'Hard to verify, but the reasoning is sound.'],
  },
  {
    source: 'What is the dog doing in this picture?',
    image: 'dog-beach-0372.jpg',
    modelResponse: 'The dog is sitting calmly on the sand.',
    quality: [1.8, 4.6, 2.7],
    issues: ['The dog is mid-jump catching a frisbee, not sitting.', 'Completely misses the action.'],
  },
  {
    source: 'List the items on the desk.',
    image: 'office-desk-0117.jpg',
    modelResponse: 'There is a laptop, a coffee mug, a notebook and a pen on the desk.',
    quality: [3.8, 4.8, 2.7],
    issues: ['Misses the headphones and the plant.', 'Incomplete list.'],
  },
];

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
const TICKETS: (Ticket | { source: string; label: 'tie' })[] = [
  { source: 'Your app logged me out three times today and I lost my draft each time. This is really frustrating.', label: 'negative' },
  { source: 'Just wanted to say thanks to Priya for sorting out my billing issue so quickly!', label: 'positive' },
  { source: 'How do I change the email address on my account?', label: 'neutral' },
  { source: 'I was charged twice for my March subscription. Please refund the duplicate charge.', label: 'negative', dissent: 'neutral' },
  { source: 'The new dashboard looks great, much easier to find things now.', label: 'positive' },
  { source: "Order #48213 still hasn't shipped and it's been 9 days. Nobody has replied to my last two emails.", label: 'negative' },
  { source: 'Can you send me an invoice with our VAT number on it?', label: 'neutral' },
  { source: 'Thanks for the quick reply, but the issue is still not fixed.', label: 'tie' },
  { source: 'I love the product, but delivery took almost three weeks.', label: 'negative', dissent: 'positive' },
  { source: 'The export to CSV works fine now, thanks.', label: 'positive' },
  { source: 'Is there a discount for non-profits?', label: 'neutral' },
  { source: "I've been a customer for 6 years and this is the worst service I've ever had.", label: 'negative' },
  { source: 'Please cancel my subscription at the end of the current billing period.', label: 'neutral', dissent: 'negative' },
  { source: 'The installer keeps failing with error 0x80070005 on Windows 11.', label: 'negative', dissent: 'neutral' },
  { source: "Well, the replacement arrived. Let's see how long this one lasts.", label: 'tie' },
  { source: "Your support team went above and beyond. I'll be recommending you to my colleagues.", label: 'positive' },
  { source: 'Where can I find the API rate limits documented?', label: 'neutral' },
  { source: 'The update is okay I guess, though I preferred the old layout.', label: 'neutral', dissent: 'negative' },
  { source: 'Still waiting on that refund you promised last week...', label: 'negative' },
  { source: 'Setup took five minutes. Impressed!', label: 'positive' },
  { source: 'Could you confirm whether my data is stored in the EU region?', label: 'neutral' },
  { source: 'Not thrilled about the price increase, but the new features are useful.', label: 'neutral', dissent: 'negative' },
  { source: 'The chatbot answered my question right away, nice.', label: 'positive', dissent: 'neutral' },
  { source: 'Your courier left the package in the rain and everything inside is soaked.', label: 'negative' },
];

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

const RANKING_ITEMS: RankingItem[] = [
  {
    source: 'How do I remove duplicates from a list in Python but keep the original order?',
    responses: [
      'Use `list(dict.fromkeys(items))`. Dictionaries keep insertion order since Python 3.7, so the first occurrence of each element stays where it was.',
      'Convert it to a set: `list(set(items))`. That removes all the duplicates.',
      "Loop over the list and append each element to a new list if it isn't in it yet. It's the obvious approach, even a beginner would think of it, though the `in` check makes it slow on long lists.",
    ],
    clarity: [1, 3, 2],
    inclusivity: [1, 2, 3],
    notes: [
      "Response 2 ignores the 'keep the order' part, a set doesn't preserve it.",
      'Response 1 is short and explains why it works.',
      "Response 3 works but 'even a beginner would think of it' is a bit condescending.",
    ],
  },
  {
    source: 'What can I use instead of eggs in banana bread?',
    responses: [
      "The mashed banana already binds the batter, so replace each egg with 3 tablespoons of unsweetened applesauce or a 'flax egg' (1 tablespoon ground flaxseed mixed with 3 tablespoons water, left for 5 minutes). Expect a slightly denser loaf.",
      'Just use a flax egg.',
      "Whether you're vegan or have an egg allergy, a flax egg (1 tbsp ground flaxseed + 3 tbsp water per egg) or 1/4 cup of applesauce works well. The loaf will be a little denser and may need 5 more minutes in the oven.",
    ],
    clarity: [1, 3, 1],
    inclusivity: [2, 3, 1],
    swap: { dimension: 'inclusivity', responses: [2, 0] },
    notes: [
      'Responses 1 and 3 are equally clear, both give amounts.',
      "Response 2 doesn't say how much flax to use.",
      'Response 3 also thinks of people with egg allergies.',
    ],
  },
  {
    source: "Is the Japan Rail Pass worth it for a 10-day trip: Tokyo, Kyoto, Hiroshima and back to Tokyo?",
    responses: [
      'Since the October 2023 price increase, the 7-day pass (50,000 yen) only pays off if you ride a lot. Add up the single shinkansen fares for your route with a JR fare calculator first: Tokyo–Kyoto–Hiroshima–Tokyo comes out close to break-even.',
      'Yes, the JR Pass is always worth it for tourists and saves you a lot of money.',
      "Probably not. Single tickets for that route now cost about the same as the pass, and the pass doesn't cover the fastest Nozomi trains without a surcharge, so buy tickets leg by leg unless you add more long trips.",
    ],
    clarity: [2, 3, 1],
    inclusivity: [1, 3, 2],
    notes: [
      'Response 2 is outdated, the pass price went up in 2023.',
      'Response 3 gives a direct answer and the reason for it.',
      "Response 2 just says yes without any numbers.",
    ],
  },
  {
    source: 'Can I take ibuprofen and acetaminophen together for a headache?',
    responses: [
      "Most adults can take them together or alternate them, because they work in different ways. Stick to the dose on each label, and avoid ibuprofen if you have stomach ulcers or kidney problems or are in late pregnancy; a pharmacist can check it against your other medicines.",
      "Yes, it's safe. Take two of each.",
      'Many people combine them, but check each label for the maximum daily dose. If your headaches keep coming back, see a doctor.',
    ],
    clarity: [1, 3, 2],
    inclusivity: [1, 3, 2],
    notes: [
      'Response 1 is the only one that says who should avoid ibuprofen.',
      "'Take two of each' ignores weight, age and other medication.",
      'Response 3 is fine but vague about doses.',
    ],
  },
  {
    source: "Can you make this sound more professional? \"Hey guys, just checking if anyone finished the report yet?\"",
    responses: [
      'Hi everyone, could you let me know whether the report is ready?',
      'Hi all, I wanted to follow up on the status of the report. Has anyone had a chance to finish it?',
      'Gentlemen, kindly advise whether the report has been completed.',
    ],
    clarity: [1, 1, 3],
    inclusivity: [2, 1, 3],
    swap: { dimension: 'inclusivity', responses: [1, 0], comment: "1 and 2 are both fine, 1 is more direct." },
    notes: [
      "'Gentlemen' assumes the whole team is men.",
      'Responses 1 and 2 are both good, 2 sounds a little more polished.',
      'Response 3 is far too stiff for a team message.',
    ],
  },
  {
    source: "What's the derivative of x² · sin(x)?",
    responses: [
      'By the product rule: 2x·sin(x) + x²·cos(x).',
      "Use the product rule (fg)' = f'g + fg' with f = x² and g = sin(x). Since f' = 2x and g' = cos(x), the derivative is 2x·sin(x) + x²·cos(x).",
      'The derivative is 2x·cos(x).',
    ],
    clarity: [2, 1, 3],
    inclusivity: [2, 1, 3],
    notes: [
      'Response 3 is wrong, it differentiates each factor separately.',
      'Response 2 shows the steps, easiest to follow for a student.',
      'Responses 1 and 2 are both correct, 2 shows the work.',
    ],
  },
  {
    source: [
      { role: 'system', content: 'You are a friendly cooking assistant. Keep your answers short.' },
      { role: 'user', content: "I want to bake bread this weekend but I've never done it before." },
      { role: 'assistant', content: 'A no-knead loaf is a great first bread. Do you have flour, yeast, salt and a heavy pot with a lid?' },
      { role: 'user', content: 'I only have instant yeast and all-purpose flour. Will that work?' },
    ],
    responses: [
      'Yes! Instant yeast can go straight into the flour, and all-purpose flour just gives a slightly softer loaf than bread flour. Use about 1/4 teaspoon of yeast for 3 cups of flour.',
      'Yes, both work. Bread flour gives a chewier crumb, but all-purpose is fine.',
      'Yes. Mix 3 cups of flour, 1/4 tsp instant yeast, 1.5 tsp salt and 1.5 cups of warm water, cover and leave for 12–18 hours. Bake in the preheated covered pot at 230°C for 30 minutes, then 15 minutes uncovered.',
    ],
    favourite: [
      'Response 1 answers the question and explains what changes with all-purpose flour.',
      'The system prompt asks for short answers, Response 2 is the only one that stays short.',
      'Response 3 gives the whole recipe, which is what a first-time baker needs.',
    ],
  },
  {
    source: 'What are the common side effects of the flu vaccine?',
    responses: [
      'Most people just get a sore arm and maybe a mild fever or aches for a day or two. Serious reactions are rare.',
      'Common side effects are soreness, redness or swelling where the shot was given, headache, a low fever, muscle aches and tiredness, usually gone within one or two days. Severe allergic reactions are rare; get help right away if you have trouble breathing or your face swells after the shot.',
      'The flu vaccine can give you a mild case of the flu, so expect to feel sick for a few days.',
    ],
    clarity: [2, 1, 3],
    inclusivity: [2, 1, 3],
    swap: { dimension: 'clarity', responses: [1, 0], comment: 'Response 1 is easier to read, 2 is a long list.' },
    notes: [
      "Response 3 is misinformation, the shot can't give you the flu.",
      'Response 2 is the only one that says what to do about an allergic reaction.',
      'Response 2 is the most complete and still easy to read.',
    ],
  },
  {
    source: 'I use a wheelchair. Is Lisbon a good city to visit?',
    responses: [
      'Lisbon is hilly with a lot of cobblestones, so neighbourhoods like Alfama are hard going. The flatter Baixa and Belém areas, the metro (most stations have lifts) and the low-floor buses are much easier, and several companies run accessible tours.',
      'Lisbon is beautiful, you should definitely go! Take the famous Tram 28 through Alfama and walk up to the viewpoints at sunset.',
      'Lisbon can be challenging for wheelchair users because of its steep hills and cobblestones. You might prefer a flatter city such as Valencia.',
    ],
    clarity: [1, 3, 2],
    inclusivity: [1, 3, 2],
    notes: [
      "Response 2 ignores that the user uses a wheelchair, Tram 28 isn't accessible.",
      "Response 1 is practical and doesn't talk the user out of going.",
      'Response 3 is honest but just sends them somewhere else.',
    ],
  },
  {
    source: "Why doesn't my JavaScript forEach wait for each await inside it?",
    responses: [
      '`forEach` ignores the promises your async callback returns, so nothing waits for them. Use a `for...of` loop with `await` inside to go one at a time, or `await Promise.all(items.map(async (item) => …))` to run them in parallel.',
      'Because forEach is synchronous. Use for...of.',
      'Async iteration trips up a lot of people. `forEach` calls your function for each item but throws away the promise it returns, so switch to `for (const item of items) { await handle(item); }`, or use `Promise.all` with `map` if the order doesn\'t matter.',
    ],
    clarity: [1, 3, 1],
    inclusivity: [2, 3, 1],
    notes: [
      'Responses 1 and 3 say the same thing equally clearly.',
      "Response 2 is correct but doesn't explain anything.",
      'Response 3 has a friendlier tone.',
    ],
  },
  {
    source: "Write a one-line LinkedIn bio for me. I'm a nurse moving into health data analytics.",
    responses: [
      'Registered nurse turned health data analyst, using clinical insight and SQL to turn patient data into better care.',
      'Nurse trying to get into data stuff.',
      'Clinical nurse moving into health data analytics, bringing bedside experience to dashboards, data quality and outcomes research.',
    ],
    clarity: [1, 3, 2],
    inclusivity: [1, 3, 2],
    swap: { dimension: 'clarity', responses: [0, 2], comment: 'Response 3 says more about what they actually want to do.' },
    notes: [
      'Response 1 is one line and says exactly what the person brings.',
      'Response 2 undersells them.',
    ],
  },
  {
    source: 'If I invest $5,000 at 4% interest compounded yearly, how much will I have after 10 years?',
    responses: [
      'About $7,401: 5,000 × 1.04¹⁰ ≈ 5,000 × 1.4802 = $7,401.22.',
      "You'll have $7,000, since 4% of $5,000 is $200 a year for 10 years.",
      'Roughly $7,400 before taxes and fees. Each year the balance grows by 4%, including last year\'s interest, so after 10 years it is 5,000 × 1.04¹⁰.',
    ],
    clarity: [1, 3, 2],
    inclusivity: [2, 3, 1],
    notes: [
      "Response 2 uses simple interest, that's wrong for compounding.",
      'Response 1 gives the exact figure and the formula.',
      'Response 3 explains compounding in plain words.',
    ],
  },
  {
    source: "My recipe says to bake at 350°F. What's that in Celsius?",
    responses: [
      '350°F is about 177°C, which most recipes round to 180°C. In a fan oven, use about 160°C.',
      '176.67',
      '350°F is about 177°C, which most recipes round to 180°C. In a fan oven, use about 160°C.',
    ],
    clarity: [1, 3, 1],
    inclusivity: [1, 2, 3],
    notes: [
      'Responses 1 and 3 are identical.',
      'Response 2 is just a number without a unit.',
      '1 and 3 are the same text, had to put one above the other for inclusivity anyway.',
    ],
  },
  {
    source: [
      { role: 'system', content: 'You are a coding assistant for a data analytics team. Answer in plain language and include code when useful.' },
      { role: 'user', content: 'How do I read a CSV file into pandas?' },
      { role: 'assistant', content: "Use `pandas.read_csv`: `df = pd.read_csv('sales.csv')`. It returns a DataFrame with one column per header field." },
      { role: 'user', content: "It fails with UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9. What should I do?" },
    ],
    responses: [
      "The file isn't UTF-8; byte 0xe9 is 'é' in Latin-1 and Windows-1252. Try `pd.read_csv('sales.csv', encoding='cp1252')` or `encoding='latin-1'`.",
      "Pass `encoding_errors='ignore'` so pandas skips the bad bytes.",
      "Your file was saved in another encoding, most likely Windows-1252 by Excel. Read it with `pd.read_csv('sales.csv', encoding='cp1252')`; if accented letters still look wrong, try `encoding='latin-1'`, or re-save the file from Excel as 'CSV UTF-8'.",
    ],
    clarity: [2, 3, 1],
    inclusivity: [1, 3, 2],
    swap: { dimension: 'inclusivity', responses: [0, 2] },
    notes: [
      "Response 2 silently drops characters, people's names with accents would get mangled.",
      'Response 3 also explains how to fix the file at the source.',
      'Response 1 is correct and to the point.',
    ],
  },
  {
    source: "How can I start running if I've never exercised before?",
    responses: [
      'Start with a run-walk plan: 1 minute of jogging and 2 minutes of walking, repeated for 20 minutes, three times a week. Add a little more running each week; Couch to 5K follows this pattern over 9 weeks.',
      'Begin with brisk 20-minute walks for a week or two, then add short jogging intervals. Go at a pace where you can still talk, and rest a day between runs so your joints can adapt.',
      'Whatever your age, size or fitness level, you can start slowly: a few minutes of easy jogging mixed with walking, three days a week, is plenty. Good shoes help, and if you have a heart condition or joint problems, check with a doctor first.',
    ],
    favourite: [
      'Response 1 gives a concrete plan I could follow tomorrow.',
      'Response 2 is the most realistic for someone who has never exercised.',
      'Response 3 is encouraging and mentions checking with a doctor.',
    ],
  },
  {
    source: 'Explain what an index fund is in two sentences.',
    responses: [
      'An index fund buys all the stocks in a market index, like the S&P 500, so you own a small piece of every company in it. Because it simply follows the index instead of paying managers to pick stocks, its fees are usually low.',
      'An index fund is a mutual fund or ETF whose portfolio is constructed to match or track the components of a financial market index, providing broad market exposure, low operating expenses and low portfolio turnover.',
      "It's basically a fund for people who don't understand investing and just copy the market. Smart investors pick their own stocks.",
    ],
    clarity: [1, 2, 3],
    inclusivity: [1, 2, 3],
    notes: [
      "Response 3 is insulting to the user and isn't really an explanation.",
      'Response 1 is the only one a beginner would understand.',
      'Response 2 is accurate but full of jargon.',
    ],
  },
];

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

await writeJob('multimodal-content-eval', '2025-03-08T19:42:13Z', contentEvalObjects());
await writeJob('support-ticket-sentiment', '2025-04-14T16:27:51Z', sentimentObjects());
await writeJob('text-ranking-preferences', '2025-05-20T17:03:18Z', textRankingObjects());
