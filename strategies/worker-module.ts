/**
 * Starting a worker thread on a module of this package: the compiled `.js` beside the caller; under the TypeScript
 * sources (the tests, `tsx`), the `.ts` behind a bootstrap that registers tsx's loader first (Node 20 ignores
 * `--import` in a worker's `execArgv`).
 */
import { Worker } from 'node:worker_threads';

/** `module`: the worker module's `.js` URL, resolved against the caller's `import.meta.url`. */
export function startWorkerModule(module: URL, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(module, { workerData });
  const source = new URL(module.href.replace(/\.js$/, '.ts'));
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** An error as a thread posts it back (an `Error`'s class and own fields do not cross threads). */
export interface PostedError {
  message: string;
  stack?: string;
}

export const postableError = (error: unknown): PostedError =>
  error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };

/** The thread's error again, with the stack of where it was thrown. */
export const errorFromThread = ({ message, stack }: PostedError): Error => Object.assign(new Error(message), { stack });
