/**
 * The SageMaker augmented manifest of one field: each line exactly as a built-in Ground Truth job writes it, so the
 * consumers of those jobs take it as is (`../shared/reference/wave2-anchors.md` A1, A2):
 *
 * - boxes: `{"source-ref", "<field>": {annotations, image_size}, "<field>-metadata": {objects, class-map, type:
 *   "groundtruth/object-detection", …}}`, for SageMaker object detection with `AttributeNames: ["source-ref",
 *   "<field>"]` (in that order) and `RecordWrapperType: "RecordIO"`;
 * - spans: `{"source", "<field>": {annotations: {entities, labels}}, "<field>-metadata": {entities, type:
 *   "groundtruth/text-span", …}}`, for Amazon Comprehend (`AugmentedManifests`, `AttributeNames: ["<field>"]`).
 *
 * `job-name` and `creation-date` are the object's own, from its Ground Truth metadata.
 */
import type { OutputWriter } from '../io/storage.js';
import { isRecord } from '../json.js';
import type { ExportedField, SkipReason } from './shape-field.js';
import type { ShapeDatasetWriter } from './shape-sink.js';

const builtIn = {
  boxes: { type: 'groundtruth/object-detection', shapes: 'objects' },
  spans: { type: 'groundtruth/text-span', shapes: 'entities' },
} as const;

/** The `AttributeNames` a training job or Comprehend is given for the field's lines. */
export function attributeNamesOf(kind: keyof typeof builtIn, field: string): string[] {
  return kind === 'boxes' ? ['source-ref', field] : [field];
}

export class AugmentedManifestWriter implements ShapeDatasetWriter {
  /** `textField`: the manifest field holding an NER object's text, written as `source`. */
  constructor(private readonly file: OutputWriter, private readonly textField: string) {}

  async write({ object, name, kind, decision }: ExportedField): Promise<number | SkipReason> {
    const { type, shapes } = builtIn[kind as keyof typeof builtIn];
    const [sourceKey, source] = kind === 'boxes' ? ['source-ref', object.json['source-ref']] : ['source', object.json[this.textField]];
    if (typeof source !== 'string') return kind === 'boxes' ? 'no-source' : 'no-text';
    const job = object.json[`${object.labelAttribute}-metadata`];
    const { 'job-name': jobName, 'creation-date': creationDate } = isRecord(job) ? job : {};
    const confidences = (decision.details?.[shapes] ?? []) as { confidence: number }[];
    const line = {
      [sourceKey]: source,
      [name]: decision.value,
      [`${name}-metadata`]: {
        [shapes]: confidences.map(({ confidence }) => ({ confidence })),
        ...(kind === 'boxes' && { 'class-map': decision.details?.['class-map'] ?? {} }),
        type,
        'human-annotated': 'yes',
        'creation-date': creationDate ?? new Date().toISOString(),
        'job-name': jobName ?? `labeling-job/${object.labelAttribute}`,
      },
    };
    await this.file.write(JSON.stringify(line) + '\n');
    return confidences.length;
  }

  async finish(): Promise<void> {}
}
