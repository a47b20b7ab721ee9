/** Untrusted strings on their way into HTML (the report): see `escape.ts` for terminals and spreadsheets. */
import { forTerminal } from './escape.js';

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * `text` safe in HTML text and in quoted attribute values: markup characters as entities, and control characters
 * (ANSI sequences, bidirectional overrides) written as visible escapes the way `forTerminal` does.
 */
export function forHtml(text: string): string {
  return forTerminal(text).replace(/[&<>"']/g, (character) => entities[character]!);
}

/**
 * JSON to embed in a `<script type="application/json">` block: `<`, `>` and `&` as `\u` escapes, so no string in it
 * can close the block (`</script>`) or open a comment; U+2028 and U+2029 too, for readers that treat them as line ends.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
