/**
 * Mask vote (`crowd-semantic-segmentation`): every pixel's class is voted over workers; `crowd-instance-segmentation`
 * answers are matched as instances (below). crowd-kit's `SegmentationMajorityVote` (Lee, Das Sarma & Parameswaran 2018) generalised from
 * one class to many: a pixel is on iff `2·Σ seg − workers ≥ 0`, that is votes ≥ ⌈workers / 2⌉.
 *
 * Classes: the field's labels across the job, sorted (`FieldContext.labels`); class i + 1 = labels[i], 0 = BACKGROUND.
 * Each worker's PNG (fast-png, `masks/png.ts`) is read through that worker's own colours (`labelMappings` label →
 * colour; in a field mixing both tools each instance's colour → its label); an unmapped colour (black, an anti-aliased edge) or a transparent
 * pixel is background.
 *
 * Vote, per pixel p, with v_c(p) = the workers who gave p class c ≥ 1 and n = workers:
 *   c*(p) = argmax_c v_c(p);  result(p) = c* if v_c*(p) ≥ `quorum` (default ⌈n / 2⌉), else BACKGROUND.
 * Background is not a candidate: workers who left p unlabelled are the "no" votes the quorum counts against, as in the
 * other shape strategies, so a 2–2 split between a class and background goes to the class, as in crowd-kit. Tie
 * policy (`tie`) between classes tied at the top with a quorum (n even, or `quorum` lowered):
 * - `background` (default): the pixel is background: the workers disagree on what it is, and a wrong class in a
 *   training mask costs more than an unlabelled pixel; it also favours no label by its name's sort order;
 * - `lowest`: the lowest class index (majority vote's `lowest`, crowd-kit's first maximum).
 *
 * Confidence: a(p) = the share of workers whose class at p is the result's (background counts as a class here), over
 * the labelled pixels L (those at least one worker labelled; pixels nobody labelled are certain and would swamp it):
 *   object = mean_{p ∈ L} a(p) (1 when L is empty);  class c = mean of a(p) over the pixels of L given c (0 for a class
 *   no pixel was given; BACKGROUND: 1 when none of L became background). 0 everywhere with one worker.
 *
 * Unresolved, with `details.reason`: PNGs of different sizes, a PNG that cannot be read, one declaring more than
 * `maxPixels` pixels (checked in IHDR before decoding) or whose data inflates past its declared size, more than 255
 * classes.
 *
 * Output: Ground Truth's built-in semantic segmentation. The value is an 8-bit indexed PNG (pixel = class index; palette
 * = each class's colour as the first worker mapping it gave it, #ffffff for BACKGROUND as AWS writes), a file the run
 * writes beside the output manifest, the line holding its location at `<field>-ref` (`Decision.file`); the details
 * hold `"internal-color-map": {index: {class-name, hex-color, confidence}}`.
 *
 * Instances, when every answer is `crowd-instance-segmentation` (`instances` = one colour per instance): each worker's
 * PNG is read as instance maps (colour → instance; pixels in no instance's colour are none), and the instances are
 * matched as the other shapes are (`shapes/consolidate-shapes.ts`: per label unless `crossLabel`, a label tie then
 * broken by `labelTie`, `random` deciding on the main thread where the run's seeded source is; greedy pairwise
 * matching on raster IoU ≥ `iou` (0.5), clusters with one instance per worker, kept when `quorum` workers drew it).
 * A kept instance's pixels are those at least ⌈members / 2⌉ of its members cover (the majority vote above, within the
 * cluster); its confidence = votes / workers × mean IoU of the result with the members, the field's the mean over
 * clusters (1 − votes / workers for a dropped one), 0 with one worker. Output: the submitted form,
 * `{labeledImage: {pngImageData}, instances: [{color, label}], inputImageProperties}` (an RGBA PNG, inline as workers
 * send it: one per object, where the input had one per worker), `details.instances[i] = {confidence, votes}`.
 */
import { z } from 'zod';
import { compareLabels } from './answer-table.js';
import { colorKey, encodeIndexedPng, hexColor, MaskImageError, readPixelClasses } from './masks/png.js';
import { defaultMaskThreads, maskPool } from './masks/mask-pool.js';
import { instanceIou, instancesOf, instancesPng, pixelMajority } from './masks/instances.js';
import { votePixels } from './masks/pixel-vote.js';
import { consolidateShapes, matchingOptions } from './shapes/consolidate-shapes.js';
import { commonImageSize } from './shapes/image-size.js';
import { keptShapesDecision } from './shapes/kept-shapes.js';
import type { AnswerValue, Decision, FieldAnswer, Strategy } from './types.js';

