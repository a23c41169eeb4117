import { analyzeResults } from '../analysis/analysis';
import { fitPowerLaw, powerLawAt } from '../analysis/fit';
import { exampleResults } from '../analysis/testing/synthetic';
import { runModuleScript } from '../testing/built_cli';
import { buildCharts, doubles, drawsLine, exponentLabels, NamedChart } from './charts';

const results = exampleResults();
const analysis = analyzeResults(results);
const charts = buildCharts(results, analysis);
const chart = (name: string): NamedChart => charts.find((c) => c.name === name)!;
type Values = { values: Record<string, unknown>[] };
type Layered = { hconcat: { title: string; layer: { data: Values; mark: { type: string; clip?: boolean } }[] }[] };

/** What a spec becomes once vega-lite compiles it and vega renders it (in a child Node process: both are ESM-only). */
interface Rendered {
  warnings?: string[];
  marks?: number;
  error?: string;
  /** Every scale's domain after rendering, by scale name (concat_0_y: the first panel's y). */
  domains?: Record<string, (number | string)[]>;
  legend?: boolean;
}

const RENDER_SCRIPT = `
  import * as vega from 'vega';
  import { compile } from 'vega-lite';
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const out = {};
  for (const [name, spec] of Object.entries(JSON.parse(input))) {
    const warnings = [];
    const logger = { level() { return this; }, warn: (...a) => warnings.push(a.join(' ')), info() {}, debug() {}, error: (...a) => warnings.push('ERROR ' + a.join(' ')) };
    try {
      const compiled = compile(spec, { logger }).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      await view.runAsync();
      const domains = Object.fromEntries((compiled.scales ?? []).map((s) => [s.name, view.scale(s.name).domain()]));
      const svg = await view.toSVG();
      out[name] = { warnings, marks: JSON.stringify(compiled.marks ?? []).length, domains, legend: svg.includes('role-legend') };
      view.finalize();
    } catch (err) {
      out[name] = { error: err.message };
    }
  }
  console.log(JSON.stringify(out));`;

function render(specs: Record<string, unknown>): Record<string, Rendered> {
  const child = runModuleScript(RENDER_SCRIPT, JSON.stringify(specs));
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as Record<string, Rendered>;
}

