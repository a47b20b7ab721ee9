import { RejectError } from '../errors.js';

/**
 * `JSON.parse` for untrusted text that refuses `__proto__` keys anywhere: later code copies keys into objects, and a
 * `__proto__` assignment would swap a prototype instead of adding data. The walk only runs when the text could hold
 * such a key, spelled out or with `\u` escapes (`"\u005f_proto__"`), so most input costs two substring searches.
 */
export function parseUntrustedJson(text: string, what: string): unknown {
  const value: unknown = JSON.parse(text);
  if ((text.includes('__proto__') || text.includes('\\u')) && hasProtoKey(value)) {
    throw new RejectError('hostile-key', `${what} has a "__proto__" key`);
  }
  return value;
}

function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.keys(value).some((key) => key === '__proto__' || hasProtoKey((value as Record<string, unknown>)[key]));
}
