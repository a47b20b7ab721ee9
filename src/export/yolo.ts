/**
 * YOLO detection (docs.ultralytics.com/datasets/detect): a folder with `labels/<image stem>.txt` per image, one line
 * `class cx cy w h` per box, the centre and size normalised to [0, 1] by the image's size (boxes clipped to the image
 * first; objects without an image size are left out, counted), class ids 0-based (Ground Truth's `class_id`); and
 * `data.yaml` with `names` (every class id → name) and `nc`. Ultralytics finds an image's labels by its stem, so
 * `sources.jsonl` says where each image is to go (`images/<stem><ext>`) and which `source-ref` it is.
 *
 * Stems come from the last segment of `source-ref`, reduced to `[A-Za-z0-9._-]` with no leading dot: a hostile ref
 * (`s3://b/../../x.jpg`, an absolute path) can only name a file inside `labels/`. Two images with one stem (the same
 * name under two prefixes, or names differing only in case, which some file systems merge) get `-2`, `-3`, … in input
 * order, rather than failing the export.
 *
 * The folder is written under a temporary name beside the destination and renamed into place when the export
 * succeeds (removed when it fails); it must be local (sync it to S3 afterwards) and new or empty.
 */
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { clipToImage } from './image-geometry.js';
import { imageShapesOf, imageSizeOf, type ExportedField, type SkipReason } from './shape-field.js';
import type { ShapeDatasetWriter } from './shape-sink.js';

export class YoloWriter implements ShapeDatasetWriter {
  /** Stems taken, lower-cased. */
  private readonly stems = new Set<string>();
  private readonly sources: string[] = [];

  private constructor(private readonly folder: StagedFolder) {}

  static async open(destination: string): Promise<YoloWriter> {
    return new YoloWriter(await StagedFolder.open(destination));
  }

  async write(field: ExportedField): Promise<number | SkipReason> {
    const sourceRef = field.object.json['source-ref'];
    const image = imageSizeOf(field);
    if (typeof sourceRef !== 'string') return 'no-source';
    if (!image) return 'no-image-size';
    const lines = imageShapesOf(field).map(({ classId, box }) => {
      const { left, top, width, height } = clipToImage(box, image);
      const normalised = [(left + width / 2) / image.width, (top + height / 2) / image.height, width / image.width, height / image.height];
      return `${classId} ${normalised.map((x) => Number(x.toFixed(6))).join(' ')}\n`;
    });
    const { stem, extension } = this.uniqueStem(sourceRef);
    // An image without boxes still gets its (empty) file: a background image, which YOLO trains on.
    await this.folder.write(`labels/${stem}.txt`, lines.join(''));
    this.sources.push(JSON.stringify({ image: `images/${stem}${extension}`, labels: `labels/${stem}.txt`, 'source-ref': sourceRef }) + '\n');
    return lines.length;
  }

  async finish(classes: readonly string[]): Promise<void> {
    const names = classes.map((name, id) => `  ${id}: ${JSON.stringify(name)}\n`).join('');
    const note = '# Put each image where sources.jsonl says (images/<stem>), then add path, train and val for your split.\n';
    await this.folder.write('data.yaml', `${note}nc: ${classes.length}\nnames:\n${names}`);
    await this.folder.write('sources.jsonl', this.sources.join(''));
  }

  publish(): Promise<void> {
    return this.folder.publish();
  }

  discard(): Promise<void> {
    return this.folder.discard();
  }

  private uniqueStem(sourceRef: string): { stem: string; extension: string } {
    const name = sourceRef.slice(Math.max(sourceRef.lastIndexOf('/'), sourceRef.lastIndexOf('\\')) + 1);
    const extension = safeName(path.extname(name));
    const base = safeName(name.slice(0, name.length - path.extname(name).length)).replace(/^\.+/, '') || 'image';
    let stem = base;
    for (let n = 2; this.stems.has(stem.toLowerCase()); n++) stem = `${base}-${n}`;
    this.stems.add(stem.toLowerCase());
    return { stem, extension };
  }
}

/** Only characters every file system takes, at most 200 of them. */
const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);

/** A local folder written under a temporary name and renamed into place, or removed. */
export class StagedFolder {
  private constructor(private readonly destination: string, private readonly staging: string) {}

  static async open(destination: string): Promise<StagedFolder> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(destination)) {
      throw new UsageError(`--out ${destination}: a YOLO export is a folder and is written locally; copy it afterwards (aws s3 sync)`);
    }
    const existing = await readdir(destination).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    if (existing.length > 0) throw new UsageError(`--out ${destination}: the folder is not empty; name a new one`);
    const staging = `${path.resolve(destination)}.tmp-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.join(staging, 'labels'), { recursive: true });
    return new StagedFolder(path.resolve(destination), staging);
  }

  /** `relative` is built by the writer from safe names; checked again, so nothing lands outside the folder. */
  async write(relative: string, text: string): Promise<void> {
    const file = path.resolve(this.staging, relative);
    if (!file.startsWith(this.staging + path.sep)) throw new Error(`${relative} would lie outside the export folder`);
    await writeFile(file, text);
  }

  async publish(): Promise<void> {
    await rmdir(this.destination).catch(() => {});
    await rename(this.staging, this.destination);
  }

  discard(): Promise<void> {
    return rm(this.staging, { recursive: true, force: true });
  }
}
