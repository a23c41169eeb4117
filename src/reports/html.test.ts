import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BrowserContext, chromium } from 'playwright-core';
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { analyzeResults } from '../analysis/analysis';
import { exampleResults } from '../analysis/testing/synthetic';
import { buildCharts, NamedChart } from './charts';
import { reportHtml } from './html';
import { itOrSkip } from '../../models/testing/skip';

/** Debian's `chromium` package; .ci/run installs it. */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface PageOutcome {
  /** Per chart container: its data-rendered mark and the size of the SVG drawn in it. */
  charts: { name: string; rendered: string | null; width: number; height: number; marks: number }[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Requests for anything but the page itself (all refused). */
  requests: string[];
  /** Text elements wider than the page's body: what would overflow it. */
  overflow: string[];
}

let dir: string;
let context: BrowserContext;

/**
 * The browser tests run wherever Chromium is installed, and always in CI (CI=true, where .ci/run
 * installs it): there a missing browser fails them. Elsewhere they are skipped saying why, so that
 * `npm install && npm test` passes on a machine without a browser.
 */
const browserTests = fs.existsSync(CHROMIUM) || Boolean(process.env.CI);
const browserIt = itOrSkip(
  browserTests ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium; CI=true makes this a failure)`,
);

beforeAll(async () => {
  if (!browserTests) return;
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `the browser test needs Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does)`,
    );
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-report-'));
  // A fresh profile per run (launchPersistentContext is how Playwright takes --user-data-dir).
  context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
});

afterAll(async () => {
  await context?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens a report from a file:// URL with every other request refused, and waits for each chart to settle. */
async function openReport(html: string): Promise<PageOutcome> {
  const file = path.join(dir, `report-${Date.now()}.html`);
  fs.writeFileSync(file, html);
  const page = await context.newPage();
  const outcome: PageOutcome = { charts: [], errors: [], requests: [], overflow: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') outcome.errors.push(message.text());
  });
  page.on('pageerror', (error) => outcome.errors.push(error.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    outcome.requests.push(url);
    return route.abort();
  });
  try {
    await page.goto(`file://${file}`);
    // A string runs in the page (this project's TypeScript has no DOM types).
    await page.waitForFunction(
      "[...document.querySelectorAll('[data-chart]')].every((el) => el.hasAttribute('data-rendered'))",
      null,
      { timeout: 20_000 },
    );
    outcome.charts = await page.$$eval('[data-chart]', (elements) =>
      elements.map((el) => {
        const svg = el.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          name: el.getAttribute('data-chart') ?? '',
          rendered: el.getAttribute('data-rendered'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks:
            svg?.querySelectorAll('.mark-symbol path, .mark-line path, .mark-rect path, .mark-text text').length ?? 0,
        };
      }),
    );
    // A string runs in the page: cells and paragraphs that reach past the body's right edge.
    outcome.overflow = await page.evaluate<string[]>(
      "[...document.querySelectorAll('td, th, p')].filter((el) => el.getBoundingClientRect().right > document.body.getBoundingClientRect().right + 1).map((el) => el.textContent.slice(0, 60))",
    );
  } finally {
    await page.close();
  }
  return outcome;
}

function report(charts: readonly NamedChart[], results = exampleResults()): string {
  return reportHtml({ results, analysis: analyzeResults(results), charts, source: 'synthetic test data' });
}

describe('report.html in headless Chromium', () => {
  browserIt(
    'draws every chart offline and logs no error',
    async () => {
      const results = exampleResults();
      const charts = buildCharts(results, analyzeResults(results));
      const outcome = await openReport(report(charts));
      expect(outcome.errors).toEqual([]);
      expect(outcome.requests).toEqual([]);
      expect(outcome.charts.map((c) => c.name)).toEqual(charts.map((c) => c.name));
      for (const c of outcome.charts) {
        expect({ name: c.name, rendered: c.rendered }).toEqual({ name: c.name, rendered: 'true' });
        expect(c.height).toBeGreaterThan(50);
        expect(c.marks).toBeGreaterThan(3);
      }
      // The panel charts fill most of the page's width (1400 px at most), not a quarter of it.
      for (const c of outcome.charts.filter((c) => ['time', 'time_loglog', 'memory', 'gflops'].includes(c.name))) {
        expect({ name: c.name, wide: c.width > 900 }).toEqual({ name: c.name, wide: true });
      }
      expect(outcome.overflow).toEqual([]);
    },
    30_000,
  );

  browserIt(
    'notices a chart that fails to draw and a request for the network (the checks can fail)',
    async () => {
      const broken: NamedChart = {
        name: 'broken',
        title: 'Broken',
        spec: { data: { values: [] }, mark: 'nonsense' } as unknown as TopLevelSpec,
      };
      const online: NamedChart = {
        name: 'online',
        title: 'Online',
        spec: { data: { url: 'https://example.invalid/data.json' }, mark: 'point' },
      };
      const outcome = await openReport(report([broken, online]));
      expect(outcome.charts.find((c) => c.name === 'broken')!.rendered).toBe('error');
      expect(outcome.requests).toEqual(['https://example.invalid/data.json']);
      expect(outcome.errors.length).toBeGreaterThanOrEqual(2);
    },
    30_000,
  );

  it('holds the per-case, fits and slowdown tables, the warnings, the environment and the cases not measured, escaped', () => {
    const results = exampleResults();
    const noisy = results.cases.findIndex((c) => c.model === 'Linear' && c.mode === 'forward' && c.seq_len === 64);
    results.cases[noisy] = { ...results.cases[noisy], samples_ms: [1, 1, 3.5], load_before: 9 };
    const html = report(buildCharts(results, analyzeResults(results)), results);
    const has = (text: string): boolean => html.includes(text); // (not toContain: it would print the whole page)
    expect(has('<h3>forward cases: ')).toBe(true);
    expect(has('<th class="num">spread</th>')).toBe(true);
    expect(has('<tr class="warned"><td>Linear</td>')).toBe(true);
    expect(has('Linear forward n=64: noisy: slowest repeat 3.5x the fastest<')).toBe(true);
    expect(
      has(
        "busy machine: other processes' load (the load average less this run's own threads) reached 8.0 on 2 CPUs, around 1 of ",
      ),
    ).toBe(true); // (once, for the run)
    expect(has('<td>2.00 [2.00, 2.00]</td>')).toBe(true); // Standard forward time exponent
    expect(has('1 ok length (a fit needs 2): no fit')).toBe(true);
    expect(has('<h3>decode slowdown against the fastest model at each length</h3>')).toBe(true);
    expect(has('Synthetic CPU &lt;with&gt; &quot;markup&quot; &amp; quotes')).toBe(true);
    expect(has('BSBR forward n=512: error: out of memory')).toBe(true);
    // The model config key by key, so that it wraps.
    expect(has('vocabSize 10000, hiddenDim 256, numLayers 2,')).toBe(true);
  });
});
