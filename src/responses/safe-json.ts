/**
 * `JSON.parse` for untrusted text (manifest lines, worker responses, JSON held in their strings). What it refuses,
 * each with its own reject code:
 * - `__proto__` keys anywhere (`hostile-key`): later code copies keys into objects, and a `__proto__` assignment would
 *   swap a prototype instead of adding data;
 * - nesting deeper than `maxJsonDepth` (`too-deep`): everything after parsing (`JSON.stringify` of the output line and
 *   the spill, strategies) recurses, and would overflow the stack on a few thousand levels;
 * - numbers a double cannot hold (`unsafe-number`), unless the caller copies the text rather than the value.
 * Parse errors are `SyntaxError`s whose message names the position, never the text: a ref may point at any readable
 * file, and its bytes must not end up in a reject reason.
 */
import { RejectError } from '../errors.js';

/**
 * Objects and arrays nested deeper than this are refused. Ground Truth data nests under 10 levels (a bounding box:
 * answers → answer → answerContent → field → boxes → box); 64, also the default of .NET's System.Text.Json, leaves
 * custom templates room while every recursive step after parsing stays far from the stack limit.
 */
export const maxJsonDepth = 64;

export interface UntrustedJsonOptions {
  /** Refuse numbers a double cannot hold exactly (default `true`); `false` where the caller keeps the original text. */
  exactNumbers?: boolean;
}

export function parseUntrustedJson(text: string, what: string, { exactNumbers = true }: UntrustedJsonOptions = {}): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw error instanceof SyntaxError ? new SyntaxError(withoutQuotedText(error.message)) : error;
  }
  const mayHaveProtoKey = text.includes('__proto__') || text.includes('\\u');
  if (mayHaveProtoKey || hasMoreOpeningBrackets(text, maxJsonDepth)) checkStructure(value, what, mayHaveProtoKey);
  if (exactNumbers) assertExactNumbers(text, what);
  return value;
}

/**
 * V8 quotes the start of the text in some messages (`Unexpected token 'r', "root:x:0:0"... is not valid JSON`); the
 * others name only the grammar and a position (`Expected ',' or '}' after property value in JSON at position 6`).
 */
function withoutQuotedText(message: string): string {
  return message.includes('"') ? 'Unexpected token: not valid JSON' : message;
}

/** Nesting deeper than `limit` needs more than `limit` `{` and `[`: counting them is cheaper than walking the value. */
function hasMoreOpeningBrackets(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      if (++count > limit) return true;
    }
  }
  return false;
}

/**
 * Depth and `__proto__` keys in one iterative walk over containers only (recursion would overflow on the very input it
 * is meant to refuse). It runs only when the text could be too deep or spell `__proto__` (even with `\u` escapes).
 */
function checkStructure(root: unknown, what: string, mayHaveProtoKey: boolean): void {
  if (typeof root !== 'object' || root === null) return;
  const containers: object[] = [root];
  const depths: number[] = [1];
  const visit = (child: unknown, depth: number) => {
    if (typeof child !== 'object' || child === null) return;
    if (depth > maxJsonDepth) throw new RejectError('too-deep', `${what} is nested deeper than ${maxJsonDepth} levels`);
    containers.push(child);
    depths.push(depth);
  };
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    const childDepth = depths.pop()! + 1;
    if (Array.isArray(container)) {
      for (const child of container) visit(child, childDepth);
      continue;
    }
    for (const key in container) {
      if (mayHaveProtoKey && key === '__proto__') throw new RejectError('hostile-key', `${what} has a "__proto__" key`);
      visit((container as Record<string, unknown>)[key], childDepth);
    }
  }
}

/**
 * A number literal with a run of 16 digits or a 3-digit exponent: without either, every integer literal is below
 * 10^15 < 2^53 and every number lies between 10^-115 and 10^115, so nothing overflows, underflows or loses an integer
 * digit. In valid JSON a number starts the text or follows `:`, `,`, `[` or whitespace; matching only there lets worker
 * ids such as `private.us-east-1.0000000000000000` through without the exact scan. Most lines stop here; strings may
 * still match, which only costs the scan.
 */
const mayHoldUnsafeNumber = /(?:^|[\s:,[])-?[\d.]*(?:\d{16}|[eE][-+]?\d{3})/;
/** Strings (skipped) and number literals of text already known to be valid JSON. */
const stringOrNumber = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(\.\d+)?([eE][-+]?\d+)?/g;

/**
 * Refuses a number literal whose value `JSON.parse` changes: one that overflows to ±Infinity (written back as `null`),
 * a non-zero one that underflows to 0, or an integer literal a double cannot hold exactly (2^53 + 1). Fractions are
 * rounded as JSON always rounds them; `1e21` or `9007199254740992` are kept (they round-trip).
 */
export function assertExactNumbers(text: string, what: string): void {
  if (!mayHoldUnsafeNumber.test(text)) return;
  for (const match of text.matchAll(stringOrNumber)) {
    const [token, fraction, exponent] = match;
    if (token.startsWith('"')) continue;
    const problem = numberProblem(token, fraction === undefined && exponent === undefined);
    if (problem !== undefined) {
      throw new RejectError('unsafe-number', `${what} has a number at character ${match.index + 1} that ${problem}`);
    }
  }
}

function numberProblem(token: string, isIntegerLiteral: boolean): string | undefined {
  const value = Number(token);
  if (!Number.isFinite(value)) return 'overflows a double';
  if (value === 0 && /[1-9]/.test(token.split(/[eE]/)[0]!)) return 'underflows to 0 in a double';
  if (isIntegerLiteral && !Number.isSafeInteger(value) && BigInt(token) !== BigInt(value)) {
    return 'is an integer a double cannot hold exactly';
  }
  return undefined;
}
