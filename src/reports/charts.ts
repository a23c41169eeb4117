/**
 * The analysis charts as Vega-Lite specs, built from typed pieces (no string templates). Each spec
 * carries its data inline, so a `*.vl.json` file renders on its own. Charts with a panel per mode
 * (forward, decode) put them side by side with independent axes and one model colour scale.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { Analysis } from '../analysis/analysis';
import { powerLawAt } from '../analysis/fit';
import { CaseResult, Mode, ResultsFile } from '../results/schema';

type HConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;
type PanelSpec = HConcatSpec['hconcat'][number];
type LayeredPanel = Extract<PanelSpec, { layer: unknown }>;
type LayerItem = LayeredPanel['layer'][number];
type UnitSpec = Extract<LayerItem, { mark: unknown }>;
type Encoding = NonNullable<UnitSpec['encoding']>;
type PositionDef = NonNullable<Encoding['x']>;
type ColorDef = NonNullable<Encoding['color']>;
type Row = Record<string, string | number>;

export interface NamedChart {
  /** File stem: `<name>.vl.json`, `<name>.svg`, `<name>.png`. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const PANEL = { width: 320, height: 240 } as const;
const MIB = 2 ** 20;

function lengthAxis(lengths: readonly number[], scale: 'linear' | 'log'): PositionDef {
  return {
    field: 'seq_len',
    type: 'quantitative',
    title: 'sequence length n',
    scale: scale === 'log' ? { type: 'log', base: 2 } : { zero: false },
    axis: { values: [...lengths] },
  };
}

function measure(field: string, title: string, scale: 'linear' | 'log'): PositionDef {
  return { field, type: 'quantitative', title, scale: scale === 'log' ? { type: 'log' } : { zero: true } };
}

function modelColor(models: readonly string[]): ColorDef {
  return { field: 'model', type: 'nominal', title: 'model', scale: { domain: [...models] } };
}

function linesWithPoints(values: Row[], x: PositionDef, y: PositionDef, color: ColorDef): UnitSpec {
  return { data: { values }, mark: { type: 'line', point: true, tooltip: true }, encoding: { x, y, color } };
}

/** One panel per mode side by side, sharing the model colours. */
function panelsByMode(title: string, description: string, modes: readonly Mode[], panel: (mode: Mode) => PanelSpec): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    description,
    hconcat: modes.map(panel),
    resolve: { scale: { color: 'shared', x: 'independent', y: 'independent' } },
  };
}

function okCases(results: ResultsFile, mode: Mode): (CaseResult & { median_ms: number })[] {
  return results.cases.filter((c): c is CaseResult & { median_ms: number } => c.mode === mode && c.status === 'ok' && c.median_ms !== null);
}

function lengthsOf(cases: readonly CaseResult[]): number[] {
  return [...new Set(cases.map((c) => c.seq_len))].sort((a, b) => a - b);
}

function timeChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const spec = panelsByMode('Median time per call against sequence length', 'median time with the min-max range of the repeats', analysis.modes, (mode) => {
    const cases = okCases(results, mode);
    const rows = cases.map((c) => ({ model: c.model, seq_len: c.seq_len, median_ms: c.median_ms, min_ms: c.min_ms ?? c.median_ms, max_ms: c.max_ms ?? c.median_ms }));
    const x = lengthAxis(lengthsOf(cases), 'linear');
    const range: UnitSpec = {
      data: { values: rows },
      mark: { type: 'rule', opacity: 0.6 },
      encoding: { x, y: measure('min_ms', 'time (ms)', 'linear'), y2: { field: 'max_ms' }, color: { ...modelColor(analysis.models), legend: null } },
    };
    return { ...PANEL, title: mode, layer: [range, linesWithPoints(rows, x, measure('median_ms', 'time (ms)', 'linear'), modelColor(analysis.models))] };
  });
  return { name: 'time', title: 'Time against length', spec };
}

/** The log-log chart: measured medians, each model's fitted power law, and O(n) / O(n^2) guides. */
function logLogChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const spec = panelsByMode('Time against length, log-log, with fitted power laws', 'dashed: least-squares fit per model; grey: O(n) and O(n^2) guides', analysis.modes, (mode) => {
    const cases = okCases(results, mode);
    const lengths = lengthsOf(cases);
    const x = lengthAxis(lengths, 'log');
    const y = measure('ms', 'median time (ms, log scale)', 'log');
    const color = modelColor(analysis.models);
    const points = cases.map((c) => ({ model: c.model, seq_len: c.seq_len, ms: c.median_ms }));
    const fitted = analysis.fits
      .filter((f) => f.mode === mode && f.time !== null)
      .flatMap((f) => [f.seq_lens[0], f.seq_lens[f.seq_lens.length - 1]].map((n) => ({ model: f.model, seq_len: n, ms: powerLawAt(f.time!, n), exponent: Number(f.time!.exponent.toFixed(2)) })));
    // Guides start together at the shortest length, at the geometric mean of the medians there.
    const first = points.filter((p) => p.seq_len === lengths[0]);
    const anchor = Math.exp(first.reduce((s, p) => s + Math.log(p.ms), 0) / Math.max(1, first.length));
    const guides = lengths.length < 2 ? [] : (
      [['O(n)', 1], ['O(n^2)', 2]] as const
    ).flatMap(([guide, power]) => lengths.map((n) => ({ guide, seq_len: n, ms: anchor * (n / lengths[0]) ** power })));
    const guideEnds = guides.filter((g) => g.seq_len === lengths[lengths.length - 1]);
    const layer: UnitSpec[] = [
      { data: { values: guides }, mark: { type: 'line', color: 'grey', strokeDash: [2, 3], strokeWidth: 1 }, encoding: { x, y, detail: { field: 'guide' } } },
      { data: { values: guideEnds }, mark: { type: 'text', color: 'grey', align: 'left', dx: 4 }, encoding: { x, y, text: { field: 'guide' } } },
      { data: { values: fitted }, mark: { type: 'line', strokeDash: [6, 3], tooltip: true }, encoding: { x, y, color, detail: { field: 'model' } } },
      { data: { values: points }, mark: { type: 'point', filled: true, tooltip: true }, encoding: { x, y, color } },
    ];
    return { ...PANEL, title: mode, layer };
  });
  return { name: 'time_loglog', title: 'Time against length (log-log) with fits', spec };
}

function memoryChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const spec = panelsByMode('Peak tensor memory during the measured call', "TensorFlow.js's own accounting of live tensor bytes", analysis.modes, (mode) => {
    const cases = okCases(results, mode).filter((c) => c.peak_tensor_bytes !== null);
    const rows = cases.map((c) => ({ model: c.model, seq_len: c.seq_len, peak_tensor_mib: c.peak_tensor_bytes! / MIB }));
    return { ...PANEL, title: mode, ...linesWithPoints(rows, lengthAxis(lengthsOf(cases), 'linear'), measure('peak_tensor_mib', 'peak tensor memory (MiB)', 'linear'), modelColor(analysis.models)) };
  });
  return { name: 'memory', title: 'Peak memory against length', spec };
}

function formatCount(count: number): string {
  return count >= 1e6 ? `${(count / 1e6).toFixed(2)}M` : count >= 1e3 ? `${(count / 1e3).toFixed(1)}k` : String(count);
}

function paramsChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const rows = analysis.models.flatMap((model) => {
    const params = results.cases.find((c) => c.model === model && c.params > 0)?.params;
    return params === undefined ? [] : [{ model, params, label: formatCount(params) }];
  });
  const y: PositionDef = { field: 'model', type: 'nominal', title: null, sort: [...analysis.models] };
  const x: PositionDef = { field: 'params', type: 'quantitative', title: 'parameters' };
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    title: 'Parameters per model',
    description: 'exact parameter count of each model with the run config',
    data: { values: rows },
    width: 420,
    layer: [
      { mark: { type: 'bar', tooltip: true }, encoding: { x, y, color: { ...modelColor(analysis.models), legend: null } } },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
  return { name: 'params', title: 'Parameters per model', spec };
}

function slowdownChart(analysis: Analysis): NamedChart {
  const spec = panelsByMode('Slowdown against the fastest model at each length', 'median time divided by the fastest median at the same length and mode', analysis.modes, (mode) => {
    const rows = analysis.slowdown
      .filter((r) => r.mode === mode)
      .map((r) => ({ model: r.model, seq_len: r.seq_len, slowdown: r.slowdown, label: `${r.slowdown.toFixed(r.slowdown < 10 ? 2 : 0)}x` }));
    const x: PositionDef = { field: 'seq_len', type: 'ordinal', title: 'sequence length n', sort: 'ascending', axis: { labelAngle: 0 } };
    const y: PositionDef = { field: 'model', type: 'nominal', title: null, sort: [...analysis.models] };
    return {
      title: mode,
      width: { step: 60 },
      height: { step: 28 },
      data: { values: rows },
      layer: [
        { mark: { type: 'rect', tooltip: true }, encoding: { x, y, color: { field: 'slowdown', type: 'quantitative', title: 'slowdown (x)', scale: { type: 'log', scheme: 'orangered' } } } },
        { mark: { type: 'text', fontSize: 10 }, encoding: { x, y, text: { field: 'label' } } },
      ],
    };
  });
  // Each panel keeps its own colour scale: forward and decode slowdowns differ in range.
  return { name: 'slowdown', title: 'Relative slowdown', spec: { ...spec, resolve: { scale: { color: 'independent' } } } };
}

/** Achieved GFLOP/s (analytic flops / median time), with the run's matmul calibration rate as a reference line. */
function gflopsChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const calibration = results.calibration;
  const spec = panelsByMode('Achieved GFLOP/s', `analytic floating-point operations per second${calibration ? `; grey line: ${calibration.description}` : ''}`, analysis.modes, (mode) => {
    const cases = okCases(results, mode).filter((c) => c.gflops_per_s !== null);
    const rows = cases.map((c) => ({ model: c.model, seq_len: c.seq_len, gflops_per_s: c.gflops_per_s! }));
    const y = measure('gflops_per_s', 'GFLOP/s', 'linear');
    const layer: UnitSpec[] = [linesWithPoints(rows, lengthAxis(lengthsOf(cases), 'linear'), y, modelColor(analysis.models))];
    if (calibration !== null) {
      const reference = [{ gflops_per_s: calibration.gflops_per_s, label: `matmul ${calibration.gflops_per_s.toFixed(1)}` }];
      layer.push(
        { data: { values: reference }, mark: { type: 'rule', color: 'grey', strokeDash: [4, 4] }, encoding: { y } },
        { data: { values: reference }, mark: { type: 'text', color: 'grey', align: 'left', baseline: 'bottom', x: 2, dy: -2 }, encoding: { y, text: { field: 'label' } } },
      );
    }
    return { ...PANEL, title: mode, layer };
  });
  return { name: 'gflops', title: 'Achieved GFLOP/s', spec };
}

/** Every chart of the analysis, in the order the report shows them. */
export function buildCharts(results: ResultsFile, analysis: Analysis): NamedChart[] {
  return [
    timeChart(results, analysis),
    logLogChart(results, analysis),
    memoryChart(results, analysis),
    paramsChart(results, analysis),
    slowdownChart(analysis),
    gflopsChart(results, analysis),
  ];
}
