/** The per-case table of a run (terminal, markdown and report.html alike): timings, noise, memory, config. */
import { caseWarnings } from '../results/warnings';
import { relativeSpread, medianCi95 } from '../results/stats';
import { costKnobsText } from '../results/model_knobs';
import { CaseResult, Mode, ResultsFile } from '../results/schema';
import { WARNED } from './fit_columns';
import { Column } from './table';

const MIB = 2 ** 20;

/** One row: a case, with what is shown once per model and the case's warnings. */
export interface CaseLine {
  c: CaseResult;
  /** The first row of its model: model and config are shown there only. */
  first: boolean;
  /** The model's chunk, window and compression ("chunk 32, cf 2"). */
  knobs: string;
  warnings: string[];
  /** The run's calibration rate, for "% of calibration"; null without a calibration. */
  calibrationGflops: number | null;
}

export function caseLines(results: ResultsFile, mode: Mode): CaseLine[] {
  const cases = results.cases.filter((c) => c.mode === mode);
  return cases.map((c, i) => ({
    c,
    first: i === 0 || cases[i - 1].model !== c.model,
    knobs: costKnobsText(c.model, results.config),
    warnings: caseWarnings(c, results),
    calibrationGflops: results.calibration?.gflops_per_s ?? null,
  }));
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

export function ms(value: number | null): string {
  return value === null ? '-' : value.toFixed(value < 10 ? 3 : 1);
}

function mib(bytes: number | null): string {
  return bytes === null ? '-' : (bytes / MIB).toFixed(1);
}

function ok(line: CaseLine): CaseResult | null {
  return line.c.status === 'ok' && line.c.samples_ms.length > 0 ? line.c : null;
}

function spread(line: CaseLine): string {
  const c = ok(line);
  return c === null || c.samples_ms.length < 2 ? '-' : `${(100 * relativeSpread(c.samples_ms)).toFixed(1)}%`;
}

function ci(line: CaseLine): string {
  const c = ok(line);
  const interval = c === null ? null : medianCi95(c.samples_ms);
  return interval === null ? '-' : `${ms(interval[0])}-${ms(interval[1])}`;
}

function loads(c: CaseResult): string {
  return c.load_before === undefined || c.load_before === null
    ? '-'
    : `${fixed(c.load_before, 1)}/${fixed(c.load_after, 1)}`;
}

/**
 * Every column; on a terminal the highest `drop` goes first. "spread" is the robust relative spread
 * of the repeats, "95% CI" the distribution-free interval of the median (docs/measurement.md).
 */
const CASE_TABLE_COLUMNS: readonly Column<CaseLine>[] = [
  { head: 'model', text: (l) => (l.first ? l.c.model : '') },
  { head: 'config', text: (l) => (l.first ? l.knobs : ''), drop: 3 },
  { head: 'n', text: (l) => String(l.c.seq_len), align: 'right' },
  // A case that was not measured shows its status (error, skipped) here; its message is listed below the table.
  { head: 'median ms', text: (l) => (l.c.status === 'ok' ? ms(l.c.median_ms) : l.c.status), align: 'right' },
  { head: 'spread', text: spread, align: 'right', drop: 4 },
  { head: '95% CI ms', text: ci, align: 'right', drop: 9 },
  {
    head: 'min-max ms',
    text: (l) => (l.c.min_ms === null ? '-' : `${ms(l.c.min_ms)}-${ms(l.c.max_ms)}`),
    align: 'right',
    drop: 12,
  },
  { head: 'repeats', text: (l) => String(l.c.repeats), align: 'right', drop: 10 },
  { head: 'tok/s', text: (l) => fixed(l.c.tokens_per_s, 0), align: 'right', drop: 8 },
  { head: 'GFLOP/s', text: (l) => fixed(l.c.gflops_per_s, 1), align: 'right', drop: 2 },
  {
    head: '% of cal.',
    text: (l) =>
      l.c.gflops_per_s === null || l.calibrationGflops === null
        ? '-'
        : `${((100 * l.c.gflops_per_s) / l.calibrationGflops).toFixed(0)}%`,
    align: 'right',
    drop: 7,
  },
  { head: 'tensor MiB', text: (l) => mib(l.c.peak_tensor_bytes), align: 'right', drop: 1 },
  {
    head: 'RSS MiB',
    text: (l) => (l.c.peak_rss_bytes === null ? '-' : (l.c.peak_rss_bytes / MIB).toFixed(0)),
    align: 'right',
    drop: 5,
  },
  { head: 'params', text: (l) => (l.first ? String(l.c.params) : ''), align: 'right', drop: 6 },
  { head: 'load', text: (l) => loads(l.c), align: 'right', drop: 11 },
  { head: 'threads', text: (l) => fixed(l.c.threads, 0), align: 'right', drop: 16 },
  { head: WARNED, text: (l) => (l.warnings.length > 0 ? WARNED : '') },
];

/**
 * webgpu's own figures: the device memory the measured calls added, the GPU's kernel time, the
 * dispatches of one call and the host's share of the median (what the GPU was not busy with).
 */
const DEVICE_COLUMNS: readonly Column<CaseLine>[] = [
  { head: 'device MiB', text: (l) => mib(l.c.peak_device_bytes ?? null), align: 'right', drop: 13 },
  { head: 'GPU ms', text: (l) => ms(l.c.gpu_kernel_ms ?? null), align: 'right', drop: 14 },
  { head: 'dispatches', text: (l) => fixed(l.c.dispatches, 0), align: 'right', drop: 15 },
  { head: 'host %', text: (l) => hostShare(l.c), align: 'right', drop: 12 },
];

/** host_ms as a share of the median: how much of the figure is the host's, not the GPU's. */
function hostShare(c: CaseResult): string {
  const host = c.host_ms ?? null;
  return host === null || c.median_ms === null || c.median_ms <= 0
    ? '-'
    : `${((100 * host) / c.median_ms).toFixed(0)}%`;
}

/** The columns of a case table: the device figures (before the mark) only where some case has them. */
export function caseTableColumns(lines: readonly CaseLine[]): Column<CaseLine>[] {
  const device = lines.some(
    (l) =>
      (l.c.peak_device_bytes ?? null) !== null ||
      (l.c.gpu_kernel_ms ?? null) !== null ||
      (l.c.dispatches ?? null) !== null,
  );
  return device
    ? [...CASE_TABLE_COLUMNS.slice(0, -1), ...DEVICE_COLUMNS, CASE_TABLE_COLUMNS[CASE_TABLE_COLUMNS.length - 1]]
    : [...CASE_TABLE_COLUMNS];
}

/** "BSBR forward n=64". */
export function caseLabel(c: { model: string; mode: string; seq_len: number }): string {
  return `${c.model} ${c.mode} n=${c.seq_len}`;
}
