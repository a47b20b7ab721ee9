import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface Line {
  /** 1-based, counting blank lines, as an editor shows it. */
  number: number;
  text: string;
}

/**
 * The lines of a JSON Lines stream, one at a time (memory stays bounded by the longest line). Accepts LF, CRLF and
 * bare CR line ends and a leading byte-order mark; blank lines are yielded too, so numbering matches the file.
 */
export async function* readLines(input: Readable): AsyncGenerator<Line> {
  input.setEncoding('utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    yield { number, text: number === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text };
  }
}
