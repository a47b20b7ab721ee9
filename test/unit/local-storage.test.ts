import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { consolidate } from '../../src/index.js';
import { localStorage } from '../../src/io/local-storage.js';
import { parseMirror } from '../../src/io/mirror.js';
import { tempDir } from '../helpers/temp-dir.js';

const isWindows = process.platform === 'win32';

describe('localStorage.readAll: regular files only', () => {
  it.skipIf(isWindows)('refuses a FIFO at once instead of waiting for a writer forever', async () => {
    const fifo = path.join(await tempDir(), 'response.json');
    execFileSync('mkfifo', [fifo]);
    await expect(localStorage.readAll(fifo, 1000)).rejects.toMatchObject({
      code: 'response-unreadable', message: `${fifo} is not a regular file`,
    });
  }, 2000);

  it('refuses a directory with the same reason', async () => {
    const dir = await tempDir();
    await expect(localStorage.readAll(dir, 1000)).rejects.toMatchObject({ code: 'response-unreadable', message: `${dir} is not a regular file` });
  });

  it('reads a regular file, and one reached through a symbolic link', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'r.json'), '{"answers":[]}');
    await symlink(path.join(dir, 'r.json'), path.join(dir, 'link.json'));
    expect((await localStorage.readAll(path.join(dir, 'link.json'), 1000)).toString()).toBe('{"answers":[]}');
  });
});

describe('localStorage.readAll: its contract on both read paths (synchronous up to 64 KiB, the thread pool above)', () => {
  it('reports a missing file as response-missing', async () => {
    const missing = path.join(await tempDir(), 'none.json');
    await expect(localStorage.readAll(missing, 1000)).rejects.toMatchObject({ code: 'response-missing', message: `not found: ${missing}` });
  });

  it.each([[10, 'small'], [200 * 1024, 'large']])('reads a %i-byte file whole, and refuses it one byte under its size (%s)', async (size) => {
    const file = path.join(await tempDir(), 'r.json');
    const bytes = Buffer.alloc(size, 'x');
    await writeFile(file, bytes);
    expect((await localStorage.readAll(file, size)).equals(bytes)).toBe(true);
    await expect(localStorage.readAll(file, size - 1)).rejects.toMatchObject({
      code: 'response-too-large', message: `${file} is over the ${size - 1}-byte limit (${size} bytes)`,
    });
  });

  it.skipIf(isWindows || process.getuid?.() === 0)('names the errno of an unreadable file, never its bytes', async () => {
    const file = path.join(await tempDir(), 'secret.json');
    await writeFile(file, 'root:x:0:0', { mode: 0o000 });
    const error = await localStorage.readAll(file, 1000).catch((caught: unknown) => caught as { code: string; message: string });
    expect(error).toMatchObject({ code: 'response-unreadable', message: expect.stringMatching(/^EACCES: /) });
    expect((error as { message: string }).message).not.toContain('root');
  });
});

describe.skipIf(isWindows)('mirrors and symbolic links', () => {
  async function mirrorWithLinks() {
    const dir = await tempDir();
    const mirror = path.join(dir, 'mirror');
    const outside = path.join(dir, 'outside');
    await mkdir(path.join(mirror, 'job/annotations'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.json'), '{"answers":[{"workerId":"w","answerContent":{"f":{"label":"leaked"}}}]}');
    await writeFile(path.join(outside, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    await writeFile(path.join(mirror, 'job/annotations/inside.json'), '{"answers":[]}');
    await symlink(path.join(outside, 'secret.json'), path.join(mirror, 'job/annotations/escape.json'));
    await symlink(path.join(outside, 'passwd'), path.join(mirror, 'job/annotations/passwd.json'));
    await symlink(outside, path.join(mirror, 'job/annotations/outside-dir'));
    await symlink(path.join(mirror, 'job/annotations/inside.json'), path.join(mirror, 'job/annotations/alias.json'));
    await symlink(mirror, path.join(dir, 'mirror-link'));
    return { dir, mirror };
  }

  // Linux checks the opened file's path in /proc/self/fd; elsewhere the name is resolved with realpath before the open.
  it.each(['/proc/self/fd', 'realpath'])('refuses a link inside the mirror that leads outside it, and follows links that stay inside (%s)', async (check) => {
    vi.resetModules();
    if (check === 'realpath') {
      vi.doMock('node:fs', async (importOriginal) => {
        const fs = await importOriginal<typeof import('node:fs')>();
        return { ...fs, existsSync: (file: string) => file !== '/proc/self/fd' && fs.existsSync(file) };
      });
    }
    const { JobIO } = await import('../../src/io/job-io.js');
    vi.doUnmock('node:fs');
    const { dir, mirror } = await mirrorWithLinks();
    // The mirror reader's thread has the node:fs of its own: it checks through /proc/self/fd where that exists.
    for (const mirrorThread of check === 'realpath' ? [false] : [false, true]) {
      const io = new JobIO({ mirrorThread });
      const read = io.responseReader({ mirrors: [parseMirror(`s3://b/p/=${mirror}`)], allowedPrefixes: [] });
      const outcome = async (ref: string) => {
        try {
          return (await read(ref, 1024)).toString();
        } catch (error) {
          return (error as { code: string }).code;
        }
      };
      expect(await outcome('s3://b/p/job/annotations/escape.json')).toBe('ref-not-allowed');
      expect(await outcome('s3://b/p/job/annotations/outside-dir/secret.json')).toBe('ref-not-allowed');
      expect(await outcome('s3://b/p/job/annotations/alias.json')).toBe('{"answers":[]}');
      expect(await outcome('s3://b/p/job/annotations/missing.json')).toBe('response-missing');
      io.close();
    }
    // A mirror directory named through a link is resolved too.
    const linked = new JobIO().responseReader({ mirrors: [parseMirror(`s3://b/p/=${path.join(dir, 'mirror-link')}`)], allowedPrefixes: [] });
    expect((await linked('s3://b/p/job/annotations/inside.json', 1024)).toString()).toBe('{"answers":[]}');
  });

  it('keeps the bytes of other files out of reject reasons', async () => {
    const { dir, mirror } = await mirrorWithLinks();
    await writeFile(path.join(mirror, 'job/annotations/not-json.json'), 'root:x:0:0:root:/root:/bin/bash\n');
    const line = (name: string) => JSON.stringify({ id: name, job: {}, 'job-metadata': { 'worker-response-ref': `s3://b/p/job/annotations/${name}` } });
    const manifest = path.join(dir, 'manifest.jsonl');
    await writeFile(manifest, ['escape.json', 'passwd.json', 'not-json.json', 'inside.json'].map(line).join('\n'));
    const out = path.join(dir, 'out.manifest');
    const summary = await consolidate({ manifest, out, mirrors: [`s3://b/p/=${mirror}`] });
    const rejects = await readFile(path.join(dir, 'out.rejects.jsonl'), 'utf8');
    const parsed = rejects.trim().split('\n').map((l) => JSON.parse(l) as { code: string; reason: string });
    expect(parsed.map(({ code }) => code)).toEqual(['ref-not-allowed', 'ref-not-allowed', 'invalid-response']);
    for (const { reason } of parsed) expect(reason).not.toMatch(/root|leaked|bash/);
    expect(summary.lines).toMatchObject({ read: 4, consolidated: 1, rejected: 3 });
  });
});
