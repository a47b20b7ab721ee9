/**
 * Gold labels: object key → true label, from CSV (a header row, then key and label in the first two columns, or
 * columns named `key` and `label`) or JSON Lines (`{"key": …, "label": …}`). Keys and labels are compared as strings;
 * a JSON label that is an object is kept as its JSON text: the true shapes of an annotation field, written as a worker
 * would answer (`{"boundingBoxes": […]}`, `{"entities": […]}`).
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
      gold.set(String(row.key), typeof row.label === 'object' && row.label !== null ? JSON.stringify(row.label) : String(row.label));
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

/** Gold labels as the decide stage uses them: which object a line is, and which fields gold is for. */
export class GoldLabels {
  constructor(
    private readonly labels: ReadonlyMap<string, string>,
    /** Manifest field holding the object's key (default `source-ref` when a line has it, else `source`). */
    private readonly key: string | undefined,
    /** The field gold labels are for (default: every categorical field). */
    private readonly field: string | undefined,
  ) {}

  labelOf(json: Record<string, unknown>): string | undefined {
    const key = json[this.key ?? ('source-ref' in json ? 'source-ref' : 'source')];
    return typeof key === 'string' || typeof key === 'number' ? this.labels.get(String(key)) : undefined;
  }

  appliesTo(field: string): boolean {
    return this.field === undefined || this.field === field;
  }
}

const goldMaxBytes = 256 * 1024 * 1024;

/** Reads the gold file at `file` (a path or `s3://`) with `readAll`. */
export async function loadGold(
  file: string,
  readAll: (location: string, maxBytes: number) => Promise<Buffer>,
  options: { key?: string; field?: string },
): Promise<GoldLabels> {
  return new GoldLabels(parseGold(file, (await readAll(file, goldMaxBytes)).toString('utf8')), options.key, options.field);
}
