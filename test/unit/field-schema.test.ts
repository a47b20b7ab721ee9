import { describe, expect, it } from 'vitest';
import {
  FieldSchemaBuilder, joinKinds, keyPattern, resolveAnswer, rewriteObject,
  type FieldKind, type FieldSchema, type FieldSchemaOptions, type RawFieldAnswers, type ResolvedField,
} from '../../src/responses/field-schema.js';
import { normaliseValue } from '../../src/responses/normalise.js';
import { getStrategy } from '../../strategies/registry.js';
import { submittedForm, voteKey } from '../../strategies/submitted-form.js';
import type { AnswerValue, FieldAnswer } from '../../strategies/types.js';

type Content = Record<string, unknown>;

/** One object's answers by field, normalised the way prepare.ts does: workers w1, w2, … in order. */
function objectFields(contents: readonly Content[]): Map<string, RawFieldAnswers> {
  const fields = new Map<string, { answers: FieldAnswer[]; unknown: unknown[] }>();
  contents.forEach((content, index) => {
    for (const [name, raw] of Object.entries(content)) {
      const normalised = normaliseValue(raw);
      if (normalised.type === 'empty') continue;
      let field = fields.get(name);
      if (!field) fields.set(name, (field = { answers: [], unknown: [] }));
      if (normalised.type === 'answer') field.answers.push({ workerId: `w${index + 1}`, value: normalised.value });
      else field.unknown.push(normalised.raw);
    }
  });
  return fields;
}

