import type { FieldAnswer, ImageSize } from '../types.js';

/** The image size most workers' browsers reported (they agree unless the image failed to load for some). */
export function commonImageSize(answers: readonly FieldAnswer[]): ImageSize | undefined {
  const counts = new Map<string, { size: ImageSize; count: number }>();
  for (const { value } of answers) {
    const image = 'image' in value ? value.image : undefined;
    if (!image) continue;
    const key = `${image.width}x${image.height}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { size: image, count: 1 });
  }
  let best: { size: ImageSize; count: number } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return best?.size;
}
