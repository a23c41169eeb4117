/**
 * The analysis charts as Vega-Lite specs, built from typed pieces (no string templates). Each spec
 * carries its data inline, so a `*.vl.json` file renders on its own. Charts with a panel per mode
 * (forward, decode) put them side by side with independent axes. Lengths that double get a log2 x
 * axis (every length labelled); y domains are set by the data, not by the guides or a "nice" round.
 */
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { Analysis } from '../analysis/analysis';
import { PowerLawFit, powerLawAt } from '../analysis/fit';
import { CaseResult, Mode, ResultsFile } from '../results/schema';
import { largest, medianCi95, smallest } from '../results/stats';
import { caseWarnings, TRUST_LIMITS } from '../results/warnings';

type HConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;
export type PanelSpec = HConcatSpec['hconcat'][number];
type LayeredPanel = Extract<PanelSpec, { layer: unknown }>;
type LayerItem = LayeredPanel['layer'][number];
export type UnitSpec = Extract<LayerItem, { mark: unknown }>;
type Encoding = NonNullable<UnitSpec['encoding']>;
export type PositionDef = NonNullable<Encoding['x']>;
export type ColorDef = NonNullable<Encoding['color']>;
type Row = Record<string, string | number>;

export interface NamedChart {
  /** File stem: `<name>.vl.json`, `<name>.svg`, `<name>.png`. */
  name: string;
  title: string;
  spec: TopLevelSpec;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const MIB = 2 ** 20;
/** The data's range widened by this factor on each side of a log axis (a tenth of a decade is about 1.26). */
const LOG_MARGIN = 1.15;

/** Panels fill a report page's width: one alone, two side by side. */
function panelSize(modes: readonly Mode[]): { width: number; height: number } {
  return modes.length > 1 ? { width: 520, height: 400 } : { width: 960, height: 500 };
}

/** Text a talk's audience can read: 13-14 px labels, an 18 px title. */
const READABLE = {
  font: 'DejaVu Sans, sans-serif',
  title: { fontSize: 18, anchor: 'start' as const, offset: 12 },
  axis: { labelFontSize: 13, titleFontSize: 14, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 13, titleFontSize: 14, titleFontWeight: 'normal' as const, labelLimit: 400 },
  header: { labelFontSize: 14, titleFontSize: 14 },
  text: { fontSize: 13 },
};

/** A panel's own title: its mode where the chart has two panels; none for one (the chart's title says it all). */
function panelTitle(modes: readonly Mode[], mode: Mode): { title?: string } {
  return modes.length > 1 ? { title: mode } : {};
}

/** Lengths that grow by at least 1.5x each step read best on a log2 axis. */
export function doubles(lengths: readonly number[]): boolean {
  return lengths.length >= 3 && lengths.every((n, i) => i === 0 || n >= 1.5 * lengths[i - 1]);
}

function lengthTitle(mode: Mode): string {
  return mode === 'decode' ? 'context length n (tokens before the step)' : 'sequence length n';
}

function lengthAxis(lengths: readonly number[], mode: Mode): PositionDef {
  return {
    field: 'seq_len',
    type: 'quantitative',
    title: lengthTitle(mode),
    scale: doubles(lengths)
      ? { type: 'log', base: 2, nice: false, padding: 16 }
      : { zero: false, nice: false, padding: 16 },
    axis: { values: [...lengths], labelOverlap: false, grid: true },
  };
}

/** A linear axis from 0 to a little over the largest value. */
function linearMeasure(field: string, title: string, values: readonly number[]): PositionDef {
  return { field, type: 'quantitative', title, scale: { domain: [0, 1.08 * largest(values, 0)], nice: false } };
}

/** The values' range and a little more on a log axis; guides outside it are clipped. */
function logDomain(values: readonly number[]): [number, number] {
  return values.length === 0 ? [1, 10] : [smallest(values) / LOG_MARGIN, largest(values) * LOG_MARGIN];
}

function modelColor(models: readonly string[]): ColorDef {
  return { field: 'model', type: 'nominal', title: 'model', scale: { domain: [...models] } };
}

function linesWithPoints(values: Row[], x: PositionDef, y: PositionDef, color: ColorDef): UnitSpec {
  return { data: { values }, mark: { type: 'line', point: true, tooltip: true }, encoding: { x, y, color } };
}

/** One panel per mode side by side; `color` says whether the panels share one legend. */
function panelsByMode(
  title: string,
  description: string,
  modes: readonly Mode[],
  panel: (mode: Mode) => PanelSpec,
  color: 'shared' | 'independent' = 'shared',
): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    description,
    config: READABLE,
    hconcat: modes.map(panel),
    resolve: { scale: { color, x: 'independent', y: 'independent' } },
  };
}

