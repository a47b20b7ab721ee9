/**
 * Ground Truth's post-annotation (annotation-consolidation) Lambda: consolidates each batch of dataset objects Ground
 * Truth sends (`payload.ts`) with the strategies of a run, and answers one entry per object, in payload order:
 *
 *   [{"datasetObjectId": "0", "consolidatedAnnotation": {"content": {"<labelAttributeName>": {
 *       "<field>": <consolidated value, as workers submitted it>, …,
 *       "consolidation": {"confidence": 0.67, "fields": {"<field>": {"strategy": "majority-vote", "confidence": …}}}}}}}]
 *
 * The field values, and `confidence` and `fields` (a run's `<label>-metadata.confidence` and `.consolidation`), are
 * what a run writes for the object. They sit inside the label attribute's object because Ground Truth writes only
 * `content[labelAttributeName]` to the output manifest (whether it keeps other keys of `content` is undocumented). An
 * object whose annotations cannot be read gets `{"consolidation": {"rejected": {code, reason}}}` and no field values:
 * Ground Truth expects an entry for every object.
 *
 * Ground Truth sends objects in batches as they finish, so the handler never sees the whole job:
 * - without a frozen model, only per-object strategies run. A configured model strategy (one with `fit`: dawid-skene,
 *   hierarchical-ds, one-coin, wawa) is refused when the handler is made, and a field whose default is one (categorical
 *   and boolean fields default to hierarchical-ds in a run) gets majority vote instead;
 * - with a frozen model (`model`, `GT_CONSOLIDATE_MODEL`: a `model.json` from `run --save-model` or `fit`, loaded on the
 *   first event), each field the model has a model for is decided by it, from its parameters (`em.ts`); a batch whose
 *   fields, strategies or labels do not fit the model is refused with the fix (`scale-out/model.ts`);
 * - the field schema (single-choice radio maps, radio groups across names, labels, kinds) is learned from each batch
 *   alone, so a small batch can read a field differently than a run over the whole job would.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { checkFieldSettings } from '../config/config.js';
import { planFromSetting, type FieldSetting } from '../config/field-setting.js';
import { UsageError } from '../errors.js';
import { JobIO } from '../io/job-io.js';
import { parseAllowedPrefix } from '../io/refs.js';
import type { S3Settings } from '../io/s3/s3-settings.js';
import { parseS3Uri } from '../io/s3/s3-uri.js';
import { ObjectDecider, type UnknownAnswers } from '../pipeline/decide.js';
import { FieldPlanner } from '../pipeline/field-plan.js';
import { seededRandom } from '../random.js';
import { emptySummary } from '../report/summary.js';
import { WorkerStats } from '../report/worker-report.js';
import { FieldSchemaBuilder, rewriteObject, type FieldSchema, type FieldSchemaOptions } from '../responses/field-schema.js';
import type { PreferenceMapping } from '../responses/preferences.js';
import { majorityVote } from '../../strategies/majority-vote.js';
import { loadFrozenModel, restoreFrozen, type ModelFile } from '../scale-out/model.js';
import { datasetObjectAt, parseRequest, readPayload, type ConsolidationRequest, type DatasetObject } from './payload.js';

export interface PostAnnotationSettings {
  /** Strategy and options per field, as `consolidate()` takes them; per-object strategies only. */
  fields?: Readonly<Record<string, FieldSetting | string>>;
  /** Radio groups and key patterns, as in a run. */
  schema?: FieldSchemaOptions;
  preferences?: PreferenceMapping;
  /** S3 prefixes the payload may be read from (default: the bucket of the payload's own URI). */
  allowedPrefixes?: readonly string[];
  /** Larger payloads are refused unread (default 128 MiB). */
  maxPayloadBytes?: number;
  s3?: S3Settings;
  s3Client?: S3Client;
  /** A frozen model to decide model strategies with (a path or `s3://`; see `run --save-model`). */
  model?: string;
  /** Seeds the random tie-breaking of each batch (default 1). */
  seed?: number;
  unknownAnswers?: UnknownAnswers;
  /** Notices for people (strategy picks). */
  log?: (message: string) => void;
}

export interface ConsolidationRequestEvent {
  labelAttributeName: string;
  payload: { s3Uri: string };
  [key: string]: unknown;
}

export interface ConsolidatedEntry {
  datasetObjectId: string;
  consolidatedAnnotation: { content: Record<string, Record<string, unknown>> };
}

export type PostAnnotationHandler = (event: ConsolidationRequestEvent) => Promise<ConsolidatedEntry[]>;

const defaultMaxPayloadBytes = 128 * 1024 * 1024;
/** The key of the label attribute's object that holds the consolidation metadata beside the field values. */
const metadataKey = 'consolidation';

/** A handler with `settings`; configuration that cannot work in Lambda mode throws here, before any event. */
export function postAnnotationHandler(settings: PostAnnotationSettings = {}): PostAnnotationHandler {
  const fields = checkFieldSettings(settings.fields ?? {});
  if (settings.model === undefined) for (const [field, setting] of Object.entries(fields)) refuseModelStrategy(field, setting);
  const allowed = settings.allowedPrefixes?.map(parseAllowedPrefix);
  const io = new JobIO({ s3: settings.s3, s3Client: settings.s3Client });
  let frozen: Promise<ModelFile> | undefined;
  return async (event) => {
    const model = settings.model === undefined ? undefined : await (frozen ??= loadFrozenModel(io, settings.model));
    const request = parseRequest(event);
    const { labelAttributeName: labelAttribute, payloadUri } = request;
    const items = await readPayload(io, payloadUri, allowed ?? ownBucket(payloadUri), settings.maxPayloadBytes ?? defaultMaxPayloadBytes);
    const objects = items.map((item, index) => datasetObjectAt(item, index, { labelAttribute, preferences: settings.preferences ?? {} }));
    return consolidateBatch(objects, request, fields, settings, model);
  };
}

