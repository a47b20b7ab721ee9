/** The thread of `MirrorReader`: reads each batch's files in order and transfers their bytes back in one buffer. */
import { parentPort } from 'node:worker_threads';
import { RejectError } from '../errors.js';
import { readWithinSync } from './local-storage.js';
import type { ReadBatch, ReadReply } from './mirror-reader.js';

parentPort!.on('message', ({ id, files }: ReadBatch) => {
  const read: Buffer[] = [];
  const results = files.map(({ file, maxBytes }): ReadReply['results'][number] => {
    try {
      const bytes = readWithinSync(file, maxBytes);
      read.push(bytes);
      return bytes.length;
    } catch (error) {
      if (error instanceof RejectError) return { code: error.code, message: error.message };
      return { code: 'internal-error', message: String(error) };
    }
  });
  // One copy into a buffer of its own (a pooled Buffer's memory cannot be transferred), then no copy back.
  const bytes = new Uint8Array(read.reduce((total, buffer) => total + buffer.length, 0));
  let offset = 0;
  for (const buffer of read) {
    bytes.set(buffer, offset);
    offset += buffer.length;
  }
  parentPort!.postMessage({ id, results, bytes: bytes.buffer } satisfies ReadReply, [bytes.buffer]);
});
