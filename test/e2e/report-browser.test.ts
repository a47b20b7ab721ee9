/**
 * The sample jobs' committed reports in a real browser: Debian's chromium-headless-shell driven by playwright-core.
 * Each opens from file://, shows its charts and tables, asks for nothing beyond the file, and logs no error; a
 * screenshot of each goes to $REPORT_SCREENSHOTS (default <tmp>/gt-consolidate-report-screenshots).
 * Without the browser the test fails in CI (`CI` set; `.ci/run` installs it) and is skipped locally, saying why.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../helpers/cli.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell';
const missing = existsSync(executablePath)
  ? undefined
  : `${executablePath} not found: install it with \`apt-get install -y chromium-headless-shell\` (.ci/run does), or set CHROMIUM_PATH`;
const screenshots = process.env.REPORT_SCREENSHOTS ?? path.join(os.tmpdir(), 'gt-consolidate-report-screenshots');

/** The charts and tables each sample job's report shows (the job decides which have something to show). */
const samples = {
  'support-ticket-sentiment': {
    charts: ['chart-lines', 'chart-confidence', 'chart-confidence-histogram', 'chart-labels', 'chart-agreement', 'chart-unsettled', 'chart-confusion-1', 'chart-workers'],
    tables: ['counts-table', 'outputs-table', 'fields-table', 'gold-table', 'workers-table', 'review-table', 'low-confidence-table'],
  },
  'multimodal-content-eval': {
    charts: ['chart-lines', 'chart-confidence', 'chart-confidence-histogram', 'chart-agreement', 'chart-spread'],
    tables: ['counts-table', 'outputs-table', 'fields-table', 'workers-table'],
  },
  'text-ranking-preferences': {
    charts: ['chart-lines', 'chart-confidence', 'chart-confidence-histogram'],
    tables: ['counts-table', 'outputs-table', 'fields-table', 'pairs-table'],
  },
  'street-scene-boxes': {
    charts: ['chart-lines', 'chart-confidence', 'chart-confidence-histogram', 'chart-labels', 'chart-agreement', 'chart-confusion-1', 'chart-workers'],
    tables: ['counts-table', 'outputs-table', 'fields-table', 'gold-table', 'gold-shapes-table', 'shapes-table', 'workers-table'],
  },
  'news-entities': {
    charts: ['chart-lines', 'chart-confidence', 'chart-confidence-histogram'],
    tables: ['counts-table', 'outputs-table', 'fields-table', 'shapes-table', 'workers-table'],
  },
} as const;

if (missing && !process.env.CI) console.warn(`report-browser.test.ts skipped: ${missing}`);

describe.skipIf(missing !== undefined && !process.env.CI)(`sample reports in chromium-headless-shell${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    if (missing) throw new Error(`the browser test needs a browser in CI: ${missing}`);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    await mkdir(screenshots, { recursive: true });
  });
  afterAll(() => browser?.close());

  for (const [job, expected] of Object.entries(samples)) {
    it(`${job}: charts and tables visible, no request beyond the file, no console error`, async () => {
      const file = path.join(repo, 'sample-output/consolidated', job, 'report.html');
      const url = pathToFileURL(file).href;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text()); });
      page.on('pageerror', (error) => errors.push(error.message));
      try {
        await page.goto(url, { waitUntil: 'load' });
        expect(requests.filter((request) => request !== url && !request.startsWith('data:'))).toEqual([]);
        expect(errors).toEqual([]);

        expect(await page.locator('figure').evaluateAll((figures) => figures.map((figure) => figure.id))).toEqual(expected.charts);
        for (const id of expected.charts) {
          const svg = page.locator(`figure#${id} > svg.marks`);
          expect(await svg.count(), id).toBe(1);
          expect(await svg.isVisible(), id).toBe(true);
          const box = (await svg.boundingBox())!;
          expect(box.width, id).toBeGreaterThan(100);
          expect(box.height, id).toBeGreaterThan(40);
          // Bars or points drawn, and the spec beside it parses.
          expect(await page.locator(`figure#${id} svg .mark-rect path, figure#${id} svg .mark-symbol path`).count(), id).toBeGreaterThan(0);
          JSON.parse(await page.locator(`figure#${id} > script[type="application/json"]`).textContent() ?? '');
        }
        expect(await page.locator('table').evaluateAll((tables) => tables.map((table) => table.id))).toEqual(expected.tables);
        for (const id of expected.tables) {
          const table = page.locator(`table#${id}`);
          expect(await table.isVisible(), id).toBe(true);
          expect(await table.locator('tbody tr').count(), id).toBeGreaterThan(0);
        }
        // The only scripts are the spec blocks (data; the page's CSP would refuse to run any).
        expect(await page.locator('script').count()).toBe(expected.charts.length);

        const shot = path.join(screenshots, `${job}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        expect((await readFile(shot)).subarray(1, 4).toString()).toBe('PNG');
      } finally {
        await page.close();
      }
    });
  }
});
