import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/io/lines.js';

async function linesOf(chunks: string[]) {
  const out = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(line);
  return out;
}

describe('readLines', () => {
  it('numbers lines from 1 and accepts LF, CRLF and bare CR; each line says where it starts in the stream', async () => {
    expect(await linesOf(['a\nb\r\nc\rd'])).toEqual([
      { number: 1, text: 'a', start: 0 }, { number: 2, text: 'b', start: 2 }, { number: 3, text: 'c', start: 5 }, { number: 4, text: 'd', start: 7 },
    ]);
  });

  it('strips a byte-order mark from the first line only', async () => {
    expect(await linesOf(['\uFEFF{"a":1}\n\uFEFFx\n'])).toEqual([
      { number: 1, text: '{"a":1}', start: 0 }, { number: 2, text: '\uFEFFx', start: 11 },
    ]);
  });

  it('keeps blank lines so numbering matches the file, and joins lines split across chunks', async () => {
    expect(await linesOf(['{"a"', ':1}\r', '\n\n  \n{"b":2}\n'])).toEqual([
      { number: 1, text: '{"a":1}', start: 0 }, { number: 2, text: '', start: 9 }, { number: 3, text: '  ', start: 10 },
      { number: 4, text: '{"b":2}', start: 13 },
    ]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = Buffer.from('é\n');
    const lines = [];
    for await (const line of readLines(Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]))) lines.push(line.text);
    expect(lines).toEqual(['é']);
  });
});

describe('readLines: chunk boundaries and backpressure', () => {
  it('treats a CRLF split across chunks as one line end', async () => {
    expect(await linesOf(['a\r', '\nb\r', 'c\r'])).toEqual([
      { number: 1, text: 'a', start: 0 }, { number: 2, text: 'b', start: 3 }, { number: 3, text: 'c', start: 5 },
    ]);
  });

  it('reads no further ahead than the consumer asks (constant memory on any manifest size)', async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 1024,
      read() {
        produced += 1;
        this.push(Buffer.from(`${'{"line":1}\n'.repeat(100)}`));
      },
    });
    let consumed = 0;
    for await (const _ of readLines(source)) {
      consumed += 1;
      if (consumed === 10_000) break;
    }
    // 10,000 lines are 100 chunks; readline reads ahead about 1,000 lines (10 chunks), an unbounded reader would
    // never stop pulling from this endless source.
    expect(produced).toBeLessThan(200);
    source.destroy();
  });
});

describe('readLines: lines it cannot read as text', () => {
  async function linesWith(chunks: Buffer[], maxLineBytes?: number) {
    const out = [];
    for await (const line of readLines(Readable.from(chunks), maxLineBytes === undefined ? {} : { maxLineBytes })) out.push(line);
    return out;
  }

  it('turns an over-long line into a problem line with a shortened text, then reads on from the next line end', async () => {
    const long = Buffer.from(`{"a":"${'x'.repeat(5000)}"}`);
    const lines = await linesWith([Buffer.from('{"first":1}\n'), long.subarray(0, 3000), long.subarray(3000), Buffer.from('\r\n{"next":2}\n')], 4096);
    expect(lines.map(({ number, problem }) => [number, problem?.code])).toEqual([[1, undefined], [2, 'line-too-long'], [3, undefined]]);
    expect(lines[1]!.problem!.reason).toBe(`line is ${long.length} bytes, over the 4096-byte limit`);
    expect(lines[1]!.text).toBe(long.toString().slice(0, 1024));
    expect(lines[2]!.text).toBe('{"next":2}');
  });

  it('accepts a line of exactly the limit', async () => {
    const [line] = await linesWith([Buffer.from(`${'y'.repeat(100)}\n`)], 100);
    expect(line).toEqual({ number: 1, text: 'y'.repeat(100), start: 0 });
  });

  it('reports a binary file without a line end as one over-long line, without buffering it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0xff);
    const chunks = Array.from({ length: 1040 }, () => chunk); // 65 MiB, over the 64 MiB default
    const lines = await linesWith(chunks);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.problem).toEqual({ code: 'line-too-long', reason: `line is ${1040 * 64 * 1024} bytes, over the ${64 * 1024 * 1024}-byte limit` });
    expect(lines[0]!.text.length).toBeLessThanOrEqual(1024);
  });

  it('reports invalid UTF-8 instead of replacing it with U+FFFD', async () => {
    const lines = await linesWith([Buffer.from('{"a":"ok"}\n{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":"é"}\n')]);
    expect(lines.map((line) => line.problem?.code)).toEqual([undefined, 'invalid-utf8', undefined]);
    expect(lines[1]!.problem!.reason).toBe('line is not valid UTF-8');
    expect(lines[2]!.text).toBe('{"a":"é"}');
  });

  it('treats a CR at the end of one chunk and a LF at the start of the next as one line end', async () => {
    expect(await linesWith([Buffer.from('a\r'), Buffer.from('\n'), Buffer.from('b')])).toEqual([
      { number: 1, text: 'a', start: 0 }, { number: 2, text: 'b', start: 3 },
    ]);
  });
});
