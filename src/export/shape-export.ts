/**
 * The shape exports: one consolidated shape field as a training dataset in a standard format, each written by its own
 * writer behind the one `ShapeSink` (`coco.ts`, `yolo.ts`, `span-jsonl.ts`, `augmented-manifest.ts`).
 */
import type { OutputGroup } from '../io/output-group.js';
import type { OutputWriter } from '../io/storage.js';
import type { Summary } from '../report/summary.js';
import type { ShapeKind } from '../../strategies/types.js';
import { AugmentedManifestWriter, attributeNamesOf } from './augmented-manifest.js';
import { CocoWriter } from './coco.js';
import { EmptyExportError, type OpenedExport } from './export-run.js';
import type { ExportOptions } from './export.js';
import { ShapeFieldReader } from './shape-field.js';
import { ShapeSink, type ShapeDatasetWriter, type ShapeSinkStats } from './shape-sink.js';
import { SpanJsonlWriter } from './span-jsonl.js';
import { YoloWriter } from './yolo.js';

export const shapeFormats = ['coco', 'yolo', 'spans-jsonl', 'augmented-manifest'] as const;
export type ShapeFormat = (typeof shapeFormats)[number];
export const isShapeFormat = (format: string): format is ShapeFormat => (shapeFormats as readonly string[]).includes(format);

/** The field kinds each format takes. */
const kindsOf: Record<ShapeFormat, readonly ShapeKind[]> = {
  coco: ['boxes', 'polygons', 'keypoints'],
  yolo: ['boxes'],
  'spans-jsonl': ['spans'],
  'augmented-manifest': ['boxes', 'spans'],
};

export interface ShapeExportStats extends ShapeSinkStats {
  format: ShapeFormat;
  /** Augmented manifest: the `AttributeNames` to give the training job or Amazon Comprehend. */
  attributeNames?: string[];
  run: Summary;
}

export async function openShapeExport(options: ExportOptions & { format: ShapeFormat }, group: OutputGroup): Promise<OpenedExport<ShapeExportStats>> {
  const { format } = options;
  const textField = options.textField ?? 'source';
  const dataset = format === 'yolo' ? await YoloWriter.open(options.out) : fileDataset(format, await group.open(options.out), textField);
  const sink = new ShapeSink(new ShapeFieldReader(format, kindsOf[format], options.field), dataset);
  return {
    sink: sink.write,
    finish: async (run) => {
      const written = await sink.finish();
      const stats: ShapeExportStats = {
        format, ...written, run,
        ...(format === 'augmented-manifest' && { attributeNames: attributeNamesOf(written.kind as 'boxes' | 'spans', written.field!) }),
      };
      if (stats.objectsWritten === 0) {
        const skipped = Object.entries(stats.skipped).map(([reason, count]) => `${reason} ${count}`).join(', ');
        throw new EmptyExportError(stats, `0 objects written to a ${format} export of field ${written.field}: every object left out (${skipped || 'none read'})`);
      }
      await dataset.publish?.();
      return stats;
    },
    discard: async () => dataset.discard?.(),
  };
}

/** The writer of a one-file format. */
function fileDataset(format: Exclude<ShapeFormat, 'yolo'>, file: OutputWriter, textField: string): ShapeDatasetWriter {
  switch (format) {
    case 'coco':
      return new CocoWriter(file);
    case 'spans-jsonl':
      return new SpanJsonlWriter(file, textField);
    case 'augmented-manifest':
      return new AugmentedManifestWriter(file, textField);
  }
}