const background = { name: 'BACKGROUND', color: 0xffffff };
/** The colour of a class no worker of the object mapped (it has no pixels; the palette still needs an entry). */
const unmappedColor = 0x000000;

const options = z.strictObject({
  ...matchingOptions,
  tie: z.enum(['background', 'lowest']).default('background'),
  maxPixels: z.number().int().min(1).default(50_000_000),
  /** Instances: least raster IoU for two workers' instances to be one. */
  iou: z.number().gt(0).max(1).default(0.5),
  /** Worker threads deciding masks (`masks/mask-pool.ts`); 0 = on the main thread. The output is the same. */
  threads: z.number().int().min(0).max(64).default(defaultMaskThreads),
});
export type MaskVoteOptions = z.infer<typeof options>;
type MaskAnswer = Extract<AnswerValue, { kind: 'mask' }>;

export interface ConsolidatedMask {
  width: number;
  height: number;
  /** The 8-bit indexed PNG, to write as `<label>-ref`. */
  png: Uint8Array;
  /** By class index (0 = BACKGROUND). */
  colorMap: { 'class-name': string; 'hex-color': string; confidence: number }[];
  confidence: number;
  labelledPixels: number;
  tiedPixels: number;
}

export const maskVote: Strategy<MaskVoteOptions> = {
  name: 'mask-vote',
  summary: 'per-pixel plurality over workers\' masks (quorum ⌈n/2⌉, tie background|lowest); indexed PNG output; instances matched by IoU',
  kinds: ['mask'],
  options,
  create: (settings, field) => ({
    decide: (answers, { random }) => decideMask(answers, settings, random, field?.labels),
    // A random label tie draws from the run's seeded source, which lives on the main thread.
    ...(settings.threads > 0 && settings.labelTie !== 'random' && {
      decideOffThread: async (answers: readonly FieldAnswer[]) => {
        const decision = await maskPool(settings.threads).run({ answers, settings, labels: field?.labels });
        return decision.shapes ? { ...decision, shapes: { ...decision.shapes, similarity: instanceIou } } as Decision : decision;
      },
    }),
  }),
};

/**
 * One object's decision: instances when every answer is an instance mask, else the pixel vote. `random` = the run's
 * seeded source, for a `labelTie` of `random`.
 */
export function decideMask(answers: readonly FieldAnswer[], settings: MaskVoteOptions, random: () => number, labels?: readonly string[]): Decision {
  try {
    if (answers.every(({ value }) => value.kind === 'mask' && value.instances)) return consolidateInstances(answers, settings, random);
    const mask = consolidateMasks(answers, settings, labels);
    return {
      value: mask.png,
      file: { extension: 'png', mediaType: 'image/png' },
      confidence: mask.confidence,
      details: {
        'internal-color-map': { ...mask.colorMap },
        width: mask.width, height: mask.height, labelledPixels: mask.labelledPixels,
        ...(mask.tiedPixels > 0 && { tiedPixels: mask.tiedPixels }),
      },
    };
  } catch (error) {
    if (!(error instanceof MaskImageError)) throw error;
    return { value: undefined, confidence: 0, details: { reason: error.message } };
  }
}

/**
 * The vote over one object's masks. `labels` = the field's labels in the job (sorted); without them, those the
 * answers map. Throws `MaskImageError` when the object cannot be consolidated.
 */
