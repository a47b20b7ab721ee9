import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWithin } from '../../src/io/local-storage.js';
import { MirrorReader } from '../../src/io/mirror-reader.js';
import { tempDir } from '../helpers/temp-dir.js';

const isWindows = process.platform === 'win32';

describe.skipIf(isWindows)('MirrorReader: the mirror read of readWithin, on a thread of its own, in batches', () => {
  const reader = new MirrorReader(readWithin);
  afterAll(() => reader.close());

  /** The outcome of a read: its text, or its reject code and message. */
  const outcome = (read: Promise<Buffer>) => read.then((bytes) => bytes.toString(), (error: { code: string; message: string }) => `${error.code}: ${error.message}`);

  it('gives each of many reads asked for at once its own bytes or its own reason, the same as readWithin', async () => {
    const within = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(outside, 'secret.json'), 'root:x:0:0');
    await symlink(path.join(outside, 'secret.json'), path.join(within, 'escape.json'));
    await mkdir(path.join(within, 'directory.json'));
    execFileSync('mkfifo', [path.join(within, 'fifo.json')]);
    const names: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const name = `r${index}.json`;
      // Sizes from empty to past the limit below, so offsets into the shared buffer matter.
      await writeFile(path.join(within, name), 'x'.repeat(index * 37));
      names.push(name);
    }
    names.splice(3, 0, 'missing.json', 'escape.json', 'directory.json', 'fifo.json');
    const files = names.map((name) => ({ file: path.join(within, name), within }));
    const maxBytes = 1000;
    const threaded = await Promise.all(files.map((file) => outcome(reader.read(file, maxBytes))));
    const direct = await Promise.all(files.map((file) => outcome(readWithin(file, maxBytes))));
    expect(threaded).toEqual(direct);
    expect(threaded.slice(3, 7).map((text) => text.split(':')[0])).toEqual(['response-missing', 'ref-not-allowed', 'response-unreadable', 'response-unreadable']);
    expect(threaded.filter((text) => text.startsWith('response-too-large')).length).toBe(40 - Math.ceil(1001 / 37));
    expect(threaded[0]).toBe('');
    expect(threaded.at(-1)).toMatch(/^response-too-large: .* over the 1000-byte limit \(1443 bytes\)$/);
  });

  it('reads again after a batch, and fails what is still waiting when closed', async () => {
    const within = await tempDir();
    await writeFile(path.join(within, 'a.json'), '{"answers":[]}');
    const file = { file: path.join(within, 'a.json'), within };
    expect((await reader.read(file, 100)).toString()).toBe('{"answers":[]}');
    expect((await reader.read(file, 100)).toString()).toBe('{"answers":[]}');
    const closing = new MirrorReader(readWithin);
    const pending = closing.read(file, 100);
    await closing.close();
    await expect(pending).rejects.toThrow('the mirror reader was closed');
    await expect(closing.read(file, 100)).rejects.toThrow('the mirror reader was closed');
  });

  it('reads on the calling thread what a lost thread held, and everything after', async () => {
    const within = await tempDir();
    await writeFile(path.join(within, 'a.json'), '{"answers":[]}');
    const file = { file: path.join(within, 'a.json'), within };
    const calls: string[] = [];
    const fallback = (mirrored: typeof file, maxBytes: number) => {
      calls.push(mirrored.file);
      return readWithin(mirrored, maxBytes);
    };
    const losing = new MirrorReader(fallback);
    const held = [losing.read(file, 100), losing.read({ ...file, file: path.join(within, 'missing.json') }, 100)];
    // The thread ends as a crash would end it (the reader itself has not been closed).
    await (losing as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(await held[0]).toEqual(Buffer.from('{"answers":[]}'));
    await expect(held[1]).rejects.toMatchObject({ code: 'response-missing' });
    expect((await losing.read(file, 100)).toString()).toBe('{"answers":[]}');
    expect(calls).toHaveLength(3);
    await losing.close();
  });
});
