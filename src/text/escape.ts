/**
 * Untrusted strings (field names, labels, worker ids, paths from a manifest) on their way to places that interpret
 * them: terminals run escape sequences, spreadsheets run formulas.
 */

/**
 * C0 controls (newlines and tabs too: one message is one line), DEL, C1 controls (U+009B is a one-character escape
 * sequence start on many terminals) and the bidirectional overrides that reorder what is shown ("Trojan Source").
 */
const terminalControls = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` safe to print: every control character written as a visible escape (`\x1b`, `\n`, `\u202e`), which also
 * disarms ANSI sequences (their ESC becomes plain text) without guessing where a sequence ends.
 */
export function forTerminal(text: string): string {
  return text.replace(terminalControls, (control) => named[control] ?? escapeCode(control.charCodeAt(0)));
}

const escapeCode = (code: number) => (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);

/** A cell a spreadsheet would read as a formula (OWASP CSV injection: `= + - @`, tab, carriage return) gets a leading `'`. */
export function forSpreadsheet(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
