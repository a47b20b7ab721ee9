/**
 * gt-consolidate as a library: `consolidate(options)` runs a job, `exportDataset(options)` writes a training dataset
 * (RLHF from a preference job, COCO/YOLO/span JSONL/augmented manifest from a shape field),
 * `annotationConsolidationHandler` is Ground Truth's post-annotation Lambda, `labelingJobStateChangeHandler` consolidates a
 * job when it completes (EventBridge); `shard`, `fit`, `decide` and `merge` are a run split over many machines
 * (`handleTask`: their entry point for engines); strategies are registrable by name.
 */
export { consolidate, defaults, type ConsolidateOptions } from './pipeline/consolidate.js';
export type { Phase, Progress } from './pipeline/progress.js';
export {
  annotationConsolidationHandler, postAnnotationHandler, type ConsolidatedEntry, type ConsolidationRequestEvent, type PostAnnotationHandler,
  type PostAnnotationSettings,
} from './lambda/handler.js';
export {
  jobStateChangeHandler, labelingJobStateChangeHandler, type JobStateChangeEvent, type JobStateChangeHandler, type JobStateChangeResult,
  type JobStateChangeSettings,
} from './lambda/on-job-state-change.js';
export { shard } from './scale-out/shard.js';
export { fit, type FitCounts } from './scale-out/fit.js';
export { decide } from './scale-out/decide.js';
export { merge } from './scale-out/merge.js';
export type { ScaleOutJob } from './scale-out/job.js';
export { handleTask, type TaskEvent, type TaskResult } from './scale-out/task-handler.js';
export { EmptyExportError, exportDataset, exportPreferences, type ExportOptions, type ExportStats, type DropReason } from './export/export.js';
export { shapeFormats, type ShapeExportStats, type ShapeFormat } from './export/shape-export.js';
export type { SkipReason } from './export/shape-field.js';
export { exportFormats, type ExportFormat } from './export/formats.js';
export { pairPolicies, type PairPolicy } from './export/pairs.js';
export type { PreferenceMapping } from './responses/preferences.js';
export type { FieldSetting } from './config/field-setting.js';
export { loadConfig, type Config } from './config/config.js';
export type { Summary, FieldSummary } from './report/summary.js';
export type { AnswerTable } from '../strategies/answer-table.js';
export { RejectError, UsageError, type RejectCode } from './errors.js';
export { normaliseValue, type Normalised } from './responses/normalise.js';
export { registerStrategy, getStrategy, strategyNames } from '../strategies/registry.js';
export { submittedForm } from '../strategies/submitted-form.js';
export type {
  AnswerKind, AnswerValue, Consolidator, Decision, DecisionContext, FieldAnswer, Strategy, WorkerSkill,
} from '../strategies/types.js';
