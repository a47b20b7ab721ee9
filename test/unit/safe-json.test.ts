import { describe, expect, it } from 'vitest';
import { RejectError } from '../../src/errors.js';
import { maxJsonDepth, parseUntrustedJson } from '../../src/responses/safe-json.js';

const arrays = (depth: number, inner = '') => '['.repeat(depth) + inner + ']'.repeat(depth);

function rejectOf(text: string): RejectError {
  try {
    parseUntrustedJson(text, 'worker response');
  } catch (error) {
    expect(error).toBeInstanceOf(RejectError);
    return error as RejectError;
  }
  throw new Error('expected a reject');
}

describe('parseUntrustedJson: nesting depth', () => {
  it(`accepts ${maxJsonDepth} levels and refuses ${maxJsonDepth + 1}, saying why`, () => {
    expect(parseUntrustedJson(arrays(maxJsonDepth), 'x')).toBeInstanceOf(Array);
    const error = rejectOf(arrays(maxJsonDepth + 1));
    expect(error.code).toBe('too-deep');
    expect(error.message).toBe(`worker response is nested deeper than ${maxJsonDepth} levels`);
  });

  it('refuses a 10 KB response nested 5,000 levels deep without overflowing the stack, even when it holds a \\u escape', () => {
    // The escape used to send the text through the recursive __proto__ check.
    expect(rejectOf(arrays(5_000, '"\\u0041"')).code).toBe('too-deep');
    expect(rejectOf(arrays(5_000)).code).toBe('too-deep');
    expect(rejectOf(arrays(200_000)).code).toBe('too-deep');
  });

  it('still finds a __proto__ key at any allowed depth', () => {
    const deepProto = '['.repeat(maxJsonDepth - 1) + '{"__proto__":1}' + ']'.repeat(maxJsonDepth - 1);
    expect(rejectOf(deepProto).code).toBe('hostile-key');
    expect(rejectOf('[{"a":{"b":[1,{"\\u005f_proto__":2}]}}]').code).toBe('hostile-key');
  });
});

describe('parseUntrustedJson: numbers a double cannot hold', () => {
  it.each([
    ['{"a":1e400}', 'overflows a double'],
    ['{"a":-1E+400}', 'overflows a double'],
    ['[1e-400]', 'underflows to 0 in a double'],
    ['[0.000000000000000000001e-320]', 'underflows to 0 in a double'],
    ['{"id":12345678901234567890}', 'is an integer a double cannot hold exactly'],
    ['{"id":-9007199254740993}', 'is an integer a double cannot hold exactly'],
    [`[${'9'.repeat(400)}]`, 'overflows a double'],
  ])('refuses %s: it %s', (text, problem) => {
    const error = rejectOf(text);
    expect(error.code).toBe('unsafe-number');
    expect(error.message).toMatch(new RegExp(`^worker response has a number at character \\d+ that ${problem}$`));
  });

  it.each(['1e400', '-1e400', '12345678901234567890', '0.5e-400', '-0.000000000000000000001e-320'])(
    'refuses %s wherever JSON lets a number stand: first, after : , [ and each kind of whitespace', (number) => {
      for (const text of [number, `[${number}]`, `{"a":${number}}`, `[1,${number}]`, `[ ${number}]`, `{"a":\t${number}}`, `[\r\n${number}]`]) {
        expect(rejectOf(text).code).toBe('unsafe-number');
      }
    });

  it('names the position of the number, not its digits', () => {
    expect(rejectOf('{"ok":1,"big":1e999}').message).toBe('worker response has a number at character 15 that overflows a double');
  });

  it('accepts numbers that survive the round trip, and digits inside strings', () => {
    const exact = '[0, -0, 0e5, 0.0e-999, 1e21, 9007199254740992, -9007199254740991, 1152921504606846976, 1.5e300, 2.5e-300, 0.1]';
    expect(parseUntrustedJson(exact, 'x')).toHaveLength(11);
    expect(parseUntrustedJson('{"id":"12345678901234567890","e":"1e400","q":"\\"1e400"}', 'x')).toMatchObject({ e: '1e400' });
    expect(parseUntrustedJson('{"workerId":"private.us-east-1.0000000000000000","n":"a 1e400"}', 'x')).toMatchObject({ n: 'a 1e400' });
  });

  it('leaves numbers alone when the caller keeps the text (exactNumbers: false)', () => {
    expect(parseUntrustedJson('[1e400]', 'x', { exactNumbers: false })).toEqual([Infinity]);
  });
});

describe('parseUntrustedJson: parse errors', () => {
  it('never quotes the text it could not parse (a ref may point at /etc/passwd)', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1';
    expect(() => parseUntrustedJson(passwd, 'x')).toThrow(SyntaxError);
    expect(() => parseUntrustedJson(passwd, 'x')).toThrow(/^Unexpected token: not valid JSON$/);
    // Node 22 adds the line and column; neither version quotes the text.
    expect(() => parseUntrustedJson('{"secret":1', 'x')).toThrow(/at position 11( \(line 1 column 12\))?$/);
  });
});
