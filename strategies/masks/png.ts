/**
 * PNG in and out for masks (fast-png, pure JS): a worker's colour PNG read as one class index per pixel, and the
 * consolidated classes written as an 8-bit indexed PNG (colour type 3), the form SageMaker semantic segmentation reads
 * ("single-channel 8-bit", `P` mode).
 *
 * Untrusted input: the declared size is read from IHDR and refused above `maxPixels` before anything is inflated or
 * allocated; the image data is then inflated once by node:zlib with its output capped at what that size needs, since
 * fast-png inflates the whole stream, and a deflate stream can hold ~1,000× its size (a 16 MB response, 16 GB).
 */
import { inflateSync } from 'node:zlib';
import { convertIndexedToRgb, decode, encode, type DecodedPng } from 'fast-png';

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A colour as `0xrrggbb`. */
export const colorKey = (hex: string): number => Number.parseInt(hex.slice(1), 16);
export const hexColor = (key: number): string => `#${key.toString(16).padStart(6, '0')}`;

/** Why a PNG cannot be read; thrown by `readPixelClasses`, reported by the strategy as the object's reason. */
export class MaskImageError extends Error {}

/** Width and height from the IHDR chunk, which the PNG specification requires first, right after the signature. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const ihdr = String.fromCharCode(...bytes.subarray(12, 16));
  if (bytes.length < 33 || signature.some((byte, i) => bytes[i] !== byte) || ihdr !== 'IHDR') {
    throw new MaskImageError('not a PNG');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * One class index per pixel (row-major) of a worker's PNG, through `classOfColor` (`0xrrggbb` → class). Colours not in
 * the map (black, anti-aliased edges) and fully transparent pixels are background, 0. 16-bit samples keep their high
 * byte; grey is read as r = g = b.
 */
export function readPixelClasses(bytes: Uint8Array, classOfColor: ReadonlyMap<number, number>, maxPixels: number) {
  const { width, height } = pngSize(bytes);
  if (width === 0 || height === 0) throw new MaskImageError('the PNG is empty (0 pixels)');
  if (width * height > maxPixels) {
    throw new MaskImageError(`the PNG declares ${width}×${height} pixels, above maxPixels (${maxPixels})`);
  }
  checkInflatedSize(bytes, width, height);
  let png: DecodedPng;
  let samples: ArrayLike<number>;
  let channels: number;
  try {
    png = decode(bytes);
    samples = png.palette ? convertIndexedToRgb(png) : png.data;
    channels = png.palette ? png.palette[0]!.length : png.channels;
  } catch (error) {
    throw new MaskImageError(`the PNG cannot be decoded (${(error as Error).message})`);
  }
  const shift = !png.palette && png.depth === 16 ? 8 : 0;
  const classes = new Uint8Array(width * height);
  const grey = channels < 3;
  const hasAlpha = channels === 2 || channels === 4;
  // Masks are long runs of one colour: remembering the last lookup skips most map reads.
  let lastKey = -1;
  let lastClass = 0;
  for (let pixel = 0, at = 0; pixel < classes.length; pixel += 1, at += channels) {
    if (hasAlpha && samples[at + channels - 1]! >> shift === 0) continue;
    const r = samples[at]! >> shift;
    const key = grey ? r * 0x10101 : (r << 16) | ((samples[at + 1]! >> shift) << 8) | (samples[at + 2]! >> shift);
    if (key !== lastKey) {
      lastKey = key;
      lastClass = classOfColor.get(key) ?? 0;
    }
    classes[pixel] = lastClass;
  }
  return { width, height, classes };
}

/** Samples a pixel by IHDR colour type: grey, -, RGB, indexed, grey + alpha, -, RGBA. */
const samplesByColorType = [1, 0, 3, 1, 2, 0, 4];

/**
 * Throws unless the concatenated IDAT data inflates to no more than the declared size needs: a filter byte a row, plus
 * Adam7's extra rows (at most 7 passes × (rows + 1) filter bytes, and the partial bytes of its narrower passes).
 */
function checkInflatedSize(bytes: Uint8Array, width: number, height: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bitsPerPixel = bytes[24]! * (samplesByColorType[bytes[25]!] ?? 0);
  const limit = height * (1 + Math.ceil((width * bitsPerPixel) / 8)) + 14 * (height + 8);
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(limit, 1) });
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new MaskImageError(tooLarge ? `the PNG's data inflates past its declared ${width}×${height} pixels`
      : `the PNG cannot be decoded (${(error as Error).message})`);
  }
}

/**
 * An 8-bit indexed PNG (colour type 3): pixel value = class index, `palette[i]` = class i's colour (`0xrrggbb`). This
 * is the file to write beside the output as `<label>-ref`.
 */
export function encodeIndexedPng(classes: Uint8Array, width: number, height: number, palette: readonly number[]): Uint8Array {
  return encode({
    width, height, data: classes, depth: 8, channels: 1,
    palette: palette.map((key) => [key >> 16, (key >> 8) & 0xff, key & 0xff]),
  });
}
