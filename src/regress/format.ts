/** `bsbr regress` output: a terminal table, GitHub markdown (CI step summaries), JSON or CSV. */
import { Format } from '../reports/output_format';
import { toCsv } from '../results/csv';
import { largest, smallest } from '../results/stats';
import { Column, markdownTable, outputWidth, textTable, wrapLine } from '../reports/table';
import { CaseComparison, FAILING, RegressReport, Side } from './compare_runs';

function percent(x: number, signed: boolean): string {
  const text = `${(100 * x).toFixed(Math.abs(x) < 0.1 ? 1 : 0)}%`;
  return signed && x >= 0 ? `+${text}` : text;
}

/** A normalised median (case / calibration), three significant figures; the status where there is none. */
function normalised(s: Side): string {
  return s.normalised === null ? s.status : s.normalised.toPrecision(3);
}

/** Normalised beside normalised: the change is theirs; the raw milliseconds are in --format json/csv. */
function columns(k: number): Column<CaseComparison>[] {
  return [
    { head: 'model', text: (c) => c.model },
    { head: 'mode', text: (c) => c.mode, drop: 1 },
    { head: 'n', text: (c) => String(c.seq_len), align: 'right' },
    { head: 'baseline', text: (c) => normalised(c.baseline), align: 'right' },
    { head: 'current', text: (c) => normalised(c.current), align: 'right' },
    { head: 'change', text: (c) => (c.change === null ? '-' : percent(c.change, true)), align: 'right' },
    {
      head: 'noise bar',
      text: (c) => (c.noise === null ? (c.change === null ? '-' : '?') : `±${percent(k * c.noise, false)}`),
      align: 'right',
    },
    { head: 'verdict', text: (c) => c.verdict, wrap: true },
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The headline: what the exit code says. */
function headline(r: RegressReport): string {
  if (r.outcome === 'regression') return plural(r.regressions, 'regression');
  return r.outcome === 'inconclusive' ? 'inconclusive' : 'no regressions';
}

/** Why the comparison cannot pass: the noise bars that exceed the threshold, and what would narrow them. */
function inconclusiveReason(r: RegressReport): string | null {
  if (r.inconclusive === 0) return null;
  const bars = r.cases
    .filter((c) => c.verdict === 'inconclusive')
    .map((c) => (c.noise === null ? null : r.noise_k * c.noise));
  const known = bars.filter((x): x is number => x !== null);
  const [low, high] = [smallest(known), largest(known)].map((x) => `±${percent(x, false)}`);
  const range = known.length === 0 ? '' : low === high ? ` (noise bar ${low})` : ` (noise bars ${low} to ${high})`;
  const few = bars.length - known.length;
  return (
    `inconclusive: ${plural(r.inconclusive, 'case')} cannot show a ${percent(r.threshold, false)} change${range}` +
    (few > 0 ? `, ${few} with fewer than 3 repeats` : '') +
    `: the noise exceeds what must be detected, so no pass is given. Run both sweeps on an idle machine, with more --repeats ` +
    '(the bar shrinks as one over the square root of the repeats), or raise --threshold.'
  );
}

/** A run's line: where it is from and its calibration, with the drift of the per-case calibrations. */
function runLine(s: RegressReport['baseline']): string {
  const drift =
    s.calibration_drift === null
      ? 'no per-case calibrations'
      : `per-case calibrations drift ${percent(s.calibration_drift, false)}`;
  return `${s.path} (run ${s.run_id}, ${s.backend}, ${s.cpu_model}; calibration ${s.calibration} ${s.calibration_ms.toFixed(2)} ms, ${drift})`;
}

/** The lines above and below the table: what was compared, how, and the outcome. */
function notes(r: RegressReport): { intro: string[]; outcome: string[] } {
  const paired = r.cases.filter((c) => c.change !== null);
  const listed = r.cases.length - paired.length;
  const byCase = paired.filter((c) => c.normalised_by === 'case').length;
  const how =
    byCase === paired.length
      ? "each divided by the calibration matmul timed in the case's own worker"
      : byCase === 0
        ? "each divided by its run's calibration matmul (in a merged run, its shard's)"
        : `${byCase} divided by the calibration timed in the case's own worker, ${paired.length - byCase} by their run's`;
  const failed = r.cases.filter((c) => FAILING.includes(c.verdict)).map((c) => `${c.model} ${c.mode} n=${c.seq_len}`);
  const reason = inconclusiveReason(r);
  return {
    intro: [
      `baseline: ${runLine(r.baseline)}`,
      `current:  ${runLine(r.current)}`,
      `baseline and current: median time / calibration median (${how}); machine factor ${r.machine_factor.toFixed(3)} (current / baseline run calibration).`,
      `a case regresses when it is more than ${percent(r.threshold, false)} slower and beyond its noise bar (${r.noise_k} x the combined standard error of the four medians); a noise bar over ${percent(r.threshold, false)} makes it inconclusive.`,
    ],
    outcome: [
      `${headline(r)}: ${plural(paired.length, 'case')} compared, ${listed} listed only (missing or not ok on a side)` +
        (failed.length === 0 ? '' : `; regressed: ${failed.join(', ')}`),
      ...(reason === null ? [] : [reason]),
    ],
  };
}

export function formatTable(r: RegressReport, width = outputWidth()): string {
  const { intro, outcome } = notes(r);
  const table = textTable(columns(r.noise_k), r.cases, width);
  const dropped = table.dropped.length ? [`(left out at ${width} columns: ${table.dropped.join(', ')})`] : [];
  return [
    ...intro.map((line) => wrapLine('', line, width)),
    '',
    table.text,
    ...dropped,
    '',
    ...outcome.map((line) => wrapLine('', line, width)),
  ].join('\n');
}

/** A markdown line: pipes escaped so a path cannot break the list. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function formatMarkdown(r: RegressReport): string {
  const { intro, outcome } = notes(r);
  return [
    `### bsbr regress: ${r.outcome === 'regression' ? 'REGRESSION' : headline(r)}`,
    '',
    ...intro.map((line) => `- ${md(line)}`),
    '',
    markdownTable(columns(r.noise_k), r.cases),
    '',
    ...outcome.map((line) => `**${md(line)}**`),
  ].join('\n');
}

export function formatJson(r: RegressReport): string {
  return JSON.stringify(r, null, 2);
}

const CSV_COLUMNS = [
  'model',
  'mode',
  'seq_len',
  'normalised_by',
  'baseline_status',
  'baseline_median_ms',
  'baseline_calibration_ms',
  'baseline_normalised',
  'baseline_error',
  'current_status',
  'current_median_ms',
  'current_calibration_ms',
  'current_normalised',
  'current_error',
  'change',
  'noise',
  'verdict',
] as const;

/** One row per case: both sides' raw, calibration and normalised medians and errors, the change, the noise, the verdict. */
export function formatCsv(r: RegressReport): string {
  const side = (s: Side) => [s.status, s.median_ms, s.calibration_ms, s.normalised, s.error];
  const rows = r.cases.map((c) => [
    c.model,
    c.mode,
    c.seq_len,
    c.normalised_by,
    ...side(c.baseline),
    ...side(c.current),
    c.change,
    c.noise,
    c.verdict,
  ]);
  return toCsv(CSV_COLUMNS, rows).trimEnd();
}

export function formatReport(r: RegressReport, format: Format): string {
  if (format === 'markdown') return formatMarkdown(r);
  if (format === 'json') return formatJson(r);
  if (format === 'csv') return formatCsv(r);
  return formatTable(r);
}
