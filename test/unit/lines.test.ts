import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/io/lines.js';

async function linesOf(chunks: string[]) {
  const out = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(line);
  return out;
}

describe('readLines', () => {
  it('numbers lines from 1 and accepts LF, CRLF and bare CR', async () => {
    expect(await linesOf(['a\nb\r\nc\rd'])).toEqual([
      { number: 1, text: 'a' }, { number: 2, text: 'b' }, { number: 3, text: 'c' }, { number: 4, text: 'd' },
    ]);
  });

  it('strips a byte-order mark from the first line only', async () => {
    expect(await linesOf(['\uFEFF{"a":1}\n\uFEFFx\n'])).toEqual([
      { number: 1, text: '{"a":1}' }, { number: 2, text: '\uFEFFx' },
    ]);
  });

  it('keeps blank lines so numbering matches the file, and joins lines split across chunks', async () => {
    expect(await linesOf(['{"a"', ':1}\r', '\n\n  \n{"b":2}\n'])).toEqual([
      { number: 1, text: '{"a":1}' }, { number: 2, text: '' }, { number: 3, text: '  ' }, { number: 4, text: '{"b":2}' },
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
      { number: 1, text: 'a' }, { number: 2, text: 'b' }, { number: 3, text: 'c' },
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