describe('chart specs', () => {
  it('are the six charts of the report, each with inline data', () => {
    expect(charts.map((c) => c.name)).toEqual(['time', 'time_loglog', 'memory', 'params', 'slowdown', 'gflops']);
    for (const c of charts) {
      expect(JSON.stringify(c.spec)).toContain('"values"');
      expect(JSON.stringify(c.spec)).not.toMatch(/"url"/);
    }
  });

  it('draw a panel per mode; decode panels are about the context length', () => {
    for (const name of ['time', 'time_loglog', 'memory', 'slowdown', 'gflops']) {
      const spec = chart(name).spec as { hconcat: { title: string }[] };
      expect(spec.hconcat.map((p) => p.title)).toEqual(['forward', 'decode']);
      const titles = JSON.stringify(spec.hconcat[1]);
      expect(titles).toContain('context length n');
      expect(titles).not.toContain('sequence length');
    }
  });

  it('log-log: fitted lines follow each fit and carry its exponent; guides O(n), O(n^2) forward and O(1), O(n) decode, clipped', () => {
    const [forward, decode] = (chart('time_loglog').spec as unknown as Layered).hconcat;
    const [guides, , fitted] = forward.layer.map((l) => l.data.values);
    const standard = analysis.fits.find((f) => f.model === 'Standard' && f.mode === 'forward')!;
    const line = fitted.filter((r) => String(r.label).startsWith('Standard: e = 2.00'));
    expect(line.map((r) => r.seq_len)).toEqual([64, 512]);
    expect(line[1].ms).toBeCloseTo(powerLawAt(standard.time!, 512), 8);
    expect(fitted.some((r) => String(r.label).startsWith('GAU'))).toBe(false); // no fit, no line
    const guide = (name: string, n: number) => guides.find((g) => g.guide === name && g.seq_len === n)!.ms as number;
    expect(guide('O(n)', 64)).toBeCloseTo(guide('O(n^2)', 64), 12);
    expect(guide('O(n)', 512) / guide('O(n)', 64)).toBeCloseTo(8, 10);
    expect(guide('O(n^2)', 512) / guide('O(n^2)', 64)).toBeCloseTo(64, 10);
    expect(forward.layer[0].mark.clip).toBe(true);
    expect(new Set(decode.layer[0].data.values.map((g) => g.guide))).toEqual(new Set(['O(1)', 'O(n)']));
  });

  it('log-log legend: each exponent with its interval; no line through a clearly curved series, and the legend says so', () => {
    const curved = fitPowerLaw([64, 128, 256, 512, 1024], [10, 11, 14, 30, 90]);
    expect(curved.residualSd!).toBeGreaterThan(0.05);
    expect(drawsLine(curved)).toBe(false);
    expect(drawsLine(fitPowerLaw([64, 128, 256], [1, 4, 16]))).toBe(true);
    const curvedAnalysis = {
      ...analysis,
      fits: analysis.fits.map((f) => (f.model === 'Standard' && f.mode === 'forward' ? { ...f, time: curved } : f)),
    };
    const label = exponentLabels(curvedAnalysis, 'forward').get('Standard')!;
    expect(label).toMatch(/^Standard: e = \d\.\d\d \[\d\.\d\d, \d\.\d\d\] \(curved: no line\)$/);
    expect(exponentLabels(analysis, 'forward').get('Standard')).toBe('Standard: e = 2.00 [2.00, 2.00]');
  });

  it("time: a log y, the median's 95% interval as the bar (not min-max), cases with warnings marked", () => {
    const [forward] = (chart('time').spec as unknown as Layered).hconcat;
    const [interval, , points] = forward.layer;
    expect((points as unknown as { encoding: { y: { scale: { type: string } } } }).encoding.y.scale.type).toBe('log');
    expect(
      (interval as unknown as { encoding: { y: { field: string }; y2: { field: string } } }).encoding.y.field,
    ).toBe('low_ms');
    expect(points.data.values.every((r) => r.flagged === 'clean' || r.flagged === 'with warnings')).toBe(true);
  });

  it('uses a log2 length axis where lengths double, a linear one otherwise', () => {
    expect(doubles([64, 128, 256, 512])).toBe(true);
    expect(doubles([1000, 2000, 2500])).toBe(false);
    expect(doubles([64, 128])).toBe(false);
    const x = (chart('memory').spec as { hconcat: { encoding: { x: { scale: { type?: string; base?: number } } } }[] })
      .hconcat[0].encoding.x;
    expect(x.scale).toMatchObject({ type: 'log', base: 2 });
  });

  it('params: one bar per model with its parameter count', () => {
    const rows = (chart('params').spec as { data: Values }).data.values;
    expect(rows.map((r) => [r.model, r.params])).toEqual([
      ['Standard', 3_200_000],
      ['Linear', 3_200_000],
      ['BSBR', 3_700_000],
      ['GAU', 3_900_000],
    ]);
  });

  it('heatmap: white text on the dark cells, black on the light ones', () => {
    const layer = (
      chart('slowdown').spec as {
        hconcat: {
          layer: { encoding: { color?: { condition?: { test: string; value: string }; value?: string } } }[];
        }[];
      }
    ).hconcat[0].layer[1];
    expect(layer.encoding.color).toMatchObject({ condition: { value: 'white' }, value: 'black' });
    const threshold = Number(/datum\.slowdown > ([\d.]+)/.exec(layer.encoding.color!.condition!.test)![1]);
    const largest = Math.max(...analysis.slowdown.filter((r) => r.mode === 'forward').map((r) => r.slowdown));
    expect(threshold).toBeGreaterThan(1);
    expect(threshold).toBeLessThan(largest);
  });

  it('compile with vega-lite without warnings, render, and have a legend where colours mean models', () => {
    const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
    // Specs that must be caught show that the checks themselves can fail.
    const broken = { mark: 'nonsense' };
    const warned = {
      data: { values: [] },
      mark: 'point',
      encoding: { nonsense: { field: 'a', type: 'quantitative' } },
    };
    const unlabelled = {
      data: { values: [{ a: 1, b: 'x' }] },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' }, color: { field: 'b', type: 'nominal', legend: null } },
    };
    const rendered = render({ ...specs, broken, warned, unlabelled });
    for (const c of charts) {
      expect({ name: c.name, error: rendered[c.name].error, warnings: rendered[c.name].warnings }).toEqual({
        name: c.name,
        error: undefined,
        warnings: [],
      });
      expect(rendered[c.name].marks).toBeGreaterThan(100);
    }
    for (const name of ['time', 'time_loglog', 'memory', 'gflops', 'slowdown'])
      expect({ name, legend: rendered[name].legend }).toEqual({ name, legend: true });
    expect(rendered.broken.error).toEqual(expect.any(String));
    expect(rendered.warned.warnings).toEqual([expect.stringContaining('nonsense')]);
    expect(rendered.unlabelled.legend).toBe(false);
  });

  it('have axis domains that cover the data and not much more', () => {
    const rendered = render(Object.fromEntries(charts.map((c) => [c.name, c.spec])));
    const domain = (name: string, scale: string) => rendered[name].domains![scale] as number[];
    analysis.modes.forEach((mode, panel) => {
      const ok = results.cases.filter((c) => c.mode === mode && c.status === 'ok');
      const medians = ok.map((c) => c.median_ms!);
      const lengths = ok.map((c) => c.seq_len);
      // Log-log: within a factor 1.5 of the data's range at either end (the fitted lines lie inside it here).
      const [low, high] = domain('time_loglog', `concat_${panel}_y`);
      expect(low).toBeLessThanOrEqual(Math.min(...medians));
      expect(low).toBeGreaterThan(Math.min(...medians) / 1.5);
      expect(high).toBeGreaterThanOrEqual(Math.max(...medians));
      expect(high).toBeLessThan(Math.max(...medians) * 1.5);
      const [xLow, xHigh] = domain('time_loglog', `concat_${panel}_x`);
      expect(xLow).toBeLessThanOrEqual(Math.min(...lengths));
      expect(xLow).toBeGreaterThan(Math.min(...lengths) / 1.5);
      expect(xHigh).toBeGreaterThanOrEqual(Math.max(...lengths));
      expect(xHigh).toBeLessThan(Math.max(...lengths) * 1.5);
      // Time on a log axis: over the medians and their intervals, not the slowest repeat.
      const [bottom, top] = domain('time', `concat_${panel}_y`);
      expect(bottom).toBeLessThanOrEqual(Math.min(...medians));
      expect(bottom).toBeGreaterThan(Math.min(...medians) / 1.5);
      expect(top).toBeGreaterThanOrEqual(Math.max(...medians));
      expect(top).toBeLessThan(Math.max(...medians) * 1.5);
    });
    // GFLOP/s: the calibration line is inside the frame, however far above the data it is.
    const highest = (calibration: number) =>
      Math.max(calibration, ...results.cases.filter((c) => c.mode === 'forward').map((c) => c.gflops_per_s ?? 0));
    const gflops = (calibration: number) => {
      const spec = buildCharts(
        { ...results, calibration: { ...results.calibration!, gflops_per_s: calibration } },
        analysis,
      ).find((c) => c.name === 'gflops')!.spec;
      return render({ gflops: spec }).gflops.domains!.concat_0_y as number[];
    };
    for (const calibration of [results.calibration!.gflops_per_s, 10 * highest(0)]) {
      const [, top] = gflops(calibration);
      expect(top).toBeGreaterThanOrEqual(highest(calibration));
      expect(top).toBeLessThan(highest(calibration) * 1.15);
    }
  });
});
