/** `bsbr regress` output: a terminal table, GitHub markdown (CI step summaries), JSON or CSV. */
import { Format } from '../reports/output_format';
import { toCsv } from '../results/csv';
import { Column, markdownTable, outputWidth, textTable, wrapLine } from '../reports/table';
import { CaseComparison, FAILING, RegressReport, Side } from './compare_runs';

function percent(x: number, signed: boolean): string {
  const text = `${(100 * x).toFixed(1)}%`;
  return signed && x >= 0 ? `+${text}` : text;
}

function timing(s: Side): string {
  if (s.median_ms === null) return s.status;
  return s.median_ms.toFixed(s.median_ms < 10 ? 3 : 1);
}

function columns(k: number): Column<CaseComparison>[] {
  return [
    { head: 'model', text: (c) => c.model },
    { head: 'mode', text: (c) => c.mode },
    { head: 'n', text: (c) => String(c.seq_len), align: 'right' },
    { head: 'baseline ms', text: (c) => timing(c.baseline), align: 'right' },
    { head: 'current ms', text: (c) => timing(c.current), align: 'right' },
    { head: 'change', text: (c) => (c.change === null ? '-' : percent(c.change, true)), align: 'right' },
    { head: 'noise bar', text: (c) => (c.noise === null ? '-' : `±${percent(k * c.noise, false)}`), align: 'right', drop: 1 },
    { head: 'verdict', text: (c) => c.verdict },
  ];
}

/** The lines above and below the table: what was compared, how, and the outcome. */
function notes(r: RegressReport): { intro: string[]; outcome: string } {
  const run = (s: RegressReport['baseline']) =>
    `${s.path} (run ${s.run_id}, ${s.backend}, ${s.cpu_model}; calibration ${s.calibration} ${s.calibration_ms.toFixed(2)} ms)`;
  const paired = r.cases.filter((c) => c.change !== null).length;
  const listed = r.cases.length - paired;
  return {
    intro: [
      `baseline: ${run(r.baseline)}`,
      `current:  ${run(r.current)}`,
      `machine factor ${r.machine_factor.toFixed(3)} (current / baseline calibration); change compares medians, each divided by the calibration of the run (in a merged run, the shard) that measured it.`,
      `a case regresses when it is more than ${percent(r.threshold, false)} slower and beyond the noise bar (${r.noise_k} x the combined robust spread of both runs' repeats and calibrations).`,
    ],
    outcome:
      `${r.regressions === 0 ? 'no regressions' : `${r.regressions} regression${r.regressions === 1 ? '' : 's'}`}: ` +
      `${paired} case${paired === 1 ? '' : 's'} compared, ${listed} listed only (missing or not ok on a side)` +
      (r.regressions === 0 ? '' : `; regressed: ${r.cases.filter((c) => FAILING.includes(c.verdict)).map((c) => `${c.model} ${c.mode} n=${c.seq_len}`).join(', ')}`),
  };
}

export function formatTable(r: RegressReport, width = outputWidth()): string {
  const { intro, outcome } = notes(r);
  const table = textTable(columns(r.noise_k), r.cases, width);
  const dropped = table.dropped.length ? [`(left out at ${width} columns: ${table.dropped.join(', ')})`] : [];
  return [...intro.map((line) => wrapLine('', line, width)), '', table.text, ...dropped, '', wrapLine('', outcome, width)].join('\n');
}

/** A markdown line: pipes escaped so a path cannot break the list. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function formatMarkdown(r: RegressReport): string {
  const { intro, outcome } = notes(r);
  return [
    `### bsbr regress: ${r.regressions === 0 ? 'no regressions' : 'REGRESSION'}`,
    '',
    ...intro.map((line) => `- ${md(line)}`),
    '',
    markdownTable(columns(r.noise_k), r.cases),
    '',
    `**${md(outcome)}**`,
  ].join('\n');
}

export function formatJson(r: RegressReport): string {
  return JSON.stringify(r, null, 2);
}

const CSV_COLUMNS = [
  'model', 'mode', 'seq_len', 'baseline_status', 'baseline_median_ms', 'baseline_normalised', 'baseline_spread',
  'current_status', 'current_median_ms', 'current_normalised', 'current_spread', 'change', 'noise', 'verdict',
] as const;

/** One row per case: both sides' raw and normalised medians and spreads, the change, the noise, the verdict. */
export function formatCsv(r: RegressReport): string {
  const rows = r.cases.map((c) => [
    c.model, c.mode, c.seq_len,
    c.baseline.status, c.baseline.median_ms, c.baseline.normalised, c.baseline.spread,
    c.current.status, c.current.median_ms, c.current.normalised, c.current.spread,
    c.change, c.noise, c.verdict,
  ]);
  return toCsv(CSV_COLUMNS, rows).trimEnd();
}

export function formatReport(r: RegressReport, format: Format): string {
  if (format === 'markdown') return formatMarkdown(r);
  if (format === 'json') return formatJson(r);
  if (format === 'csv') return formatCsv(r);
  return formatTable(r);
}