function okCases(results: ResultsFile, mode: Mode): (CaseResult & { median_ms: number })[] {
  return results.cases.filter(
    (c): c is CaseResult & { median_ms: number } => c.mode === mode && c.status === 'ok' && c.median_ms !== null,
  );
}

function lengthsOf(cases: readonly CaseResult[]): number[] {
  return [...new Set(cases.map((c) => c.seq_len))].sort((a, b) => a - b);
}

/**
 * Median time per call on a log y over the (log2) lengths, so that each doubling of n is a step and a
 * power law a straight line; the bar at each point is the median's 95% interval (from 6 repeats; none
 * below), not min-max, so that one stray repeat does not set the frame. A point with warnings is a
 * diamond.
 */
function timeChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const size = panelSize(analysis.modes);
  const spec = panelsByMode(
    'Median time per call against length',
    "median time on a log scale; the bar at each point is the median's 95% interval; diamonds: cases with warnings",
    analysis.modes,
    (mode) => {
      const cases = okCases(results, mode);
      const rows = cases.map((c) => {
        const ci = medianCi95(c.samples_ms);
        const flagged = caseWarnings(c, results).length > 0 ? 'with warnings' : 'clean';
        return {
          model: c.model,
          seq_len: c.seq_len,
          median_ms: c.median_ms,
          low_ms: ci?.[0] ?? c.median_ms,
          high_ms: ci?.[1] ?? c.median_ms,
          flagged,
        };
      });
      const x = lengthAxis(lengthsOf(cases), mode);
      const domain = logDomain(rows.flatMap((r) => [r.low_ms, r.high_ms]));
      const y: PositionDef = {
        field: 'median_ms',
        type: 'quantitative',
        title: `${{ forward: 'time per forward pass', decode: 'time per step', train: 'time per training step' }[mode]} (ms, log scale)`,
        scale: { type: 'log', domain, nice: false },
      };
      const color = modelColor(analysis.models);
      const interval: UnitSpec = {
        data: { values: rows },
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.7 },
        encoding: { x, y: { ...y, field: 'low_ms' }, y2: { field: 'high_ms' }, color },
      };
      const shape = {
        field: 'flagged',
        type: 'nominal' as const,
        title: null,
        scale: { domain: ['clean', 'with warnings'], range: ['circle', 'diamond'] },
      };
      const line: UnitSpec = {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y, color },
      };
      const points: UnitSpec = {
        data: { values: rows },
        mark: { type: 'point', size: 80, filled: true, tooltip: true },
        encoding: { x, y, color, shape },
      };
      return { ...size, ...panelTitle(analysis.modes, mode), layer: [interval, line, points] };
    },
  );
  return { name: 'time', title: 'Time against length', spec };
}

/**
 * Whether a fit's line is drawn: a series that is clearly curved on log-log axes (its points scatter
 * about the line by more than TRUST_LIMITS.scatter) is not one power law, and a straight line through
 * it would miss every point.
 */
export function drawsLine(fit: PowerLawFit): boolean {
  return fit.residualSd === null || fit.residualSd <= TRUST_LIMITS.scatter;
}

/**
 * "Standard: e = 1.68 [1.50, 1.87]" for each model in order, "(curved: no line)" where the line is not
 * drawn, "GAU: no fit" without one: the log-log chart's legend.
 */
export function exponentLabels(analysis: Analysis, mode: Mode): Map<string, string> {
  return new Map(
    analysis.models.map((model) => {
      const fit = analysis.fits.find((f) => f.mode === mode && f.model === model)?.time;
      if (!fit) return [model, `${model}: no fit`];
      const ci =
        fit.exponentCi95 === null ? '' : ` [${fit.exponentCi95[0].toFixed(2)}, ${fit.exponentCi95[1].toFixed(2)}]`;
      return [model, `${model}: e = ${fit.exponent.toFixed(2)}${ci}${drawsLine(fit) ? '' : ' (curved: no line)'}`];
    }),
  );
}

/**
 * The log-log chart: measured medians, each model's fitted power law (its exponent in the legend),
 * and two guides from the shortest length: O(n) and O(n^2) for forward, O(1) and O(n) for decode.
 */
function logLogChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const size = panelSize(analysis.modes);
  const spec = panelsByMode(
    'Time against length, log-log, with fitted power laws',
    'dashed: least-squares fit per model, its exponent e with its 95% interval in the legend (no line through a clearly curved series); grey dotted: growth guides from the shortest length',
    analysis.modes,
    (mode) => {
      const cases = okCases(results, mode);
      const lengths = lengthsOf(cases);
      const labels = exponentLabels(analysis, mode);
      const points = cases.map((c) => ({ label: labels.get(c.model)!, seq_len: c.seq_len, ms: c.median_ms }));
      const fitted = analysis.fits
        .filter((f) => f.mode === mode && f.time !== null && drawsLine(f.time))
        .flatMap((f) =>
          [f.seq_lens[0], f.seq_lens[f.seq_lens.length - 1]].map((n) => ({
            label: labels.get(f.model)!,
            seq_len: n,
            ms: powerLawAt(f.time!, n),
          })),
        );
      const x = lengthAxis(lengths, mode);
      const domain = logDomain([...points, ...fitted].map((p) => p.ms));
      const y: PositionDef = {
        field: 'ms',
        type: 'quantitative',
        title: 'median time (ms, log scale)',
        scale: { type: 'log', domain, nice: false },
      };
      const color: ColorDef = {
        field: 'label',
        type: 'nominal',
        title: 'model: fitted e [95% CI]',
        scale: { domain: [...labels.values()] },
        legend: { labelLimit: 400, orient: 'bottom', direction: 'vertical' },
      };
      // Guides start together at the geometric mean of the medians at the shortest length.
      const first = points.filter((p) => p.seq_len === lengths[0]);
      const anchor = Math.exp(first.reduce((s, p) => s + Math.log(p.ms), 0) / Math.max(1, first.length));
      const powers =
        mode === 'decode'
          ? ([
              ['O(1)', 0],
              ['O(n)', 1],
            ] as const)
          : ([
              ['O(n)', 1],
              ['O(n^2)', 2],
            ] as const);
      const guides =
        lengths.length < 2
          ? []
          : powers.flatMap(([guide, power]) =>
              lengths.map((n) => ({ guide, seq_len: n, ms: anchor * (n / lengths[0]) ** power })),
            );
      // Each guide is labelled at the last length where it is still inside the frame.
      const guideEnds = powers.flatMap(([guide]) =>
        guides.filter((g) => g.guide === guide && g.ms <= domain[1]).slice(-1),
      );
      const layer: UnitSpec[] = [
        {
          data: { values: guides },
          mark: { type: 'line', color: 'grey', strokeDash: [2, 3], strokeWidth: 1, clip: true },
          encoding: { x, y, detail: { field: 'guide' } },
        },
        {
          data: { values: guideEnds },
          mark: { type: 'text', color: 'grey', align: 'right', baseline: 'bottom', dx: -2, dy: -2 },
          encoding: { x, y, text: { field: 'guide' } },
        },
        {
          data: { values: fitted },
          mark: { type: 'line', strokeDash: [6, 3], tooltip: true },
          encoding: { x, y, color, detail: { field: 'label' } },
        },
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 50, tooltip: true },
          encoding: { x, y, color },
        },
      ];
      return { ...size, ...panelTitle(analysis.modes, mode), layer };
    },
    'independent',
  );
  return { name: 'time_loglog', title: 'Time against length (log-log) with fits', spec };
}

function memoryChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const size = panelSize(analysis.modes);
  const spec = panelsByMode(
    'Peak tensor memory during the measured call',
    "TensorFlow.js's own accounting of live tensor bytes",
    analysis.modes,
    (mode) => {
      const cases = okCases(results, mode).filter((c) => c.peak_tensor_bytes !== null);
      const rows = cases.map((c) => ({
        model: c.model,
        seq_len: c.seq_len,
        peak_tensor_mib: c.peak_tensor_bytes! / MIB,
      }));
      const y = linearMeasure(
        'peak_tensor_mib',
        'peak tensor memory (MiB)',
        rows.map((r) => r.peak_tensor_mib),
      );
      return {
        ...size,
        ...panelTitle(analysis.modes, mode),
        ...linesWithPoints(rows, lengthAxis(lengthsOf(cases), mode), y, modelColor(analysis.models)),
      };
    },
  );
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
  // Room to the right of the longest bar for its label.
  const x: PositionDef = {
    field: 'params',
    type: 'quantitative',
    title: 'parameters',
    scale: {
      domain: [
        0,
        1.15 *
          largest(
            rows.map((r) => r.params),
            0,
          ),
      ],
      nice: false,
    },
  };
  const spec: TopLevelSpec = {
    $schema: SCHEMA,
    title: 'Parameters per model',
    description: 'exact parameter count of each model with the run config',
    config: READABLE,
    data: { values: rows },
    width: 720,
    layer: [
      {
        mark: { type: 'bar', tooltip: true },
        encoding: { x, y, color: { ...modelColor(analysis.models), legend: null } },
      },
      { mark: { type: 'text', align: 'left', dx: 3 }, encoding: { x, y, text: { field: 'label' } } },
    ],
  };
  return { name: 'params', title: 'Parameters per model', spec };
}

