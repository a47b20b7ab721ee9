import { describe, expect, it } from 'vitest';
import { normaliseValue } from '../../src/responses/normalise.js';
import { submittedForm } from '../../strategies/submitted-form.js';

// The answer shapes of Ground Truth's annotation tools, as the Crowd HTML Elements docs print them
// (ground-truth-formats.md §4.1).
const documented = {
  boxes: { boundingBoxes: [{ height: 401, label: 'Dog', left: 243, top: 117, width: 187 }], inputImageProperties: { height: 533, width: 800 } },
  spans: { entities: [{ endOffset: 54, label: 'person', startOffset: 47 }, { endOffset: 97, label: 'event', startOffset: 93 }] },
  keypoints: { inputImageProperties: { height: 1314, width: 962 }, keypoints: [{ label: 'dog', x: 155, y: 275 }, { label: 'cat', x: 341, y: 447 }] },
  polygons: { inputImageProperties: { height: 853, width: 1280 }, polygons: [{ label: 'dog', vertices: [{ x: 570, y: 239 }, { x: 603, y: 513 }, { x: 823, y: 645 }] }] },
  lines: { inputImageProperties: { height: 1254, width: 2048 }, lines: [{ label: 'yardline', vertices: [{ x: 58, y: 295 }, { x: 1342, y: 398 }] }] },
  polylines: { inputImageProperties: { height: 1254, width: 2048 }, polylines: [{ label: 'sideline', vertices: [{ x: 651, y: 498 }, { x: 862, y: 869 }] }] },
  semantic: { inputImageProperties: { height: 533, width: 800 }, labelMappings: { Bird: { color: '#2ca02c' } }, labeledImage: { pngImageData: 'iVBORw0KGgo=' } },
  instances: { inputImageProperties: { height: 533, width: 800 }, instances: [{ color: '#1f77b4', label: 'car' }, { color: '#2ca02c', label: 'car' }], labeledImage: { pngImageData: 'iVBORw0KGgo=' } },
};

describe('annotation tools', () => {
  it('recognises each documented answer as its shape kind and writes it back as submitted', () => {
    const kinds = Object.fromEntries(Object.entries(documented).map(([name, submitted]) => {
      const normalised = normaliseValue(submitted);
      if (normalised.type !== 'answer') throw new Error(`${name}: ${normalised.type}`);
      expect(submittedForm(normalised.value), name).toEqual(submitted);
      return [name, normalised.value.kind];
    }));
    expect(kinds).toEqual({
      boxes: 'boxes', spans: 'spans', keypoints: 'keypoints', polygons: 'polygons', lines: 'lines', polylines: 'lines', semantic: 'mask', instances: 'mask',
    });
  });

  it('reads boundingBoxes: null as a drawing of nothing, and a JSON string of a drawing (a hidden input) alike', () => {
    expect(normaliseValue({ boundingBoxes: null, inputImageProperties: { height: 5, width: 5 } }))
      .toEqual({ type: 'answer', value: { kind: 'boxes', boxes: [], image: { width: 5, height: 5 } } });
    expect(normaliseValue(JSON.stringify(documented.spans))).toMatchObject({ type: 'answer', value: { kind: 'spans' } });
  });

  it('keeps malformed drawings as unknown shapes, verbatim', () => {
    const malformed = [
      { boundingBoxes: [{ label: 'Dog', left: '243', top: 117, width: 187, height: 401 }] },
      { boundingBoxes: [{ label: 7, left: 1, top: 1, width: 1, height: 1 }] },
      { boundingBoxes: [{ label: 'Dog', left: 1, top: 1, width: -1, height: 1 }] },
      { boundingBoxes: [], inputImageProperties: { height: 'tall', width: 5 } },
      { boundingBoxes: [], extra: true },
      { entities: [{ label: 'x', startOffset: 9, endOffset: 3 }] },
      { entities: [{ label: 'x', startOffset: 1.5, endOffset: 3 }] },
      { keypoints: [{ label: 'dog', x: Number.NaN, y: 1 }] },
      { polygons: [{ label: 'dog', vertices: 'many' }] },
      { labeledImage: { pngImageData: 'not base64!' }, labelMappings: {} },
      { labeledImage: { pngImageData: 'iVBO' }, labelMappings: { Bird: { color: 'green' } } },
    ];
    for (const raw of malformed) expect(normaliseValue(raw), JSON.stringify(raw)).toEqual({ type: 'unknown', raw });
  });
});
