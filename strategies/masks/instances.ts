/**
 * Instance masks (`crowd-instance-segmentation`) kept as instances; the maths is in `mask-vote.ts`. An instance is its
 * label, its colour and its pixels (row-major indexes, ascending), so two instances' overlap is one merge of two sorted
 * lists and needs no image-sized buffer per instance.
 */
import { encode } from 'fast-png';
import { colorKey, hexColor } from './png.js';

export interface InstanceMask {
  label: string;
  /** `#rrggbb`. */
  color: string;
  pixels: Uint32Array;
}

/** The instances of one worker's map (`map[p]` = 1 + the instance's index in `instances`, 0 = none); empty ones left out. */
export function instancesOf(map: Uint8Array, instances: readonly { color: string; label: string }[]): InstanceMask[] {
  const counts = new Uint32Array(instances.length + 1);
  for (const id of map) counts[id]! += 1;
  const pixels = instances.map((_, i) => new Uint32Array(counts[i + 1]!));
  const filled = new Uint32Array(instances.length + 1);
  for (let pixel = 0; pixel < map.length; pixel += 1) {
    const id = map[pixel]!;
    if (id !== 0) pixels[id - 1]![filled[id]!++] = pixel;
  }
  return instances.map(({ color, label }, i) => ({ label, color, pixels: pixels[i]! })).filter(({ pixels }) => pixels.length > 0);
}

/** Raster IoU of two instances. */
export function instanceIou(a: InstanceMask, b: InstanceMask): number {
  const [x, y] = [a.pixels, b.pixels];
  if (x.length === 0 || y.length === 0 || x[x.length - 1]! < y[0]! || y[y.length - 1]! < x[0]!) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < x.length && j < y.length;) {
    if (x[i]! < y[j]!) i += 1;
    else if (x[i]! > y[j]!) j += 1;
    else {
      shared += 1;
      i += 1;
      j += 1;
    }
  }
  return shared / (x.length + y.length - shared);
}

/**
 * A reducer for images of `size` pixels: the pixels at least ⌈members / 2⌉ members cover (crowd-kit's majority vote
 * within the cluster), with the cluster's label and the first member's colour.
 */
export function pixelMajority(size: number) {
  const counts = new Uint8Array(size);
  return (members: readonly InstanceMask[], label: string): InstanceMask => {
    const needed = Math.ceil(members.length / 2);
    const kept: number[] = [];
    for (const { pixels } of members) {
      for (const pixel of pixels) if (++counts[pixel]! === needed) kept.push(pixel);
    }
    for (const { pixels } of members) for (const pixel of pixels) counts[pixel] = 0;
    return { label, color: members[0]!.color, pixels: Uint32Array.from(kept).sort() };
  };
}

/**
 * The kept instances as a worker submits them: an RGBA PNG, each instance painted in its colour (the least confident
 * first, so where two overlap the more confident has the pixel), transparent elsewhere; and `[{color, label}]` in the
 * instances' order. Two instances whose members drew with one colour get distinct ones: the later a free grey.
 */
export function instancesPng(kept: readonly { shape: InstanceMask; confidence: number }[], width: number, height: number) {
  const taken = new Set<number>();
  let grey = 0x808080;
  const colors = kept.map(({ shape }) => {
    let key = colorKey(shape.color);
    while (taken.has(key)) key = (grey = (grey + 0x010101) & 0xffffff);
    taken.add(key);
    return key;
  });
  const data = new Uint8Array(width * height * 4);
  const order = kept.map((_, i) => i).sort((a, b) => kept[a]!.confidence - kept[b]!.confidence || a - b);
  for (const i of order) {
    const rgba = [colors[i]! >> 16, (colors[i]! >> 8) & 0xff, colors[i]! & 0xff, 255];
    for (const pixel of kept[i]!.shape.pixels) data.set(rgba, pixel * 4);
  }
  return {
    png: encode({ width, height, data, channels: 4, depth: 8 }),
    instances: kept.map(({ shape }, i) => ({ color: hexColor(colors[i]!), label: shape.label })),
  };
}
