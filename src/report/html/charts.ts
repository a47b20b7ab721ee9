/**
 * The report's charts: Vega-Lite specs compiled and rendered to SVG in Node by `vega` (no canvas, no browser). The
 * output depends only on the spec, so a report rebuilt from the same summary is byte-identical. Labels from the job go
 * in through `forTerminal` (control characters visible); vega escapes them for SVG. vega-lite stays on 6.4 (6.5 needs
 * Node 22). Marks carry no `aria-label` (one per bar or point would double a chart's size): the figure's caption names
 * the chart, and the numbers are in the tables and in the spec beside it.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { forTerminal } from '../../text/escape.js';
import type { ConfusionResult } from '../../stats/confusion.js';
import type { FieldSummary, Summary } from '../summary.js';
import { labelCap, type FieldDistribution, type WorkerTableRow } from './report-input.js';

export interface Chart {
  /** The figure's element id, fixed per chart (not from data). */
  id: string;
  title: string;
  spec: TopLevelSpec;
  svg: string;
}

const schema = 'https://vega.github.io/schema/vega-lite/v6.json';
const width = 480;

export async function renderChart(id: string, title: string, spec: TopLevelSpec): Promise<Chart> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return { id, title, spec, svg: await view.toSVG() };
  } finally {
    view.finalize();
  }
}

/** The measure a field's agreement is read by: interval α for numbers (how far apart answers are counts), else nominal α. */
export function alphaOf(field: FieldSummary): { value: number; kind: 'interval' | 'nominal' } | undefined {
  const { interval, nominal } = field.agreement?.alpha ?? {};
  if (interval != null) return { value: interval, kind: 'interval' };
  return nominal != null ? { value: nominal, kind: 'nominal' } : undefined;
}

const fieldLabel = (name: string) => forTerminal(name);

function horizontalBars(values: object[], x: object, y: object, extra: object = {}): TopLevelSpec {
  return {
    $schema: schema,
    width,
    data: { values },
    mark: { type: 'bar', aria: false },
    encoding: { x, y, ...extra },
  } as TopLevelSpec;
}

const tenths = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);

