/**
 * Generates the two sample SageMaker Ground Truth custom labeling jobs under sample-output/,
 * laid out as the service writes them to s3://acme-ml-labeling/ground-truth/output/:
 *
 * - `multimodal-content-eval`: 34 image-prompt/model-answer pairs (AWS's gen-ai multi-modal
 *   content evaluation template), rated by 3–5 workers each on accuracy, relevance and
 *   completeness (crowd-slider, 1–5) with an optional `additional-context` comment; object 17
 *   expired without answers.
 * - `support-ticket-sentiment`: 24 customer support messages labelled positive / negative /
 *   neutral (crowd-classifier) by 3 workers each, with a few 2–1 splits and two 1–1–1 ties.
 *
 * The data comes from fixed seeds, so re-running rewrites byte-identical files:
 *
 *   npx tsx sample-output/generate-jobs.ts
 *
 * Each run first deletes the two job folders, so no stale file survives.
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

/** One private Cognito workteam; job 1 uses workers 0–7, job 2 workers 5–9. */
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

await writeJob('multimodal-content-eval', '2025-03-08T19:42:13Z', contentEvalObjects());
await writeJob('support-ticket-sentiment', '2025-04-14T16:27:51Z', sentimentObjects());
