/** `bsbr regress` output: a terminal table, GitHub markdown (CI step summaries) or JSON. */
import Table from 'cli-table3';
import { CaseComparison, FAILING, RegressReport, Side } from './compare_runs';

export const FORMATS = ['table', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

const HEAD = ['model', 'mode', 'n', 'baseline ms', 'current ms', 'change', 'noise bar', 'verdict'];

function percent(x: number, signed: boolean): string {
  const text = `${(100 * x).toFixed(1)}%`;
  return signed && x >= 0 ? `+${text}` : text;
}

function timing(s: Side): string {
  if (s.median_ms === null) return s.status;
  return s.median_ms.toFixed(s.median_ms < 10 ? 3 : 1);
}

function cells(c: CaseComparison, k: number): string[] {
  return [
    c.model,
    c.mode,
    String(c.seq_len),
    timing(c.baseline),
    timing(c.current),
    c.change === null ? '-' : percent(c.change, true),
    c.noise === null ? '-' : `±${percent(k * c.noise, false)}`,
    c.verdict,
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

export function formatTable(r: RegressReport): string {
  const table = new Table({
    head: HEAD,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  table.push(...r.cases.map((c) => cells(c, r.noise_k)));
  const { intro, outcome } = notes(r);
  return [...intro, table.toString(), outcome].join('\n');
}

/** A markdown cell: pipes escaped so a model or path cannot break the row. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function formatMarkdown(r: RegressReport): string {
  const { intro, outcome } = notes(r);
  const row = (values: string[]) => `| ${values.map(md).join(' | ')} |`;
  return [
    `### bsbr regress: ${r.regressions === 0 ? 'no regressions' : 'REGRESSION'}`,
    '',
    ...intro.map((line) => `- ${md(line)}`),
    '',
    row(HEAD),
    row(HEAD.map(() => '---')),
    ...r.cases.map((c) => row(cells(c, r.noise_k))),
    '',
    `**${md(outcome)}**`,
  ].join('\n');
}

export function formatJson(r: RegressReport): string {
  return JSON.stringify(r, null, 2);
}

export function formatReport(r: RegressReport, format: Format): string {
  return format === 'table' ? formatTable(r) : format === 'markdown' ? formatMarkdown(r) : formatJson(r);
}
