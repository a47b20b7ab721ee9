/** The HTML report: escaping of every string from the job, its charts and specs, determinism, and its caps. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobIO } from '../../src/io/job-io.js';
import { renderReport } from '../../src/report/html/html-report.js';
import { labelCap, loadSummary, lowConfidenceCap, reportInput, parseWorkerReport, reviewedObjectOf, workerTableCap, type ReportInput } from '../../src/report/html/report-input.js';
import { emptySummary, type Summary } from '../../src/report/summary.js';
import { formatWorkerReport, type WorkerRow } from '../../src/report/worker-report.js';
import { tempDir } from '../helpers/temp-dir.js';

const hostile = '<script>alert("x")</script>\u001b[31m\'"&<img src=x onerror=alert(1)>';

/** Every `<script` tag of the page, with its attributes. */
const scriptTags = (html: string) => html.match(/<script\b[^>]*>/gi) ?? [];
/** The report's markup without the spec blocks (their JSON is checked apart). */
const markup = (html: string) => html.replace(/<script type="application\/json" class="vega-lite-spec">[^<]*<\/script>/g, '');

function hostileSummary(): Summary {
  const summary = emptySummary(`s3://b/${hostile}/output.manifest`, `out/${hostile}.manifest`, `out/${hostile}.rejects.jsonl`);
  summary.job = hostile;
  summary.lines = { read: 10, consolidated: 8, failedInJob: 1, rejected: 1, blank: 0 };
  summary.rejectedBy = { 'invalid-json': 1 };
  summary.unknownShapes = { [hostile]: 2 };
  summary.fields[hostile] = {
    strategy: 'hierarchical-ds', pickedFor: hostile, objects: 8, answers: 24, ties: 2, unresolved: 1, unresolvedBy: { tie: 1 }, meanConfidence: 0.8,
    agreement: {
      objects: 8, pairableObjects: 8, pairableAnswers: 24, alpha: { nominal: 0.5, ordinal: null, interval: null }, fleissKappa: 0.4,
      alphaInterval: { kind: 'nominal', low: 0.25, high: 0.75, replicates: 1000, defined: 1000, objects: 8, sampled: false },
    },
    spread: { measure: 'range', objects: 8, binWidth: 0.25, counts: [3, 0, 0, 0, 4, 0, 0, 0, 1], unanimous: 3, meanRange: 0.75 },
    confusion: { labels: [hostile, 'b'], counts: [[5, 1], [2, 4]], outside: 0 },
    calibration: { objects: 4, correct: 3, accuracy: 0.75, ece: 0.1, brier: 0.2, brierBasis: 'posterior', lowConfidenceErrorShare: 0 },
    fit: { iterations: 100, converged: false, warnings: [hostile] },
  };
  summary.gold = { [hostile]: { objects: 4, correct: 3, accuracy: 0.75 } };
  return summary;
}

function hostileInput(): ReportInput {
  return {
    summary: hostileSummary(),
    summaryLocation: `${hostile}.summary.json`,
    objects: { location: `${hostile}.manifest`, fields: { [hostile]: { confidence: [0, 0, 0, 0, 0, 1, 2, 3, 1, 1], labels: [[hostile, 5], ['b', 3]], otherLabels: 0 } } },
    workers: { location: `${hostile}.csv`, rows: [{ workerId: hostile, objects: 3, agreement: 0.5, goldAnswers: 1, goldAccuracy: 1, modelAccuracy: { [hostile]: 0.9 } }] },
    review: {
      location: `${hostile}.manifest`,
      objects: [{ line: 3, confidence: 0.2, source: hostile, labels: { [hostile]: hostile }, reasons: [`tie:${hostile}`] }],
    },
    pairs: pairStats(hostile),
  };
}

/** A preference export's pair statistics with `name` as a dimension and a drop reason. */
const pairStats = (name: string) => ({
  format: 'trl', rowsWritten: 7, pairsWritten: 6, dropped: { tie: 2 },
  agreement: { withTies: 0.9, withoutTies: 0.95, judgments: 40, ties: 2 },
  dimensions: { [name]: { objects: 8, pairs: 6, dropped: { [name]: 2 } } },
});

