/**
 * Gold labels: object key → true label, from CSV (a header row, then key and label in the first two columns, or
 * columns named `key` and `label`) or JSON Lines (`{"key": …, "label": …}`). Keys and labels are compared as strings.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { parseUntrustedJson } from '../responses/safe-json.js';

export function parseGold(file: string, text: string): Map<string, string> {
  const gold = new Map<string, string>();
  if (/\.jsonl?$/i.test(file)) {
    text.split(/\r\n|\r|\n/).forEach((line, index) => {
      if (line.trim() === '') return;
      const row = parseUntrustedJson(line, 'gold line') as { key?: unknown; label?: unknown };
      if (row.key === undefined || row.label === undefined) throw new UsageError(`${file}:${index + 1}: expected {"key": …, "label": …}`);
      gold.set(String(row.key), String(row.label));
    });
    return gold;
  }
  // Gold files come from many tools: CRLF, LF and bare CR line ends all occur.
  const [header, ...rows] = parseCsv(text, { record_delimiter: ['\r\n', '\r', '\n'], skip_empty_lines: true, trim: true }) as string[][];
  if (!header || header.length < 2) throw new UsageError(`${file}: expected a header and two columns, key and label`);
  const keyColumn = Math.max(0, header.indexOf('key'));
  const labelColumn = header.includes('label') ? header.indexOf('label') : keyColumn === 0 ? 1 : 0;
  for (const row of rows) gold.set(row[keyColumn]!, row[labelColumn]!);
  return gold;
}
