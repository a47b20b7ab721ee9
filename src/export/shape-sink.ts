/**
 * The shape exports' sink: receives each decided object of the run, reads the exported field from it
 * (`shape-field.ts`) and hands it to the format's writer, counting the objects and shapes written and the objects
 * left out, by reason.
 */
import type { DecidedObject } from '../pipeline/decide.js';
import type { ShapeKind } from '../../strategies/types.js';
import { ShapeFieldReader, type ExportedField, type SkipReason } from './shape-field.js';

/** One format's dataset: one decided field at a time, then whatever needs every class (`classes`: class id → name). */
export interface ShapeDatasetWriter {
  /** Writes the field and returns the shapes written, or why the object is left out. */
  write(field: ExportedField): Promise<number | SkipReason>;
  finish(classes: readonly string[]): Promise<void>;
  /** A dataset written outside the output group (YOLO's folder): published when the export succeeds… */
  publish?(): Promise<void>;
  /** … or removed when it fails. */
  discard?(): Promise<void>;
}

export interface ShapeSinkStats {
  field: string | undefined;
  kind: ShapeKind | undefined;
  objectsWritten: number;
  shapesWritten: number;
  /** Objects left out, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Class id → name (YOLO's ids; COCO's are these + 1). */
  classes: string[];
}

export class ShapeSink {
  private objectsWritten = 0;
  private shapesWritten = 0;

  constructor(private readonly reader: ShapeFieldReader, private readonly dataset: ShapeDatasetWriter) {}

  /** The run's sink. */
  readonly write = async (object: DecidedObject): Promise<void> => {
    const field = this.reader.read(object);
    if (!field) return;
    const written = await this.dataset.write(field);
    if (typeof written === 'string') {
      this.reader.skip(written);
      return;
    }
    this.objectsWritten += 1;
    this.shapesWritten += written;
  };

  /** Once every object has been written: the field is checked, the class-wide parts written, the stats returned. */
  async finish(): Promise<ShapeSinkStats> {
    this.reader.checkFound();
    const classes = this.reader.classes();
    await this.dataset.finish(classes);
    return {
      field: this.reader.field, kind: this.reader.kind,
      objectsWritten: this.objectsWritten, shapesWritten: this.shapesWritten, skipped: this.reader.skipped, classes,
    };
  }
}