describe('HTML report', () => {
  it('escapes every string from the job: no markup, no control character, no script but the spec blocks', async () => {
    const html = await renderReport(hostileInput());
    const tags = scriptTags(html);
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toBe('<script type="application/json" class="vega-lite-spec">');
    const page = markup(html);
    expect(page).not.toMatch(/<script|<img|\u001b/i);
    // Nothing from the job lands in an attribute unescaped (vega writes labels into aria-label too).
    for (const [, value] of page.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[<>]/);
    // Shown, escaped: in text, in the title, in code cells, and in the charts' SVG labels.
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\x1b[31m&#39;&quot;&amp;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('<title>gt-consolidate report: &lt;script&gt;');
    expect(page).toMatch(/<text[^>]*>&lt;script&gt;alert\(/);
    expect(page.match(/&lt;img src=x/g)!.length).toBeGreaterThanOrEqual(10);
  });

  it('embeds each chart\'s Vega-Lite spec as inert JSON that cannot close its block, next to the chart\'s SVG', async () => {
    const html = await renderReport(hostileInput());
    const figures = [...html.matchAll(/<figure id="([^"]+)">.*?<\/figcaption>\n(<svg[\s\S]*?<\/svg>)\n<script type="application\/json" class="vega-lite-spec">([^<]*)<\/script><\/figure>/g)];
    expect(figures.map(([, id]) => id)).toEqual(['chart-lines', 'chart-confidence', 'chart-confidence-histogram', 'chart-labels', 'chart-agreement', 'chart-spread', 'chart-unsettled', 'chart-confusion-1', 'chart-workers']);
    for (const [, , svg, json] of figures) {
      expect(svg).toMatch(/^<svg [^>]*class="marks"/);
      expect(json).not.toMatch(/[<>&]/);
      const spec = JSON.parse(json!) as { $schema: string; data: { values: unknown[] } };
      expect(spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
      expect(spec.data.values.length).toBeGreaterThan(0);
    }
    const agreement = JSON.parse(figures[4]![3]!) as { data: { values: { field: string; measure: string; value: number }[] } };
    // The label as the terminal shows it (controls visible), the markup characters intact in the JSON.
    expect(agreement.data.values).toContainEqual({ field: hostile.replace('\u001b', '\\x1b'), measure: 'α (nominal)', value: 0.5 });
  });

  it('draws the confusion as a heatmap of rects, each cell with its share of the row', async () => {
    const html = await renderReport(hostileInput());
    const json = html.split('<figure id="chart-confusion-1">')[1]!.split('class="vega-lite-spec">')[1]!.split('</script>')[0]!;
    const spec = JSON.parse(json) as { data: { values: object[] }; layer: { mark: { type: string } }[] };
    expect(spec.layer[0]!.mark.type).toBe('rect');
    expect(spec.data.values).toContainEqual({ consolidated: 'b', answered: hostile.replace('\u001b', '\\x1b'), answers: 2, share: 2 / 6 });
  });

  it('counts an annotation field\'s shapes in the drawings table', async () => {
    const input = hostileInput();
    input.summary.fields[hostile]!.shapes = { kept: 12, dropped: 3, meanKeptConfidence: 0.8, matched: 30, missed: 6, extra: 4 };
    const html = await renderReport(input);
    const row = html.split('<table id="shapes-table">')[1]!.split('</table>')[0]!;
    expect(row).toContain('<td class="n">12</td><td class="n">1.50</td><td class="n">3</td><td class="n">0.800</td><td class="n">30</td><td class="n">6</td><td class="n">4</td>');
    expect(row).toContain('<td>&lt;script&gt;');
  });

  it('shows α with its bootstrap interval in the fields table', async () => {
    const html = await renderReport(hostileInput());
    expect(html).toContain('0.500 <span class="note">nominal</span><br><span class="note">95% [0.250, 0.750]</span>');
  });

  it('lists a preference export\'s pairs per dimension, with the annotators\' agreement, when rebuilt from its stats', async () => {
    const html = await renderReport({ summary: emptySummary('in.manifest', 'out.manifest', 'rejects.jsonl'), pairs: pairStats('Clarity') });
    expect(html).toContain('<section id="pairs">');
    expect(html).toMatch(/<table id="pairs-table">[\s\S]*Clarity[\s\S]*<\/table>/);
    expect(html).toContain('7 rows, 6 pairs written; dropped: tie 2');
    expect(html).toContain('95.0% without ties, 90.0% counting a tie as disagreement (40 judgments, 2 ties)');
    expect(await renderReport({ summary: emptySummary('in.manifest', 'out.manifest', 'rejects.jsonl') })).not.toContain('id="pairs"');
  });

  it('gives the same bytes for the same input', async () => {
    expect(await renderReport(hostileInput())).toBe(await renderReport(hostileInput()));
  });

  it('needs only the summary: no worker table or review list without them', async () => {
    const html = await renderReport({ summary: hostileSummary() });
    expect(html).toContain('id="fields-table"');
    expect(html).not.toContain('id="workers-table"');
    expect(html).not.toContain('id="low-confidence-table"');
    expect(html).not.toContain('id="chart-workers"');
  });

  it('stays small for a 100k-object job with many fields and workers: at most 50 objects and 500 workers shown', async () => {
    const summary = emptySummary('s3://bucket/job/manifests/output/output.manifest', 'out/output.manifest', 'out/output.rejects.jsonl');
    summary.lines = { read: 100_000, consolidated: 99_000, failedInJob: 500, rejected: 500, blank: 0 };
    summary.rejectedBy = { 'invalid-json': 200, 'response-missing': 300 };
    for (let f = 0; f < 20; f += 1) {
      summary.fields[`field-${f}`] = {
        strategy: 'dawid-skene', objects: 99_000, answers: 297_000, ties: 1000 + f, unresolved: 10, unresolvedBy: { tie: 10 }, meanConfidence: 0.9 - f / 100,
        agreement: { objects: 99_000, pairableObjects: 99_000, pairableAnswers: 297_000, alpha: { nominal: 0.6, ordinal: null, interval: null }, fleissKappa: 0.55 },
        fit: { iterations: 30, converged: true },
      };
    }
    summary.review = { objects: 99_000, written: 9900, withoutSource: 0, replacedKey: 0, reasons: { 'low-confidence': 9900, tie: 1000, unresolved: 10, 'gold-disagreement': 0 } };
    const workers = Array.from({ length: 2000 }, (_, i) => ({
      workerId: `private.us-east-1.${i.toString(16).padStart(16, '0')}`, objects: 100 + (i % 300), agreement: (i % 100) / 100, goldAnswers: 0,
      medianTimeSpentSeconds: 20, modelAccuracy: Object.fromEntries(Array.from({ length: 20 }, (_, f) => [`field-${f}`, 0.8])),
    }));
    const objects = Array.from({ length: lowConfidenceCap }, (_, i) => ({
      line: i + 1, confidence: i / 1000, source: 'x'.repeat(161), labels: { 'field-0': 'a' }, reasons: ['low-confidence'],
    }));
    const started = performance.now();
    const distribution = {
      confidence: [1, 2, 3, 4, 5, 6, 7, 8, 9, 99_000 - 45], labels: Array.from({ length: labelCap }, (_, i) => [`label-${i}`, 1000 - i] as [string, number]), otherLabels: 5,
    };
    const fields = Object.fromEntries(Object.keys(summary.fields).map((name) => [name, distribution]));
    const html = await renderReport({
      summary, objects: { location: 'out/output.manifest', fields }, workers: { location: 'out/workers.csv', rows: workers }, review: { location: 'out/review.manifest', objects },
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`synthetic 100k-object report: ${html.length} bytes in ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(5);
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
    const tableRows = (id: string) => html.split(`<table id="${id}">`)[1]!.split('</table>')[0]!.match(/<tr>/g)!.length - 1;
    expect(tableRows('workers-table')).toBe(workerTableCap);
    expect(tableRows('low-confidence-table')).toBe(lowConfidenceCap);
    expect(html).toContain(`the ${workerTableCap} most active of 2000 workers`);
  });
});

describe('report inputs', () => {
  const rows: WorkerRow[] = [
    { workerId: '=cmd|calc', objects: 4, agreement: 0.75, goldAnswers: 2, goldAccuracy: 0.5, models: { sentiment: { accuracy: 0.8, labels: ['a', 'b'] } as WorkerRow['models'][string] } },
    { workerId: 'w2', objects: 1, goldAnswers: 0, models: {} },
  ];
  const expected = [
    { workerId: '=cmd|calc', objects: 4, agreement: 0.75, goldAnswers: 2, goldAccuracy: 0.5, modelAccuracy: { sentiment: 0.8 } },
    { workerId: 'w2', objects: 1, goldAnswers: 0, modelAccuracy: {} },
  ];

  it('reads the worker report as the run writes it, CSV (spreadsheet guard undone) or JSON Lines', () => {
    expect(parseWorkerReport('workers.csv', formatWorkerReport('workers.csv', rows))).toEqual(expected);
    expect(parseWorkerReport('workers.jsonl', formatWorkerReport('workers.jsonl', rows))).toEqual(expected);
  });

  it('reads a review queue line: its label, confidence, reasons and a shortened source', () => {
    expect(reviewedObjectOf({
      source: 'y'.repeat(200),
      consolidated: { labels: { sentiment: { label: 'negative' }, score: 3 }, confidence: 0.4, reasons: ['low-confidence'], line: 7 },
    })).toEqual({ line: 7, confidence: 0.4, source: `${'y'.repeat(160)}…`, labels: { sentiment: 'negative', score: '3' }, reasons: ['low-confidence'] });
    expect(reviewedObjectOf({ source: 'no consolidated key' })).toBeUndefined();
  });

  it('takes a summary file (or an export\'s stats file) only when what the report shows has the right types', async () => {
    const dir = await tempDir();
    const io = new JobIO();
    const summary = hostileSummary();
    const write = async (name: string, json: unknown) => {
      await writeFile(path.join(dir, name), JSON.stringify(json));
      return path.join(dir, name);
    };
    expect(await loadSummary(await write('summary.json', summary), io)).toEqual({ summary });
    expect(await loadSummary(await write('stats.json', { rowsWritten: 3, run: summary }), io)).toEqual({ summary });
    // A preference export's stats file: the run, and the pairs it wrote and dropped.
    const pairs = pairStats('Clarity');
    expect(await loadSummary(await write('pairs.stats.json', { ...pairs, run: summary }), io)).toEqual({ summary, pairs });
    const forged = { ...pairs, pairsWritten: '<b>6</b>', run: summary };
    expect(await loadSummary(await write('forged.stats.json', forged), io)).toEqual({ summary });
    const crafted = { ...summary, lines: { ...summary.lines, read: '<script>alert(1)</script>' } };
    await expect(loadSummary(await write('crafted.json', crafted), io)).rejects.toThrow(/crafted\.json: not a gt-consolidate run summary \(lines\.read: /);
    await expect(loadSummary(await write('array.json', []), io)).rejects.toThrow(/not a gt-consolidate run summary/);
  });

  it('counts each field\'s confidences in tenths and its labels from the consolidated manifest, the most frequent first', async () => {
    const dir = await tempDir();
    const manifest = path.join(dir, 'output.manifest');
    const line = (labels: Record<string, unknown>, confidences: Record<string, number>) => JSON.stringify({
      source: 'x', job: labels, 'job-metadata': { consolidation: Object.fromEntries(Object.entries(confidences).map(([field, confidence]) => [field, { confidence }])) },
    });
    const labels = Array.from({ length: labelCap + 2 }, (_, i) => `label-${String(i).padStart(2, '0')}`);
    await writeFile(manifest, [
      ...labels.map((label, i) => line({ sentiment: { label }, score: 4.5 }, { sentiment: i < 3 ? 1 : 0.05, score: 0.55 })),
      line({ sentiment: { label: 'label-05' } }, { sentiment: 0.999 }),
      JSON.stringify({ source: 'y', 'failure-reason': 'ClientError' }),
      '',
    ].join('\n'));
    const input = await reportInput(emptySummary('in', manifest, 'rejects'), { manifest }, new JobIO());
    const { sentiment, score } = input.objects!.fields;
    expect(sentiment!.confidence).toEqual([labels.length - 3, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
    expect(sentiment!.labels[0]).toEqual(['label-05', 2]);
    expect(sentiment!.labels.slice(1, 3)).toEqual([['label-00', 1], ['label-01', 1]]);
    expect(sentiment!.labels).toHaveLength(labelCap);
    expect(sentiment!.otherLabels).toBe(2);
    // A number is not a label.
    expect(score).toEqual({ confidence: [0, 0, 0, 0, 0, labels.length, 0, 0, 0, 0], labels: [], otherLabels: 0 });
  });
});
