/**
 * Span JSONL, the spaCy/Prodigy shape: one line per object, `{"text", "spans": [{"start", "end", "label"}]}`, `end`
 * exclusive. Offsets are Ground Truth's as given: `crowd-entity-annotation` counts Unicode characters (code points),
 * as Amazon Comprehend, which reads its output as is, and Python's `str` do. A JavaScript string counts UTF-16 units,
 * so an emoji before a span shifts `text.slice(start, end)` by one: slice `Array.from(text)` instead. An object whose
 * spans run past its text (in code points) is left out, counted.
 */
import type { OutputWriter } from '../io/storage.js';
import { spansOf, type ExportedField, type SkipReason } from './shape-field.js';
import type { ShapeDatasetWriter } from './shape-sink.js';

export class SpanJsonlWriter implements ShapeDatasetWriter {
  /** `textField`: the manifest field holding the text the spans were marked in. */
  constructor(private readonly file: OutputWriter, private readonly textField: string) {}

  async write(field: ExportedField): Promise<number | SkipReason> {
    const text = field.object.json[this.textField];
    if (typeof text !== 'string') return 'no-text';
    const spans = spansOf(field);
    if (spans.some(({ endOffset }) => endOffset > codePoints(text))) return 'span-outside-text';
    const row = { text, spans: spans.map(({ startOffset, endOffset, label }) => ({ start: startOffset, end: endOffset, label })) };
    await this.file.write(JSON.stringify(row) + '\n');
    return spans.length;
  }

  async finish(): Promise<void> {}
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
