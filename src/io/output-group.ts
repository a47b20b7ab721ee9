/**
 * The outputs of one run (manifest, rejects, summary, reports, datasets), owned together: `run` commits every writer
 * opened in it when its body succeeds and aborts every one when it fails, so a failed run leaves no output behind.
 * (Commits are sequential: if a later commit fails, the earlier outputs are already published.)
 */
import type { OutputWriter, Storage } from './storage.js';

export async function withOutputs<T>(
  storageFor: (location: string) => Storage,
  body: (open: (location: string) => Promise<OutputWriter>) => Promise<T>,
): Promise<T> {
  const writers: OutputWriter[] = [];
  const open = async (location: string) => {
    const writer = await storageFor(location).createWriter(location);
    writers.push(writer);
    return writer;
  };
  try {
    const result = await body(open);
    for (const writer of writers) await writer.commit();
    return result;
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort()));
    throw error;
  }
}
