/**
 * The contract of a run's stages, Node's `stream.pipeline`'s own: a stage is a function of its source and an abort
 * signal, returning what the next stage reads; the last one (the sink) returns the run's result. `runStages` is
 * `pipeline` itself, so the first error aborts the signal and tears every stage down (each generator's `finally`
 * runs: spills removed, queues cleared, the manifest stream destroyed).
 */
export interface StageOptions {
  signal: AbortSignal;
}

/** `options` is optional only so that a stage can also be called alone, without a signal (tests, the sharded mode). */
export type Stage<In, Out> = (source: AsyncIterable<In>, options?: StageOptions) => AsyncIterable<Out>;
export type Sink<In, Result> = (source: AsyncIterable<In>, options?: StageOptions) => Promise<Result>;

export { pipeline as runStages } from 'node:stream/promises';