/** One small bar chart per field (a row each, in `fields` order), sharing the x axis; `height` fixed, or a step per bar. */
function perFieldRows(fields: readonly string[], values: object[], x: object, y: object, height?: number): TopLevelSpec {
  return {
    $schema: schema,
    width,
    ...(height !== undefined && { height }),
    data: { values },
    mark: { type: 'bar', aria: false },
    encoding: { row: { field: 'field', type: 'nominal', sort: fields, title: null, header: { labelAngle: 0, labelAlign: 'left' } }, x, y },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** A confusion's non-empty cells, each with its share of its row (the answers on objects consolidated to that label). */
function confusionCells({ labels, counts }: ConfusionResult): object[] {
  return labels.flatMap((consolidated, row) => {
    const answers = labels.map((_, column) => counts[row]?.[column] ?? 0);
    const total = answers.reduce((sum, n) => sum + n, 0);
    return answers.flatMap((n, column) => (n > 0
      ? [{ consolidated: forTerminal(consolidated), answered: forTerminal(labels[column]!), answers: n, share: n / total }]
      : []));
  });
}

/** The charts a summary (worker rows, the manifest's distributions) give; a chart with nothing to show is left out. */
export async function reportCharts(
  summary: Summary, workers: readonly WorkerTableRow[] | undefined, distributions: Readonly<Record<string, FieldDistribution>> | undefined,
): Promise<Chart[]> {
  const fields = Object.entries(summary.fields);
  const charts: Promise<Chart>[] = [];
  const { consolidated, failedInJob, rejected } = summary.lines;
  charts.push(renderChart('chart-lines', 'Lines by outcome', horizontalBars(
    [{ outcome: 'consolidated', lines: consolidated }, { outcome: 'failed in job', lines: failedInJob }, { outcome: 'rejected', lines: rejected }],
    { field: 'lines', type: 'quantitative', title: 'lines' },
    { field: 'outcome', type: 'nominal', sort: null, title: null },
    { color: { field: 'outcome', type: 'nominal', legend: null, scale: { domain: ['consolidated', 'failed in job', 'rejected'], range: ['#4c78a8', '#f58518', '#e45756'] } } },
  )));
  if (fields.length > 0) {
    charts.push(renderChart('chart-confidence', 'Mean confidence per field', horizontalBars(
      fields.map(([name, field]) => ({ field: fieldLabel(name), meanConfidence: field.meanConfidence })),
      { field: 'meanConfidence', type: 'quantitative', title: 'mean confidence', scale: { domain: [0, 1] } },
      { field: 'field', type: 'nominal', sort: null, title: null },
    )));
  }
  const distributed = fields.flatMap(([name]) => (distributions && Object.hasOwn(distributions, name) ? [[name, distributions[name]!] as const] : []));
  if (distributed.length > 0) {
    charts.push(renderChart('chart-confidence-histogram', 'Objects by confidence, per field', perFieldRows(
      distributed.map(([name]) => fieldLabel(name)),
      distributed.flatMap(([name, { confidence }]) => confidence.map((objects, i) => ({ field: fieldLabel(name), confidence: tenths[i], objects }))),
      { field: 'confidence', type: 'ordinal', sort: null, title: 'confidence', axis: { labelAngle: 0 } },
      { field: 'objects', type: 'quantitative', title: 'objects' },
      60,
    )));
  }
  const labelled = distributed.filter(([, { labels }]) => labels.length > 0);
  if (labelled.length > 0) {
    charts.push(renderChart('chart-labels', `Consolidated labels, per field (the ${labelCap} most frequent)`, perFieldRows(
      labelled.map(([name]) => fieldLabel(name)),
      labelled.flatMap(([name, { labels, otherLabels }]) => [
        ...labels.map(([label, objects]) => ({ field: fieldLabel(name), label: forTerminal(label), objects })),
        ...(otherLabels > 0 ? [{ field: fieldLabel(name), label: '(other labels)', objects: otherLabels }] : []),
      ]),
      { field: 'objects', type: 'quantitative', title: 'objects' },
      { field: 'label', type: 'nominal', sort: null, title: null },
    )));
  }
  const agreement = fields.flatMap(([name, field]) => {
    const alpha = alphaOf(field);
    const kappa = field.agreement?.fleissKappa;
    return [
      ...(alpha ? [{ field: fieldLabel(name), measure: `α (${alpha.kind})`, value: alpha.value }] : []),
      ...(kappa != null ? [{ field: fieldLabel(name), measure: 'Fleiss κ', value: kappa }] : []),
    ];
  });
  if (agreement.length > 0) {
    charts.push(renderChart('chart-agreement', 'Agreement per field (Krippendorff α, Fleiss κ)', horizontalBars(
      agreement,
      { field: 'value', type: 'quantitative', title: 'agreement', scale: { domain: { unionWith: [0, 1] } } },
      { field: 'field', type: 'nominal', sort: null, title: null },
      { yOffset: { field: 'measure', type: 'nominal' }, color: { field: 'measure', type: 'nominal', title: null } },
    )));
  }
  const spread = fields.flatMap(([name, field]) => (field.spread ? [[name, field.spread] as const] : []));
  if (spread.length > 0) {
    charts.push(renderChart('chart-spread', 'Objects by range of answers (largest − smallest), per numeric field', {
      $schema: schema,
      width,
      height: 60,
      data: {
        values: spread.flatMap(([name, { binWidth, counts }]) =>
          counts.map((objects, i) => ({ field: fieldLabel(name), from: i * binWidth, to: (i + 1) * binWidth, objects }))),
      },
      mark: { type: 'bar', aria: false },
      encoding: {
        row: { field: 'field', type: 'nominal', sort: spread.map(([name]) => fieldLabel(name)), title: null, header: { labelAngle: 0, labelAlign: 'left' } },
        x: { field: 'from', type: 'quantitative', title: 'range of answers' },
        x2: { field: 'to' },
        y: { field: 'objects', type: 'quantitative', title: 'objects' },
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as TopLevelSpec));
  }
  // One chart per field: vega-lite cannot facet a layered chart with independent scales (the label sets differ).
  fields.filter(([, field]) => field.confusion && field.confusion.labels.length > 0).forEach(([name, field], i) => {
    charts.push(renderChart(`chart-confusion-${i + 1}`, `${name}: answers given against the consolidated label (cell: answers; colour: their share of the row, white to blue)`, {
      $schema: schema,
      width: { step: 28 },
      height: { step: 22 },
      data: { values: confusionCells(field.confusion!) },
      encoding: {
        x: { field: 'answered', type: 'nominal', sort: null, title: 'answer given' },
        y: { field: 'consolidated', type: 'nominal', sort: null, title: 'consolidated label' },
      },
      layer: [
        { mark: { type: 'rect', aria: false }, encoding: { color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: null } } },
        { mark: { type: 'text', aria: false, fontSize: 9 }, encoding: { text: { field: 'answers', type: 'quantitative' }, color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' } } },
      ],
    } as TopLevelSpec));
  });
  const unsettled = fields.flatMap(([name, field]) => [
    ...(field.ties - (field.unresolvedBy?.tie ?? 0) > 0 ? [{ field: fieldLabel(name), outcome: 'tie broken', objects: field.ties - (field.unresolvedBy?.tie ?? 0) }] : []),
    ...Object.entries(field.unresolvedBy ?? {}).filter(([, n]) => n > 0).map(([why, n]) => ({ field: fieldLabel(name), outcome: `unresolved: ${why}`, objects: n })),
  ]);
  if (unsettled.length > 0) {
    charts.push(renderChart('chart-unsettled', 'Ties and unresolved objects per field', horizontalBars(
      unsettled,
      { field: 'objects', type: 'quantitative', title: 'objects' },
      { field: 'field', type: 'nominal', sort: null, title: null },
      { color: { field: 'outcome', type: 'nominal', title: null } },
    )));
  }
  const scored = (workers ?? []).filter((row) => row.agreement !== undefined);
  if (scored.length > 0) {
    charts.push(renderChart('chart-workers', 'Workers: answers and agreement with the consolidated label', {
      $schema: schema,
      width,
      height: 220,
      data: { values: scored.map((row) => ({ objects: row.objects, agreement: row.agreement })) },
      mark: { type: 'point', filled: true, opacity: 0.6, aria: false },
      encoding: {
        x: { field: 'objects', type: 'quantitative', title: 'objects answered' },
        y: { field: 'agreement', type: 'quantitative', title: 'agreement', scale: { domain: [0, 1] } },
      },
    } as TopLevelSpec));
  }
  return Promise.all(charts);
}
