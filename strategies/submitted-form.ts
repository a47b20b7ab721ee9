import type { AnswerValue, ImageSize } from './types.js';

/** The JSON a worker would have submitted for `value`: the inverse of answer normalisation. */
export function submittedForm(value: AnswerValue): unknown {
  switch (value.kind) {
    case 'categorical':
      if (value.shape === 'classifier') return { label: value.value };
      if (value.shape === 'radio') return choiceMap(value.options ?? [], [value.value]);
      return value.value;
    case 'multi-label':
      if (value.shape === 'labels') return { labels: value.labels };
      if (value.shape === 'list') return value.labels;
      return choiceMap(value.options, value.labels);
    case 'numeric':
      return value.value;
    case 'text':
      return value.value;
    case 'boolean':
      if (value.shape === 'flag') return { [value.option]: value.value };
      return value.shape === 'toggle' ? { on: value.value } : value.value;
    case 'preference':
      return value.source === 'ranking'
        ? { responseRankings: value.scores.map((score) => (score === null ? null : -score)) }
        : { scores: value.scores };
    case 'boxes':
      return { boundingBoxes: value.boxes, ...imageOf(value) };
    case 'spans':
      return { entities: value.spans };
    case 'keypoints':
      return { keypoints: value.points, ...imageOf(value) };
    case 'polygons':
      return { polygons: value.polygons, ...imageOf(value) };
    case 'lines':
      return { [value.shape]: value.lines, ...imageOf(value) };
    case 'mask':
      return {
        labeledImage: { pngImageData: value.png },
        ...(value.instances ? { instances: value.instances } : { labelMappings: value.labelMappings }),
        ...imageOf(value),
      };
  }
}

const imageOf = ({ image }: { image?: ImageSize }) => (image ? { inputImageProperties: image } : {});

/** A boolean map over `options` in their order, `chosen` ones true (a chosen value missing from `options` is added). */
function choiceMap(options: readonly string[], chosen: readonly string[]): Record<string, boolean> {
  const map = Object.fromEntries(options.map((option) => [option, chosen.includes(option)]));
  for (const label of chosen) map[label] = true;
  return map;
}

/** The string a value votes under: equal answers in different shapes (`"4"` and `4`) count as one. */
export function voteKey(value: AnswerValue): string {
  switch (value.kind) {
    case 'multi-label':
      return JSON.stringify([...value.labels].sort());
    case 'preference':
      return JSON.stringify(value.scores);
    case 'numeric':
    case 'boolean':
      return String(value.value);
    case 'categorical':
    case 'text':
      return value.value;
    default:
      // Shapes vote as a whole only where nothing better applies (a model's answer table): equal drawings, one key.
      return JSON.stringify(submittedForm(value));
  }
}