export function consolidateMasks(answers: readonly FieldAnswer[], { quorum, tie, maxPixels }: MaskVoteOptions, labels?: readonly string[]): ConsolidatedMask {
  const masks = masksOf(answers);
  const classNames = [background.name, ...(labels ?? labelsOf(masks))];
  if (classNames.length > 256) throw new MaskImageError(`${classNames.length - 1} classes do not fit an 8-bit PNG (255 at most)`);
  const classIndex = new Map(classNames.slice(1).map((label, i) => [label, i + 1]));
  const palette = classNames.map((_, index) => (index === 0 ? background.color : unmappedColor));
  const colored = new Set<number>();
  const { width, height, maps } = readMaps(answers, masks.map((mask) => {
    const classOfColor = new Map<number, number>();
    for (const { label, color } of colorsOf(mask)) {
      const index = classIndex.get(label);
      if (index === undefined) throw new Error(`label "${label}" is not among the field's labels`);
      classOfColor.set(colorKey(color), index);
      if (!colored.has(index)) palette[index] = colorKey(color);
      colored.add(index);
    }
    return classOfColor;
  }), maxPixels);
  const workers = maps.length;
  const vote = votePixels(maps, classNames.length, quorum ?? Math.ceil(workers / 2), tie);
  const single = workers < 2;
  const classConfidence = (index: number) => single ? 0
    : vote.pixels[index]! > 0 ? vote.agreement[index]! / vote.pixels[index]! : index === 0 ? 1 : 0;
  return {
    width,
    height,
    png: encodeIndexedPng(vote.classes, width, height, palette),
    colorMap: classNames.map((name, index) => ({ 'class-name': name, 'hex-color': hexColor(palette[index]!), confidence: classConfidence(index) })),
    confidence: single ? 0 : vote.labelledPixels > 0 ? vote.labelledAgreement / vote.labelledPixels : 1,
    labelledPixels: vote.labelledPixels,
    tiedPixels: vote.tiedPixels,
  };
}

/** Instance answers matched across workers and kept as instances (see the header). */
function consolidateInstances(
  answers: readonly FieldAnswer[], { quorum, crossLabel, labelTie, iou, maxPixels }: MaskVoteOptions, random: () => number,
): Decision {
  const masks = masksOf(answers);
  const instances = masks.map((mask) => mask.instances!);
  if (instances.some((list) => list.length > 255)) throw new MaskImageError('a worker drew more than 255 instances (an 8-bit map holds 255)');
  // An instance's colour → 1 + its index; a colour given twice is the first instance's.
  const { width, height, maps } = readMaps(answers, instances.map((list) =>
    new Map(list.map(({ color }, i) => [colorKey(color), i + 1] as const).reverse())), maxPixels);
  const drawn = maps.map((map, worker) => instancesOf(map, instances[worker]!));
  const result = consolidateShapes(drawn, instanceIou, pixelMajority(width * height), { threshold: iou, quorum, crossLabel, labelTie, random });
  const { png, instances: kept } = instancesPng(result.kept, width, height);
  const image = commonImageSize(answers);
  const decision = keptShapesDecision(result, {
    kind: 'mask', png: Buffer.from(png).toString('base64'), labelMappings: {}, instances: kept, ...(image && { image }),
  }, 'instances');
  return { ...decision, details: { ...decision.details, width, height } };
}

function masksOf(answers: readonly FieldAnswer[]): MaskAnswer[] {
  return answers.map(({ value }) => {
    if (value.kind !== 'mask') throw new Error(`mask-vote cannot read a ${value.kind} answer`);
    return value;
  });
}

/** Each worker's PNG read through its own colours (`0xrrggbb` → index); all of one size. */
function readMaps(answers: readonly FieldAnswer[], colorMaps: readonly ReadonlyMap<number, number>[], maxPixels: number) {
  const read = answers.map(({ value, workerId }, worker) => {
    try {
      return readPixelClasses(Buffer.from((value as MaskAnswer).png, 'base64'), colorMaps[worker]!, maxPixels);
    } catch (error) {
      if (error instanceof MaskImageError) throw new MaskImageError(`worker ${workerId}: ${error.message}`);
      throw error;
    }
  });
  const sizes = new Set(read.map((map) => `${map.width}×${map.height}`));
  if (sizes.size > 1) throw new MaskImageError(`the workers' PNGs differ in size (${[...sizes].join(', ')})`);
  return { width: read[0]!.width, height: read[0]!.height, maps: read.map((map) => map.classes) };
}

/** The colour of each class a worker drew with. */
function colorsOf(mask: MaskAnswer): { label: string; color: string }[] {
  return mask.instances ?? Object.entries(mask.labelMappings).map(([label, { color }]) => ({ label, color }));
}

function labelsOf(masks: readonly MaskAnswer[]): string[] {
  const labels = [...new Set(masks.flatMap((mask) => colorsOf(mask).map(({ label }) => label)))];
  return labels.sort(compareLabels(labels));
}
