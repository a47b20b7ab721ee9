/** Plane geometry the image exports share: boxes clipped to their image, polygon areas. */
import type { ImageSize, Point } from '../../strategies/types.js';
import type { Box } from './shape-field.js';

/** `box` inside the image: training tools reject or mis-normalise boxes that cross its edges. */
export function clipToImage({ left, top, width, height }: Box, image: ImageSize): Box {
  const [x1, y1] = [Math.max(0, left), Math.max(0, top)];
  const [x2, y2] = [Math.min(image.width, left + width), Math.min(image.height, top + height)];
  return { left: x1, top: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) };
}

/** The shoelace formula: the area a simple polygon encloses, whichever way it winds. */
export function polygonArea(vertices: readonly Point[]): number {
  let twice = 0;
  vertices.forEach(({ x, y }, index) => {
    const next = vertices[(index + 1) % vertices.length]!;
    twice += x * next.y - next.x * y;
  });
  return Math.abs(twice) / 2;
}
