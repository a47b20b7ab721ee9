/**
 * The run report (`run --report`, `gt-consolidate report`): one self-contained HTML file, readable offline and in an S3
 * console preview. Inline CSS, charts as inline SVG (rendered in Node, see `charts.ts`) each followed by its Vega-Lite
 * spec in a `<script type="application/json">` block (data, never run) to re-plot; no scripts, fonts or images, and a
 * Content-Security-Policy that forbids fetching anything. Every string from the job (paths, field names, labels, worker
 * ids, texts) goes through `forHtml`. No timestamps or durations: the same input gives the same bytes.
 *
 * Its size does not grow with the job: the summary is per field, the manifest gives per field ten confidence bins and
 * the `labelCap` most frequent labels, the review queue shows its first `lowConfidenceCap` objects and the worker
 * table its `workerTableCap` most active workers.
 */
import type { RejectCode } from '../../errors.js';
import { forHtml, jsonForScript } from '../../text/html.js';
import type { FieldSummary } from '../summary.js';
import { alphaOf, reportCharts, type Chart } from './charts.js';
import { lowConfidenceCap, workerTableCap, type ReportInput, type ReviewedObject, type WorkerTableRow } from './report-input.js';

const style = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#1d1d1f}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:.9em;word-break:break-all}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}.note{color:#555}.warn{color:#b00020}
`.trim();

const text = (value: string) => forHtml(value);
const fixed = (value: number | null | undefined, digits = 3) => (value == null ? '–' : value.toFixed(digits));
const percent = (value: number | null | undefined) => (value == null ? '–' : `${(100 * value).toFixed(1)}%`);
const cell = (content: string, numeric = false) => `<td${numeric ? ' class="n"' : ''}>${content}</td>`;
/** Column names; `numeric` are the indices of right-aligned (number) columns. */
const header = (names: readonly string[], numeric: readonly number[]) =>
  `<tr>${names.map((name, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${text(name)}</th>`).join('')}</tr>`;

function table(id: string, head: string, rows: readonly string[]): string {
  return `<table id="${id}"><thead>${head}</thead><tbody>\n${rows.map((row) => `<tr>${row}</tr>`).join('\n')}\n</tbody></table>`;
}

function figure(chart: Chart): string {
  return `<figure id="${chart.id}"><figcaption>${text(chart.title)}</figcaption>\n${chart.svg}\n`
    + `<script type="application/json" class="vega-lite-spec">${jsonForScript(chart.spec)}</script></figure>`;
}

function countsSection({ summary }: ReportInput, charts: ReadonlyMap<string, Chart>): string {
  const { lines } = summary;
  const rows = [
    ['lines read', lines.read], ['consolidated', lines.consolidated], ['failed in job', lines.failedInJob], ['rejected', lines.rejected],
    ['blank (not read)', lines.blank], ['answers', summary.answers], ['duplicate submissions dropped', summary.duplicateAnswers],
    ['workers', summary.workers], ['objects without answers', summary.objectsWithoutAnswers], ['S3 retries', summary.retries],
  ] as const;
  const rejected = Object.entries(summary.rejectedBy) as [RejectCode, number][];
  const unknown = Object.entries(summary.unknownShapes);
  return `<section id="counts"><h2>Lines</h2>\n`
    + table('counts-table', header(['', 'count'], [1]), rows.map(([name, n]) => cell(text(name)) + cell(String(n), true)))
    + (rejected.length ? `\n<h3>Rejected, by code</h3>\n${table('rejected-table', header(['code', 'lines'], [1]), rejected.map(([code, n]) => cell(`<code>${text(code)}</code>`) + cell(String(n), true)))}` : '')
    + (unknown.length ? `\n<h3>Answers of unknown shape (kept verbatim)</h3>\n${table('unknown-table', header(['field', 'answers'], [1]), unknown.map(([field, n]) => cell(text(field)) + cell(String(n), true)))}` : '')
    + `\n${figure(charts.get('chart-lines')!)}</section>`;
}

function outputsSection(input: ReportInput): string {
  const { summary } = input;
  const rows: [string, string | null | undefined][] = [
    ['input manifest', summary.input], ['consolidated manifest', summary.output ?? 'none (an export writes its own files)'], ['rejects', summary.rejects],
    ['summary', input.summaryLocation], ['worker report', input.workers?.location], ['review queue', input.review?.location],
  ];
  return `<section id="outputs"><h2>Where things went</h2>\n`
    + table('outputs-table', header(['', 'location'], []), rows.filter(([, where]) => where != null).map(([what, where]) => cell(text(what)) + cell(`<code>${text(where!)}</code>`)))
    + '</section>';
}

function unresolvedText(field: FieldSummary): string {
  if (!field.unresolved) return '0';
  const by = Object.entries(field.unresolvedBy ?? {}).map(([why, n]) => `${text(why)} ${n}`).join(', ');
  return `${field.unresolved}${by ? ` (${by})` : ''}`;
}

/** α's 95% bootstrap interval, when it is of the α shown. */
function intervalText(field: FieldSummary): string {
  const interval = field.agreement?.alphaInterval;
  if (!interval || interval.kind !== alphaOf(field)?.kind) return '';
  return `<br><span class="note">95% [${fixed(interval.low)}, ${fixed(interval.high)}]${interval.sampled ? ` of ${interval.objects} sampled objects` : ''}</span>`;
}

function fitText(field: FieldSummary): string {
  if (!field.fit) return '–';
  const { iterations, converged, warnings = [] } = field.fit;
  const state = converged ? `converged in ${iterations} iterations` : `<span class="warn">did not converge in ${iterations} iterations</span>`;
  return [state, ...warnings.map((warning) => `<span class="warn">${text(warning)}</span>`)].join('; ');
}

function fieldsSection({ summary, objects }: ReportInput, charts: ReadonlyMap<string, Chart>): string {
  const fields = Object.entries(summary.fields);
  if (fields.length === 0) return '<section id="fields"><h2>Fields</h2><p class="note">No field was consolidated.</p></section>';
  const rows = fields.map(([name, field]) => {
    const alpha = alphaOf(field);
    const strategy = text(field.strategy) + (field.pickedFor ? ` <span class="note">(picked for ${text(field.pickedFor)} answers)</span>` : '');
    return cell(text(name)) + cell(strategy) + cell(String(field.objects), true) + cell(String(field.answers), true)
      + cell(fixed(field.meanConfidence), true) + cell(String(field.ties), true) + cell(unresolvedText(field), true)
      + cell(alpha ? `${fixed(alpha.value)} <span class="note">${alpha.kind}</span>${intervalText(field)}` : '–', true) + cell(fixed(field.agreement?.fleissKappa), true);
  });
  const scored = fields.filter(([name, field]) => field.calibration || summary.gold?.[name] || field.fit);
  const gold = scored.map(([name, field]) => {
    const { calibration } = field;
    const against = summary.gold?.[name];
    return cell(text(name)) + cell(against ? `${against.correct}/${against.objects}` : '–', true) + cell(percent(against?.accuracy ?? calibration?.accuracy), true)
      + cell(fixed(calibration?.ece), true) + cell(fixed(calibration?.brier), true) + cell(calibration ? text(calibration.brierBasis) : '–') + cell(fitText(field));
  });
  const goldShapes = Object.entries(summary.goldShapes ?? {}).map(([name, { objects: count, meanIou }]) =>
    cell(text(name)) + cell(String(count), true) + cell(fixed(meanIou), true));
  const shapes = fields.flatMap(([name, { objects, shapes: counts }]) => (counts
    ? [cell(text(name)) + cell(String(counts.kept), true) + cell(fixed(objects ? counts.kept / objects : 0, 2), true) + cell(String(counts.dropped), true)
      + cell(fixed(counts.meanKeptConfidence), true) + cell(String(counts.matched), true) + cell(String(counts.missed), true) + cell(String(counts.extra), true)]
    : []));
  const chartIds = ['chart-confidence', 'chart-confidence-histogram', 'chart-labels', 'chart-agreement', 'chart-spread', 'chart-unsettled'];
  return `<section id="fields"><h2>Fields</h2>\n`
    + table('fields-table', header(['field', 'strategy', 'objects', 'answers', 'mean confidence', 'ties', 'unresolved', 'Krippendorff α (bootstrap 95%)', 'Fleiss κ'], [2, 3, 4, 5, 6, 7, 8]), rows)
    + (objects ? `\n<p class="note">Confidence histograms and labels from <code>${text(objects.location)}</code>.</p>` : '')
    + (gold.length ? `\n<h3>Against gold, and the model fit</h3>\n${table('gold-table', header(['field', 'gold correct', 'accuracy', 'ECE', 'Brier', 'Brier basis', 'model fit'], [1, 2, 3, 4]), gold)}` : '')
    + (goldShapes.length ? `\n<h3>Drawings against gold</h3>\n<p class="note">Mean IoU of the consolidated shapes with the gold ones, AWS's rule: matched by confidence, the unmatched on either side count 0.</p>\n${table('gold-shapes-table', header(['field', 'gold objects', 'mean IoU'], [1, 2]), goldShapes)}` : '')
    + (shapes.length ? `\n<h3>Drawings</h3>\n<p class="note">Shapes kept (clusters that reached the quorum) and dropped below it; the workers' shapes that were kept (matched), kept shapes a worker did not draw (missed), and a worker's shapes not kept (extra).</p>\n${table('shapes-table', header(['field', 'shapes kept', 'per object', 'clusters dropped', 'mean shape confidence', 'matched', 'missed', 'extra'], [1, 2, 3, 4, 5, 6, 7]), shapes)}` : '')
    + [...chartIds, ...[...charts.keys()].filter((id) => id.startsWith('chart-confusion-'))]
      .flatMap((id) => (charts.has(id) ? [`\n${figure(charts.get(id)!)}`] : [])).join('')
    + '</section>';
}

/** The most active workers first, then by id: the same rows always give the same table. */
const byActivity = (a: WorkerTableRow, b: WorkerTableRow) => b.objects - a.objects || (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0);

function workersSection({ workers }: ReportInput, charts: ReadonlyMap<string, Chart>): string {
  if (!workers) return '';
  const shown = [...workers.rows].sort(byActivity).slice(0, workerTableCap);
  const models = [...new Set(shown.flatMap((row) => Object.keys(row.modelAccuracy)))];
  const rows = shown.map((row) => cell(`<code>${text(row.workerId)}</code>`) + cell(String(row.objects), true) + cell(percent(row.agreement), true)
    + models.map((field) => cell(percent(Object.hasOwn(row.modelAccuracy, field) ? row.modelAccuracy[field] : undefined), true)).join('')
    + cell(row.goldAnswers ? `${percent(row.goldAccuracy)} of ${row.goldAnswers}` : '–', true) + cell(row.medianTimeSpentSeconds === undefined ? '–' : `${row.medianTimeSpentSeconds.toFixed(1)} s`, true));
  const more = workers.rows.length - shown.length;
  return `<section id="workers"><h2>Workers</h2>\n`
    + `<p class="note">From <code>${text(workers.location)}</code>${more > 0 ? `: the ${workerTableCap} most active of ${workers.rows.length} workers; the file has them all` : ''}.</p>\n`
    + table('workers-table', header(['worker', 'objects', 'agreement with consolidated', ...models.map((field) => `model accuracy: ${field}`), 'gold accuracy', 'median time'],
      Array.from({ length: models.length + 4 }, (_, i) => i + 1)), rows)
    + (charts.has('chart-workers') ? `\n${figure(charts.get('chart-workers')!)}` : '')
    + '</section>';
}

function reviewedRow(object: ReviewedObject): string {
  const labels = Object.entries(object.labels).map(([field, label]) => `${text(field)}: <code>${text(label)}</code>`).join('<br>');
  return cell(String(object.line), true) + cell(fixed(object.confidence), true) + cell(labels) + cell(text(object.reasons.join(', '))) + cell(text(object.source));
}

function reviewSection({ summary, review }: ReportInput): string {
  const counts = summary.review;
  if (!counts && !review) return '';
  const reasons = Object.entries(counts?.reasons ?? {});
  return `<section id="review"><h2>Review queue</h2>\n`
    + (counts
      ? table('review-table', header(['', 'objects'], [1]), [
        cell('consolidated objects ranked') + cell(String(counts.objects), true), cell('written to the queue') + cell(String(counts.written), true),
        ...reasons.map(([reason, n]) => cell(`reason: ${text(reason)}`) + cell(String(n), true)),
        ...(counts.withoutSource ? [cell('selected but without source or source-ref (not written)') + cell(String(counts.withoutSource), true)] : []),
      ])
      : '')
    + (review
      ? `\n<h3>Lowest confidence objects</h3>\n<p class="note">The first ${lowConfidenceCap} at most of <code>${text(review.location)}</code>, least confident first; line is the output manifest's.</p>\n`
        + table('low-confidence-table', header(['line', 'confidence', 'labels', 'reasons', 'source'], [0, 1]), review.objects.map(reviewedRow))
      : '')
    + '</section>';
}

/** A preference export's pairs (a report rebuilt from its stats file): written and dropped, per dimension. */
function pairsSection({ pairs }: ReportInput): string {
  if (!pairs) return '';
  const dropped = (reasons: Record<string, number>) => Object.entries(reasons).map(([reason, n]) => `${text(reason)} ${n}`).join(', ') || '–';
  const rows = Object.entries(pairs.dimensions).map(([name, dimension]) =>
    cell(text(name)) + cell(String(dimension.objects), true) + cell(String(dimension.pairs), true) + cell(dropped(dimension.dropped)));
  const { agreement } = pairs;
  return `<section id="pairs"><h2>Preference pairs</h2>\n`
    + `<p class="note">Export <code>${text(pairs.format)}</code>: ${pairs.rowsWritten} rows, ${pairs.pairsWritten} pairs written; dropped: ${dropped(pairs.dropped)}. `
    + `Annotators' judgments agreeing with the consolidated order: ${percent(agreement.withoutTies)} without ties, ${percent(agreement.withTies)} counting a tie as disagreement `
    + `(${agreement.judgments} judgments, ${agreement.ties} ties).</p>\n`
    + table('pairs-table', header(['dimension', 'objects', 'pairs written', 'dropped'], [1, 2]), rows)
    + '</section>';
}

export async function renderReport(input: ReportInput): Promise<string> {
  const charts = new Map((await reportCharts(input.summary, input.workers?.rows.slice().sort(byActivity).slice(0, workerTableCap), input.objects?.fields)).map((chart) => [chart.id, chart]));
  const title = `gt-consolidate report${input.summary.job ? `: ${input.summary.job}` : ''}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${text(title)}</title>`,
    `<style>${style}</style></head><body>`,
    `<h1>${text(title)}</h1>`,
    countsSection(input, charts),
    outputsSection(input),
    fieldsSection(input, charts),
    workersSection(input, charts),
    reviewSection(input),
    pairsSection(input),
    '</body></html>',
    '',
  ].filter((part) => part !== '').join('\n');
}
