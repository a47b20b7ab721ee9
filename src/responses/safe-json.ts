import { RejectError } from '../errors.js';

/**
 * `JSON.parse` for untrusted text that refuses `__proto__` keys anywhere: later code copies keys into objects, and a
 * `__proto__` assignment would swap a prototype instead of adding data. The walk only runs when the text contains the
 * key at all, so clean input costs one substring search.
 */
export function parseUntrustedJson(text: string, what: string): unknown {
  const value: unknown = JSON.parse(text);
  if (text.includes('__proto__') && hasProtoKey(value)) {
    throw new RejectError('hostile-key', `${what} has a "__proto__" key`);
  }
  return value;
}

function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.keys(value).some((key) => key === '__proto__' || hasProtoKey((value as Record<string, unknown>)[key]));
}
