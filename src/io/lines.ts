import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { RejectCode } from '../errors.js';

export interface Line {
  /** 1-based, counting blank lines, as an editor shows it. */
  number: number;
  text: string;
  /** Why the line cannot be read as text; then `text` is what the reject keeps of it (shortened, or with U+FFFD). */
  problem?: { code: RejectCode; reason: string };
  /** Where the line starts in the stream, in bytes (what a byte-range shard is cut by; `scale-out/shard.ts`). */
  start?: number;
}

export interface LineOptions {
  /** Longer lines are rejected (`line-too-long`) without being buffered (default `defaultMaxLineBytes`). */
  maxLineBytes?: number;
}

/**
 * 64 MiB: four times the largest worker response read by default, and far below V8's longest string (about 512 MiB),
 * which a line without a line end (a binary file) would otherwise reach and crash the reader with.
 */
export const defaultMaxLineBytes = 64 * 1024 * 1024;
/** How much of an over-long line its reject keeps. */
const excerptBytes = 1024;
const LF = 0x0a;
const CR = 0x0d;
const byteOrderMark = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The lines of a JSON Lines stream, one at a time (memory stays bounded by `maxLineBytes`). Accepts LF, CRLF and bare
 * CR line ends and a leading byte-order mark; blank lines are yielded too, so numbering matches the file. A line over
 * the limit or not valid UTF-8 comes with a `problem` instead of being cut or silently repaired.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>, { maxLineBytes = defaultMaxLineBytes }: LineOptions = {}): AsyncGenerator<Line> {
  let number = 0;
  /** The current line's bytes so far; once it is too long, only its first `excerptBytes`. */
  let pieces: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  /** The previous chunk ended with a CR: a LF opening this one belongs to that line end. */
  let endedWithCr = false;
  /** Stream offsets: of the current chunk, and of the current line's first byte. */
  let chunkStart = 0;
  let lineStart = 0;

  const append = (piece: Buffer) => {
    length += piece.length;
    if (tooLong || piece.length === 0) return;
    if (length > maxLineBytes) {
      tooLong = true;
      pieces = [Buffer.concat([...pieces, piece], Math.min(length, excerptBytes))];
    } else {
      pieces.push(piece);
    }
  };
  const take = (): Line => {
    number += 1;
    let bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
    if (number === 1 && bytes.subarray(0, 3).equals(byteOrderMark)) bytes = bytes.subarray(3);
    const line: Line = { number, text: bytes.toString('utf8'), start: lineStart };
    if (tooLong) line.problem = { code: 'line-too-long', reason: `line is ${length} bytes, over the ${maxLineBytes}-byte limit` };
    else if (!isUtf8(bytes)) line.problem = { code: 'invalid-utf8', reason: 'line is not valid UTF-8' };
    pieces = [];
    length = 0;
    tooLong = false;
    return line;
  };

  for await (const data of input) {
    const chunk: Buffer = typeof data === 'string' ? Buffer.from(data) : data;
    let start: number = endedWithCr && chunk[0] === LF ? 1 : 0;
    if (length === 0) lineStart = chunkStart + start;
    endedWithCr = false;
    // Both searches are remembered: searching again after every line would rescan a chunk without CRs end to end.
    let nextLf: number = chunk.indexOf(LF, start);
    let nextCr: number = chunk.indexOf(CR, start);
    while (nextLf >= 0 || nextCr >= 0) {
      const end: number = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
      append(chunk.subarray(start, end));
      yield take();
      start = end + (chunk[end] === CR && chunk[end + 1] === LF ? 2 : 1);
      lineStart = chunkStart + start;
      endedWithCr = chunk[end] === CR && end === chunk.length - 1;
      if (nextLf >= 0 && nextLf < start) nextLf = chunk.indexOf(LF, start);
      if (nextCr >= 0 && nextCr < start) nextCr = chunk.indexOf(CR, start);
    }
    append(chunk.subarray(start));
    chunkStart += chunk.length;
  }
  if (length > 0) yield take();
}