/** A job of objects, each a list of worker answerContents: its schema and each object rewritten. */
function job(objects: readonly (readonly Content[])[], options: FieldSchemaOptions = {}) {
  const builder = new FieldSchemaBuilder(options);
  for (const contents of objects) builder.observe(objectFields(contents), contents.length);
  const schema = builder.resolve();
  const field = (name: string): ResolvedField => {
    const found = schema.fields.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no field ${name} in ${schema.fields.map(({ name: n }) => n).join(', ')}`);
    return found;
  };
  const rewritten = (index: number) => rewriteObject(schema, objectFields(objects[index]!));
  const values = (index: number, name: string): AnswerValue[] => rewritten(index).get(name)?.answers.map(({ value }) => value) ?? [];
  return { builder, schema, field, rewritten, values };
}

const decide = (strategy: string, answers: readonly FieldAnswer[]) =>
  getStrategy(strategy)!.create(getStrategy(strategy)!.options.parse({})).decide(answers, { random: () => 0, object: 0 });

const names = (schema: FieldSchema) => schema.fields.map(({ name }) => name);

describe('field schema: radio group across names (side-by-side comparison template)', () => {
  const pick = (chosen: 1 | 2, explanation = 'clearer') =>
    ({ option1: { 'Option 1': chosen === 1 }, option2: { 'Option 2': chosen === 2 }, explanation });
  const objects = [[pick(1), pick(1), pick(2)], [pick(2), pick(2), pick(2)], [pick(1), pick(2, 'more detail here please')]];

  it('detects the group and resolves it to one categorical field of option labels', () => {
    const { schema, field } = job(objects);
    expect(names(schema)).toEqual(['option1|option2', 'explanation']);
    expect(field('option1|option2')).toMatchObject({
      kind: 'categorical', strategy: 'hierarchical-ds', answers: 8, objects: 3,
      group: { members: ['option1', 'option2'], detected: true },
      labels: [{ label: 'Option 2', count: 5 }, { label: 'Option 1', count: 3 }],
    });
    expect(schema.groups).toEqual([{ name: 'option1|option2', members: ['option1', 'option2'], detected: true }]);
  });

  it('rewrites each object to the chosen label, so majority vote picks one option', () => {
    const { rewritten, values } = job(objects);
    expect(values(0, 'option1|option2')).toEqual([
      { kind: 'categorical', value: 'Option 1', shape: 'string' },
      { kind: 'categorical', value: 'Option 1', shape: 'string' },
      { kind: 'categorical', value: 'Option 2', shape: 'string' },
    ]);
    expect([...rewritten(0).keys()]).toEqual(['option1|option2', 'explanation']);
    expect(decide('majority-vote', rewritten(0).get('option1|option2')!.answers)).toMatchObject({ value: 'Option 1', confidence: 2 / 3 });
  });

  it('accepts an explicit group under its own name', () => {
    const { schema, field, values } = job(objects, { groups: { preferred: ['option1', 'option2'] } });
    expect(names(schema)).toEqual(['preferred', 'explanation']);
    expect(field('preferred')).toMatchObject({ kind: 'categorical', answers: 8, group: { members: ['option1', 'option2'], detected: false } });
    expect(values(1, 'preferred').map((value) => submittedForm(value))).toEqual(['Option 2', 'Option 2', 'Option 2']);
  });

  it('keeps an answer with two buttons on as unknown, with every member, in an explicit group', () => {
    const both = { option1: { 'Option 1': true }, option2: { 'Option 2': true } };
    const { rewritten } = job([[pick(1), both]], { groups: { preferred: ['option1', 'option2'] } });
    expect(rewritten(0).get('preferred')).toEqual({
      answers: [{ workerId: 'w1', value: { kind: 'categorical', value: 'Option 1', shape: 'string' } }],
      unknown: [{ option1: { 'Option 1': true }, option2: { 'Option 2': true } }],
    });
  });

  it('labels buttons without a value by their name', () => {
    const { field, values } = job([[{ a: { on: true }, b: { on: false } }, { a: { on: false }, b: { on: true } }]], { groups: { ab: ['a', 'b'] } });
    expect(field('ab').kind).toBe('categorical');
    expect(values(0, 'ab').map(({ kind, ...rest }) => rest)).toEqual([{ value: 'a', shape: 'string' }, { value: 'b', shape: 'string' }]);
  });

  it('does not swallow a checkbox with a value that is never ticked beside the group', () => {
    const { schema, field } = job(objects.map((contents) => contents.map((content) => ({ ...content, unsure: { yes: false } }))));
    expect(names(schema)).toEqual(['option1|option2', 'explanation', 'unsure']);
    expect(field('unsure')).toMatchObject({ kind: 'boolean', labels: [{ label: 'false', count: 8 }] });
  });

  it('separates a sometimes-ticked checkbox from the group it is always shown with', () => {
    const withUnsure = (chosen: 1 | 2, unsure: boolean) => ({ ...pick(chosen), unsure: { yes: unsure } });
    const { schema, field } = job([[withUnsure(1, true), withUnsure(2, false)], [withUnsure(1, false), withUnsure(1, true)]]);
    expect(names(schema)).toEqual(['option1|option2', 'explanation', 'unsure']);
    expect(field('unsure').kind).toBe('boolean');
  });

  it('leaves checkboxes with different names apart when some answer ticks two (crowd-checkbox docs example)', () => {
    const lights = (go: boolean, slow: boolean, stop: boolean) => ({ Go: { Green: go }, Slow: { Yellow: slow }, Stop: { Red: stop } });
    const { schema, field } = job([[lights(false, false, true), lights(true, true, false)], [lights(false, true, true), lights(false, false, false)]]);
    expect(schema.groups).toEqual([]);
    expect(names(schema)).toEqual(['Go', 'Slow', 'Stop']);
    expect(field('Stop')).toMatchObject({ kind: 'boolean', strategy: 'hierarchical-ds', shapes: { 'boolean/flag': 4 } });
  });

  it('can be switched off', () => {
    expect(names(job(objects, { detectGroups: false }).schema)).toEqual(['option1', 'option2', 'explanation']);
  });
});

describe('field schema: same-name radio and native radio as boolean maps', () => {
  const radio = (chosen: string) => ({ toxicity: { toxic: chosen === 'toxic', 'non-toxic': chosen === 'non-toxic' } });

  it('exactly one true in every answer: single choice, categorical, written back as the map', () => {
    const { field, rewritten } = job([[radio('toxic'), radio('toxic'), radio('non-toxic')], [radio('non-toxic'), radio('non-toxic')]]);
    expect(field('toxicity')).toMatchObject({ kind: 'categorical', choice: 'single', strategy: 'hierarchical-ds' });
    const answers = rewritten(0).get('toxicity')!.answers;
    expect(answers[0]!.value).toEqual({ kind: 'categorical', value: 'toxic', shape: 'radio', options: ['toxic', 'non-toxic'] });
    expect(decide('majority-vote', answers).value).toEqual({ toxic: true, 'non-toxic': false });
  });

  it('resolveAnswer reads a decided value back to the vote key the answers had (for gold and agreement)', () => {
    const { field } = job([[radio('toxic'), radio('non-toxic')]]);
    const decided = normaliseValue({ toxic: false, 'non-toxic': true });
    expect(decided.type).toBe('answer');
    if (decided.type !== 'answer') return;
    expect(voteKey(resolveAnswer(field('toxicity'), decided.value)!)).toBe('non-toxic');
  });

  it('a 2-2 split is a tie between two options, not an empty label set', () => {
    const { rewritten } = job([[radio('toxic'), radio('toxic'), radio('non-toxic'), radio('non-toxic')]]);
    expect(decide('majority-vote', rewritten(0).get('toxicity')!.answers)).toMatchObject({ confidence: 0.5, details: { tie: true } });
  });
});

describe('field schema: Likert radio (numeric option keys)', () => {
  const likert = (score: number) => ({ clarity: Object.fromEntries([1, 2, 3, 4, 5].map((n) => [String(n), n === score])) });

  it('is numeric, so mean and median apply', () => {
    const { field, rewritten } = job([[likert(3), likert(4), likert(5)], [likert(1), likert(2)]]);
    expect(field('clarity')).toMatchObject({ kind: 'numeric', choice: 'single', strategy: 'mean' });
    const answers = rewritten(0).get('clarity')!.answers;
    expect(answers.map(({ value }) => value)).toEqual([3, 4, 5].map((value) => ({ kind: 'numeric', value, shape: 'radio' })));
    expect(decide('mean', answers).value).toBe(4);
    expect(decide('median', answers).value).toBe(4);
  });

  it('a radio group across names with numeric values is numeric too', () => {
    const rating = (score: number) => Object.fromEntries([1, 2, 3].map((n) => [`rating${n}`, { [String(n)]: n === score }]));
    const { field, values } = job([[rating(1), rating(3)], [rating(2), rating(2)]]);
    expect(field('rating1|rating2|rating3')).toMatchObject({ kind: 'numeric', strategy: 'mean' });
    expect(values(0, 'rating1|rating2|rating3')).toEqual([{ kind: 'numeric', value: 1, shape: 'radio' }, { kind: 'numeric', value: 3, shape: 'radio' }]);
  });
});

describe('field schema: checkbox and toggle with values', () => {
  it('an unticked checkbox with a value is a "no" vote', () => {
    const occluded = (yes: boolean) => ({ occluded: { yes } });
    const { field, rewritten } = job([[occluded(false), occluded(false), occluded(true)]]);
    expect(field('occluded')).toMatchObject({ kind: 'boolean', strategy: 'hierarchical-ds', answers: 3, labels: [{ label: 'false', count: 2 }, { label: 'true', count: 1 }] });
    expect(decide('majority-vote', rewritten(0).get('occluded')!.answers)).toMatchObject({ value: { yes: false }, confidence: 2 / 3 });
  });

  it('a toggle without a value is boolean', () => {
    const { field, rewritten } = job([[{ blurry: { on: false } }, { blurry: { on: true } }, { blurry: { on: false } }]]);
    expect(field('blurry').kind).toBe('boolean');
    expect(decide('majority-vote', rewritten(0).get('blurry')!.answers).value).toEqual({ on: false });
  });

  it('a checkbox group with several trues is multi-label; its one-option answers join it', () => {
    const issues = (...ticked: string[]) => ({ issues: Object.fromEntries(['grammar', 'factual'].map((o) => [o, ticked.includes(o)])) });
    const { field, values } = job([[issues('grammar', 'factual'), issues('grammar')], [issues(), { issues: { grammar: true } }]]);
    expect(field('issues')).toMatchObject({ kind: 'multi-label', choice: 'multiple', strategy: 'multi-label-vote' });
    expect(values(1, 'issues')).toEqual([
      { kind: 'multi-label', labels: [], options: ['grammar', 'factual'], shape: 'checkbox' },
      { kind: 'multi-label', labels: ['grammar'], options: ['grammar'], shape: 'checkbox' },
    ]);
  });
});

describe('field schema: conditional checkboxes', () => {
  const answer = (toxic: boolean, nature?: string[]) => ({
    toxicity: { toxic, 'non-toxic': !toxic },
    ...(nature && { 'nature-of-toxicity': Object.fromEntries(['hate', 'violence'].map((o) => [o, nature.includes(o)])) }),
  });

  it('are decided over the workers who answered, and say how many did', () => {
    const { field, values } = job([
      [answer(true, ['hate', 'violence']), answer(true, ['hate']), answer(false)],
      [answer(false), answer(false), answer(false)],
      [answer(true, ['violence']), answer(true, ['hate', 'violence']), answer(true, ['violence'])],
    ]);
    expect(field('nature-of-toxicity')).toMatchObject({
      kind: 'multi-label', objects: 2, partialObjects: 1, workersPerObject: { min: 2, max: 3, mean: 2.5 },
    });
    expect(values(0, 'nature-of-toxicity')).toHaveLength(2);
    expect(field('toxicity')).toMatchObject({ objects: 3, partialObjects: 0, workersPerObject: { min: 3, max: 3, mean: 3 } });
  });
});

describe('field schema: kinds from the whole field', () => {
  it('a comment box whose first answer is short is text for the whole job', () => {
    const { field, values } = job([[{ comment: 'Fine.' }, { comment: 'Fine.' }], [{ comment: 'The second response misses the point entirely.' }]]);
    expect(field('comment')).toMatchObject({ kind: 'text', strategy: 'collect', labels: [] });
    expect(values(0, 'comment')).toEqual([{ kind: 'text', value: 'Fine.' }, { kind: 'text', value: 'Fine.' }]);
  });

  it('numbers among category strings make a categorical field, numbers rewritten as strings', () => {
    const { field, values } = job([[{ grade: '4' }, { grade: 'N/A' }], [{ grade: 5 }]]);
    expect(field('grade')).toMatchObject({ kind: 'categorical', shapes: { 'numeric/numeric-string': 1, 'categorical/string': 1, 'numeric/number': 1 } });
    expect(values(0, 'grade')).toEqual([{ kind: 'categorical', value: '4', shape: 'string' }, { kind: 'categorical', value: 'N/A', shape: 'string' }]);
    expect(values(1, 'grade')).toEqual([{ kind: 'categorical', value: '5', shape: 'string' }]);
  });

  it('a classifier with workerComment is categorical', () => {
    const { field } = job([[{ 'crowd-image-classifier': { label: 'cat', workerComment: 'blurry' } }, { 'crowd-image-classifier': { label: 'dog' } }]]);
    expect(field('crowd-image-classifier')).toMatchObject({ kind: 'categorical', labels: [{ label: 'cat', count: 1 }, { label: 'dog', count: 1 }] });
  });

  it('joins kinds by the lattice in the header', () => {
    const table: [FieldKind, FieldKind, FieldKind][] = [
      ['boolean', 'numeric', 'categorical'], ['numeric', 'categorical', 'categorical'], ['categorical', 'text', 'text'],
      ['numeric', 'text', 'text'], ['boolean', 'boolean', 'boolean'], ['multi-label', 'categorical', 'unknown'],
      ['preference', 'numeric', 'unknown'], ['multi-label', 'multi-label', 'multi-label'], ['unknown', 'text', 'unknown'],
    ];
    for (const [a, b, joined] of table) {
      expect(joinKinds(a, b), `${a} ⊔ ${b}`).toBe(joined);
      expect(joinKinds(b, a), `${b} ⊔ ${a}`).toBe(joined);
    }
  });

  it('kinds that do not combine make the field unknown', () => {
    const { field } = job([[{ tags: ['a', 'b'] }, { tags: 'a' }]]);
    expect(field('tags')).toMatchObject({ kind: 'unknown', unknownReason: 'incompatible-kinds' });
    expect(field('tags')).not.toHaveProperty('strategy');
  });
});

describe('field schema: decoded JSON never decides against unknown shapes', () => {
  const boxes = JSON.stringify([{ label: 'car', left: 1, top: 2, width: 3, height: 4 }]);

  it('a decoded "[]" among arrays of boxes leaves the field unknown, listed not decided', () => {
    const { field, rewritten } = job([[{ instances: boxes }, { instances: '[]' }], [{ instances: boxes }]]);
    expect(field('instances')).toMatchObject({
      kind: 'unknown', unknownReason: 'mixed-with-unknown', knownKind: 'multi-label', answers: 3, unknownAnswers: 2,
      shapes: { unknown: 2, 'multi-label/list': 1 },
    });
    expect(rewritten(0).get('instances')).toEqual(objectFields([{ instances: boxes }, { instances: '[]' }]).get('instances'));
  });

  it('a field of unknown shapes alone is unknown', () => {
    expect(job([[{ annotatedResult: { rectangles: [] } }]]).field('annotatedResult'))
      .toMatchObject({ kind: 'unknown', unknownReason: 'unknown-shape', examples: ['{"rectangles":[]}'] });
  });
});

describe('field schema: dynamic keys', () => {
  const rows = (count: number, text: (row: number) => string) =>
    Object.fromEntries(Array.from({ length: count }, (_, index) => [`translation${index + 1}`, text(index + 1)]));
  const translations = [
    [rows(2, (r) => `row ${r} in good English`), rows(2, (r) => `row ${r} in plain English`)],
    [rows(5, (r) => `row ${r} in good English`), rows(5, (r) => `row ${r} in good English`)],
    [rows(1, () => 'only row translated here'), rows(1, () => 'only row translated here')],
  ];

  it('per-row keys are reported as one pattern with a keyPatterns suggestion', () => {
    const { schema } = job(translations);
    expect(schema.patterns).toEqual([{
      pattern: 'translation<n>', keys: 5, moreKeys: false, exampleKeys: ['translation1', 'translation2', 'translation3'],
      answers: 16, perWorker: false, suggestion: { pattern: '^translation(\\d+)$', field: 'translation' },
    }]);
  });

  it('a key pattern consolidates one field per row, named field[row]', () => {
    const options = { keyPatterns: [{ pattern: '^translation(\\d+)$', field: 'translation' }] };
    const { schema, field, rewritten } = job(translations, options);
    expect(names(schema)).toEqual(['translation[1]', 'translation[2]', 'translation[3]', 'translation[4]', 'translation[5]']);
    expect(schema.patterns).toEqual([]);
    expect(field('translation[1]')).toMatchObject({ kind: 'text', objects: 3 });
    expect(field('translation[5]')).toMatchObject({ kind: 'text', objects: 1 });
    expect([...rewritten(0).keys()]).toEqual(['translation[1]', 'translation[2]']);
    expect(rewritten(0).get('translation[2]')!.answers.map(({ workerId }) => workerId)).toEqual(['w1', 'w2']);
  });

  const ocr = (worker: number, correct: Record<string, boolean>) =>
    Object.fromEntries(Object.entries(correct).map(([row, yes]) => [`ocr-18c3f9a2b${worker}d-${row}-correct`, { yes }]));
  const ocrJob = [
    [ocr(1, { '0001': true, '0002': false }), ocr(2, { '0001': true, '0002': true }), ocr(3, { '0001': false, '0002': true })],
    [ocr(4, { '0001': true }), ocr(5, { '0001': true })],
  ];

  it('per-worker keys (an id generated in the browser) are reported as one per-worker pattern', () => {
    const { schema } = job(ocrJob);
    expect(keyPattern('ocr-18c3f9a2b1d-0001-correct')).toBe('ocr-<id>-<n>-correct');
    expect(schema.patterns).toMatchObject([{
      pattern: 'ocr-<id>-<n>-correct', keys: 8, perWorker: true,
      suggestion: { pattern: '^ocr-[0-9a-fA-F]+-(\\d+)-correct$', field: 'ocr-correct' },
    }]);
  });

  it('the suggested key pattern brings every worker\'s answer for a row together', () => {
    const { schema, field, values } = job(ocrJob, { keyPatterns: [{ pattern: '^ocr-[0-9a-fA-F]+-(\\d+)-correct$', field: 'ocr-correct' }] });
    expect(names(schema)).toEqual(['ocr-correct[0001]', 'ocr-correct[0002]']);
    expect(field('ocr-correct[0001]')).toMatchObject({ kind: 'boolean', answers: 5, workersPerObject: { min: 2, max: 3 } });
    expect(values(0, 'ocr-correct[0002]').map((value) => submittedForm(value))).toEqual([{ yes: false }, { yes: true }, { yes: true }]);
  });

  it('a worker whose two keys map onto one row keeps the first, and the collision is counted', () => {
    const { field, values } = job([[{ 'note-a1': 'x', 'note-b2': 'y' }]], { keyPatterns: [{ pattern: '^note-', field: 'note' }] });
    expect(field('note')).toMatchObject({ answers: 1, collisions: 1 });
    expect(values(0, 'note')).toEqual([{ kind: 'categorical', value: 'x', shape: 'string' }]);
  });

  it('rejects a key pattern that is not a regular expression', () => {
    expect(() => new FieldSchemaBuilder({ keyPatterns: [{ pattern: '(', field: 'x' }] })).toThrow(/keyPatterns\[0\]\.pattern/);
  });

  it('folds keys beyond the cap into the pattern\'s own field, so memory stays bounded', () => {
    const key = (index: number) => `ocr-${(0xabc000 + index).toString(16)}-correct`;
    const objects = Array.from({ length: 50 }, (_, index) => [{ [key(2 * index)]: { yes: true } }, { [key(2 * index + 1)]: { yes: false } }]);
    const { schema, field } = job(objects);
    expect(schema.fields).toHaveLength(33);
    expect(field('ocr-<id>-correct')).toMatchObject({ foldedOccurrences: 68, answers: 68, kind: 'boolean' });
    expect(schema.patterns).toMatchObject([{ pattern: 'ocr-<id>-correct', keys: 32, moreKeys: true, perWorker: true }]);
  });
});

describe('field schema: bounded, mergeable, serialisable', () => {
  const objects = [
    [{ sentiment: { label: 'positive' }, clarity: { 1: false, 2: true }, a: { x: true }, b: { y: false } },
      { sentiment: { label: 'negative' }, clarity: { 1: true, 2: false }, a: { x: false }, b: { y: true } }],
    [{ sentiment: { label: 'neutral' }, clarity: { 1: false, 2: true }, comment: 'short', a: { x: true }, b: { y: false } }],
    [{ sentiment: { label: 'positive' }, comment: 'a much longer comment with many words', a: { x: false }, b: { y: true } }],
  ];

  it('merging shard builders resolves like one builder over the whole job', () => {
    const whole = new FieldSchemaBuilder();
    for (const contents of objects) whole.observe(objectFields(contents), contents.length);
    const first = new FieldSchemaBuilder();
    const second = new FieldSchemaBuilder();
    objects.forEach((contents, index) => (index < 2 ? first : second).observe(objectFields(contents), contents.length));
    expect(first.merge(second).resolve()).toEqual(whole.resolve());
    expect(whole.resolve().fields.map(({ name, kind }) => [name, kind]))
      .toEqual([['sentiment', 'categorical'], ['clarity', 'numeric'], ['a|b', 'categorical'], ['comment', 'text']]);
  });

  it('round-trips through JSON, builder and schema alike', () => {
    const builder = new FieldSchemaBuilder({ detectGroups: true });
    for (const contents of objects) builder.observe(objectFields(contents), contents.length);
    const restored = FieldSchemaBuilder.fromJSON(JSON.parse(JSON.stringify(builder)));
    expect(restored.resolve()).toEqual(builder.resolve());
    const schema = JSON.parse(JSON.stringify(builder.resolve())) as FieldSchema;
    expect(rewriteObject(schema, objectFields(objects[0]!))).toEqual(rewriteObject(builder.resolve(), objectFields(objects[0]!)));
  });

  it('refuses to merge builders with different options, and JSON that is not a schema', () => {
    expect(() => new FieldSchemaBuilder().merge(new FieldSchemaBuilder({ detectGroups: false }))).toThrow(/different options/);
    expect(() => FieldSchemaBuilder.fromJSON({ fields: [] })).toThrow(/not a serialised field schema/);
  });

  it('keeps at most 32 distinct labels and 3 examples, escaped and cut short', () => {
    const contents = Array.from({ length: 50 }, (_, index) => ({ code: `c${index}` }));
    const { field } = job([contents, [{ code: 'c1' }]]);
    expect(field('code').labels).toHaveLength(32);
    expect(field('code')).toMatchObject({ labelsTruncated: true, answers: 51, examples: ['"c0"', '"c1"', '"c2"'] });
    const sneaky = job([[{ note: 'ok\u202edone' }, { note: 'x'.repeat(100) }]]).field('note');
    expect(sneaky.examples).toEqual(['"ok\\u202edone"', `"${'x'.repeat(58)}…`]);
  });
});