/**
 * The handler to deploy (`dist/src/lambda/handler.annotationConsolidationHandler`), configured by the environment:
 * `GT_CONSOLIDATE_FIELDS` (JSON, as `fields`), `GT_CONSOLIDATE_ALLOWED_PREFIXES` (comma-separated) and
 * `GT_CONSOLIDATE_MODEL` (a frozen model's location). Made on the first event, so importing the package builds no S3
 * client.
 */
export const annotationConsolidationHandler: PostAnnotationHandler = (event) =>
  (fromEnvironment ??= postAnnotationHandler(settingsFromEnvironment(process.env)))(event);
let fromEnvironment: PostAnnotationHandler | undefined;

export function settingsFromEnvironment(env: NodeJS.ProcessEnv): PostAnnotationSettings {
  const { GT_CONSOLIDATE_FIELDS: fields, GT_CONSOLIDATE_ALLOWED_PREFIXES: prefixes, GT_CONSOLIDATE_MODEL: model } = env;
  let parsed: unknown;
  try {
    parsed = fields === undefined ? undefined : JSON.parse(fields);
  } catch (error) {
    throw new UsageError(`GT_CONSOLIDATE_FIELDS is not valid JSON: ${(error as Error).message}`);
  }
  return {
    ...(parsed !== undefined && { fields: checkFieldSettings(parsed) }),
    ...(prefixes && { allowedPrefixes: prefixes.split(',').map((prefix) => prefix.trim()).filter(Boolean) }),
    ...(model && { model }),
  };
}

function refuseModelStrategy(field: string, setting: FieldSetting): void {
  const { strategy, consolidator } = planFromSetting(field, setting);
  if (consolidator.fit) {
    throw new UsageError(`fields.${field}: strategy "${strategy.name}" fits a model on every answer of the job, but a post-annotation `
      + `Lambda sees one batch at a time and has no frozen model to load; configure a per-object strategy such as majority-vote for "${field}", `
      + 'or give a model fitted on a whole job (GT_CONSOLIDATE_MODEL, from `run --save-model`)');
  }
}

function ownBucket(uri: string): string[] {
  const bucket = parseS3Uri(uri)?.bucket;
  return bucket ? [`s3://${bucket}/`] : [];
}

function consolidateBatch(
  objects: readonly DatasetObject[], { labelAttributeName: labelAttribute, payloadUri }: ConsolidationRequest,
  fields: Record<string, FieldSetting>, settings: PostAnnotationSettings, frozen: ModelFile | undefined,
): ConsolidatedEntry[] {
  const log = settings.log ?? (() => {});
  const planner = new FieldPlanner(fields, (field, plan) => log(`field "${field}": no strategy configured; ${plan.pickedFor} answers → ${plan.strategy.name}`));
  const builder = new FieldSchemaBuilder(settings.schema);
  for (const object of objects) if ('prepared' in object) builder.observe(object.prepared.fields, object.prepared.workers.length);
  const schema = perObjectDefaults(builder.resolve(), frozen);
  planner.adopt(schema, { partial: true });
  const model = { schema, fittedLabels: new Map() };
  if (frozen) restoreFrozen(frozen, planner, model);
  const decider = new ObjectDecider({
    planner, random: seededRandom(settings.seed ?? 1), summary: emptySummary(payloadUri, null, ''), workers: new WorkerStats(false),
    model, unknownAnswers: settings.unknownAnswers,
  });
  return objects.map((object) => {
    const entry = (label: Record<string, unknown>) => ({ datasetObjectId: object.datasetObjectId, consolidatedAnnotation: { content: { [labelAttribute]: label } } });
    if ('rejected' in object) return entry({ [metadataKey]: { rejected: object.rejected } });
    const { consolidated } = decider.decide({ ...object.prepared, fields: rewriteObject(schema, object.prepared.fields) });
    const values = consolidated[labelAttribute] as Record<string, unknown>;
    const { consolidation, confidence } = consolidated[`${labelAttribute}-metadata`] as { consolidation: unknown; confidence: number };
    if (Object.hasOwn(values, metadataKey)) {
      const reason = `a field is named "${metadataKey}", the key that holds the consolidation metadata`;
      return entry({ [metadataKey]: { rejected: { code: 'reserved-field', reason } } });
    }
    return entry({ ...values, [metadataKey]: { confidence, fields: consolidation } });
  });
}

/**
 * `schema` with each default that fits a model (categorical and boolean fields) swapped for majority vote; with a
 * frozen model, a field it has a model for defaults to that model's strategy instead.
 */
function perObjectDefaults(schema: FieldSchema, frozen: ModelFile | undefined): FieldSchema {
  const fitsModel = (field: string, strategy: string) => planFromSetting(field, strategy).consolidator.fit !== undefined;
  const defaultFor = (field: FieldSchema['fields'][number]): string | undefined => {
    if (field.strategy === undefined) return undefined;
    if (frozen && Object.hasOwn(frozen.fields, field.name)) return frozen.fields[field.name]!.strategy;
    return fitsModel(field.name, field.strategy) ? majorityVote.name : field.strategy;
  };
  return { ...schema, fields: schema.fields.map((field) => ({ ...field, strategy: defaultFor(field) })) };
}
