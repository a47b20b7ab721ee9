import pLimit from 'p-limit';

/**
 * Maps an async source with at most `concurrency` calls of `fn` running, yielding results in source order. At most
 * `2 * concurrency` results wait at once (running or finished but behind a slower one), so memory stays bounded
 * however long the source is: the source is only pulled when there is room.
 */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const limit = pLimit(concurrency);
  const window: Promise<R>[] = [];
  try {
    for await (const item of source) {
      const result = limit(() => fn(item));
      // Awaited below in order; this only stops an early failure from being reported as unhandled meanwhile.
      result.catch(() => {});
      window.push(result);
      if (window.length >= 2 * concurrency) yield await window.shift()!;
    }
    while (window.length > 0) yield await window.shift()!;
  } finally {
    limit.clearQueue();
  }
}