/** Where, on the log colour scale from 1 to the largest slowdown, a cell is dark enough for white text. */
const DARK_FROM = 0.55;

function slowdownChart(analysis: Analysis): NamedChart {
  const spec = panelsByMode(
    'Slowdown against the fastest model at each length',
    'median time divided by the fastest median at the same length and mode',
    analysis.modes,
    (mode) => {
      const rows = analysis.slowdown
        .filter((r) => r.mode === mode)
        .map((r) => ({
          model: r.model,
          seq_len: r.seq_len,
          slowdown: r.slowdown,
          label: `${r.slowdown.toFixed(r.slowdown < 10 ? 2 : 0)}x`,
        }));
      const darkAbove =
        largest(
          rows.map((r) => r.slowdown),
          1,
        ) ** DARK_FROM;
      const x: PositionDef = {
        field: 'seq_len',
        type: 'ordinal',
        title: lengthTitle(mode),
        sort: 'ascending',
        axis: { labelAngle: 0 },
      };
      const y: PositionDef = { field: 'model', type: 'nominal', title: null, sort: [...analysis.models] };
      return {
        ...panelTitle(analysis.modes, mode),
        width: { step: 72 },
        height: { step: 32 },
        data: { values: rows },
        layer: [
          {
            mark: { type: 'rect', tooltip: true },
            encoding: {
              x,
              y,
              color: {
                field: 'slowdown',
                type: 'quantitative',
                title: 'slowdown (x)',
                scale: { type: 'log', scheme: 'orangered' },
              },
            },
          },
          {
            mark: { type: 'text', fontSize: 11 },
            encoding: {
              x,
              y,
              text: { field: 'label' },
              color: { condition: { test: `datum.slowdown > ${darkAbove}`, value: 'white' }, value: 'black' },
            },
          },
        ],
      };
    },
    'independent',
  );
  // Each panel keeps its own colour scale: forward and decode slowdowns differ in range.
  return { name: 'slowdown', title: 'Relative slowdown', spec };
}

/** Achieved GFLOP/s (analytic flops / median time), with the run's matmul calibration rate as a reference line. */
function gflopsChart(results: ResultsFile, analysis: Analysis): NamedChart {
  const calibration = results.calibration;
  const size = panelSize(analysis.modes);
  const spec = panelsByMode(
    'Achieved GFLOP/s',
    `analytic floating-point operations per second${calibration ? `; grey line: ${calibration.description}` : ''}`,
    analysis.modes,
    (mode) => {
      const cases = okCases(results, mode).filter((c) => c.gflops_per_s !== null);
      const rows = cases.map((c) => ({ model: c.model, seq_len: c.seq_len, gflops_per_s: c.gflops_per_s! }));
      const y = linearMeasure('gflops_per_s', 'GFLOP/s', [
        ...rows.map((r) => r.gflops_per_s),
        calibration?.gflops_per_s ?? 0,
      ]);
      const layer: UnitSpec[] = [
        linesWithPoints(rows, lengthAxis(lengthsOf(cases), mode), y, modelColor(analysis.models)),
      ];
      if (calibration !== null) {
        const reference = [
          {
            gflops_per_s: calibration.gflops_per_s,
            label: `calibration matmul: ${calibration.gflops_per_s.toFixed(1)} GFLOP/s`,
          },
        ];
        layer.push(
          { data: { values: reference }, mark: { type: 'rule', color: 'grey', strokeDash: [4, 4] }, encoding: { y } },
          {
            data: { values: reference },
            mark: { type: 'text', color: 'grey', align: 'right', baseline: 'bottom', dx: -4, dy: -3 },
            encoding: { x: { value: 'width' }, y, text: { field: 'label' } },
          },
        );
      }
      return { ...size, ...panelTitle(analysis.modes, mode), layer };
    },
  );
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
