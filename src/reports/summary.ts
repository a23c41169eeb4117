/**
 * What `bsbr analyze` and `bsbr compare` print on stdout about a run: per mode the cases (timings,
 * noise, memory, config, warnings), the time and memory fits with their notes, and the slowdown
 * matrix; as terminal tables fitted to a width, as markdown, or as one JSON document.
 */
import { headDim } from '../../models/config';
import { Analysis, ModelFit } from '../analysis/analysis';
import { ONE_THREAD_BELOW_FLOPS } from '../options/defaults';
import { calibrationWarnings, runWarnings } from '../results/warnings';
import { costKnobs } from '../results/model_knobs';
import { medianCi95, relativeSpread } from '../results/stats';
import { Mode, ResultsFile } from '../results/schema';
import { caseLabel, caseLines, caseTableColumns } from './case_columns';
import { MEMORY_FIT_COLUMNS, slowdownColumns, slowdownLines, TIME_FIT_COLUMNS, WARNED } from './fit_columns';
import { Format } from './output_format';
import { Column, htmlTable, markdownTable, outputWidth, TextTable, textTable, wrapLine } from './table';

export interface RunSummary {
  results: ResultsFile;
  analysis: Analysis;
  /** Where the results came from (a path, or the shipped example data). */
  source: string;
}

/** A titled table with the remarks that go under it, ready to render as text, markdown or HTML. */
export interface Section {
  title: string;
  remarks: string[];
  text(width: number): TextTable;
  markdown(): string;
  html(): string;
}

function section<T>(
  title: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  remarks: string[] = [],
  rowClass?: (row: T) => string,
): Section {
  return {
    title,
    remarks,
    text: (width) => textTable(columns, rows, width),
    markdown: () => markdownTable(columns, rows),
    html: () => htmlTable(columns, rows, rowClass),
  };
}

export function runLine({ results, source }: RunSummary): string {
  const env = results.environment;
  return `run ${results.run_id}: ${env.backend} ${env.backend_version} on ${env.cpu_model} (${env.cpu_count} CPUs); from ${source}`;
}

export function calibrationLine(results: ResultsFile): string {
  const cal = results.calibration;
  if (cal === null) return 'calibration: none';
  const load =
    cal.load_before === undefined || cal.load_before === null
      ? ''
      : `, load ${cal.load_before.toFixed(1)}/${(cal.load_after ?? 0).toFixed(1)}`;
  return `calibration: ${cal.description}: ${cal.median_ms.toFixed(2)} ms, ${cal.gflops_per_s.toFixed(1)} GFLOP/s, spread ${(100 * relativeSpread(cal.samples_ms)).toFixed(1)}%${load}`;
}

/** The model config that sets every case's cost, the threads and the dtype: what tells two runs' rows apart. */
export function configLine(results: ResultsFile): string {
  const c = results.config;
  const threads =
    results.sweep.threads === null
      ? `threads per case (1 under ${ONE_THREAD_BELOW_FLOPS / 1e9} GFLOP a call, else ${results.environment.threads ?? 1})`
      : `${results.environment.threads ?? 1} thread${(results.environment.threads ?? 1) === 1 ? '' : 's'}`;
  return `config: hidden ${c.hiddenDim}, ${c.numHeads} heads of ${headDim(c)}, ${c.numLayers} layers, ff ${c.ffDim}, vocab ${c.vocabSize}, float32; ${results.environment.backend}, ${threads}`;
}

function samplingText(results: ResultsFile): string {
  const { warmup, repeats, adaptive, batch_size } = results.sweep;
  const timed = adaptive
    ? `${repeats} to ${adaptive.max_repeats} repeats until the median's 95% CI is within ±${100 * adaptive.target_ci}% (budget ${adaptive.budget_s} s)`
    : `${repeats} repeat${repeats === 1 ? '' : 's'}`;
  return `batch ${batch_size}, ${warmup} warm-up calls, ${timed}`;
}

function fitRemarks(fits: readonly ModelFit[]): string[] {
  return fits.flatMap((f) => [
    ...(f.note ? [`${f.model}: ${f.note}`] : []),
    ...f.warnings.map((w) => `${f.model}: ${w}`),
  ]);
}

/** The tables of one mode, in the order every format shows them. */
export function sections(summary: RunSummary, mode: Mode): Section[] {
  const { results, analysis } = summary;
  const cases = caseLines(results, mode);
  const fits = analysis.fits.filter((f) => f.mode === mode);
  const slowdown = slowdownLines(analysis.slowdown, mode, analysis.models);
  const caseRemarks = [
    ...cases.filter((l) => l.warnings.length > 0).map((l) => `${caseLabel(l.c)}: ${l.warnings.join('; ')}`),
    ...cases.filter((l) => l.c.message).map((l) => `${caseLabel(l.c)}: ${l.c.status}: ${l.c.message}`),
  ];
  return [
    section(
      `${mode} cases: ${samplingText(results)}; spread = robust sd / median; cf = compression factor`,
      caseTableColumns(cases),
      cases,
      caseRemarks,
      (l) => (l.warnings.length > 0 ? 'warned' : ''),
    ),
    section(
      `${mode} time fits: median ms ~ n^e on log-log axes; e of a + b n^e with a fixed cost a`,
      TIME_FIT_COLUMNS,
      fits,
      fitRemarks(fits),
    ),
    section(`${mode} memory fits: peak tensor bytes ~ n^e`, MEMORY_FIT_COLUMNS, fits),
    ...(slowdown.length === 0
      ? []
      : [section(`${mode} slowdown against the fastest model at each length`, slowdownColumns(slowdown), slowdown)]),
  ];
}

/** Terminal tables no wider than `width`, with the columns left out named. */
export function summaryText(summary: RunSummary, width: number): string {
  const { results, analysis } = summary;
  const parts = [
    wrapLine('', runLine(summary), width),
    wrapLine('', configLine(results), width),
    wrapLine('', calibrationLine(results), width),
  ];
  parts.push(...runWarnings(results).map((w) => wrapLine(`${WARNED} `, w, width)));
  for (const mode of analysis.modes) {
    for (const part of sections(summary, mode)) {
      const table = part.text(width);
      parts.push('', wrapLine('', part.title, width), table.text);
      if (table.dropped.length > 0)
        parts.push(
          wrapLine(
            '',
            `(left out at ${width} columns: ${table.dropped.join(', ')}; --format markdown or csv has every column)`,
            width,
          ),
        );
      parts.push(...part.remarks.map((r) => wrapLine(`${WARNED} `, r, width)));
    }
  }
  if (analysis.modes.length === 0) parts.push('no cases in the results file: nothing to fit');
  return parts.join('\n');
}

/** GitHub markdown: a heading per table, every column, the remarks as a list. */
export function summaryMarkdown(summary: RunSummary): string {
  const { results, analysis } = summary;
  const parts = [`${runLine(summary)}`, '', configLine(results), '', `${calibrationLine(results)}`];
  parts.push(...runWarnings(results).map((w) => `- ${WARNED} ${w}`));
  for (const mode of analysis.modes) {
    for (const part of sections(summary, mode)) {
      parts.push('', `### ${part.title}`, '', part.markdown());
      if (part.remarks.length > 0) parts.push('', ...part.remarks.map((r) => `- ${WARNED} ${r}`));
    }
  }
  return parts.join('\n');
}

/** One JSON document: the run's identity, each case with its knobs, noise figures and warnings, the fits, the slowdowns. */
export function summaryJson(summary: RunSummary, extra: Record<string, unknown> = {}): string {
  const { results, analysis } = summary;
  const cal = results.calibration;
  const document = {
    format: 'bsbr-summary',
    version: 1,
    run_id: results.run_id,
    source: summary.source,
    ...extra,
    environment: results.environment,
    sweep: results.sweep,
    config: results.config,
    calibration:
      cal === null ? null : { ...cal, spread: relativeSpread(cal.samples_ms), warnings: calibrationWarnings(cal) },
    warnings: runWarnings(results),
    cases: analysis.modes
      .flatMap((mode) => caseLines(results, mode))
      .map((l) => {
        const measured = l.c.status === 'ok' && l.c.samples_ms.length > 0;
        return {
          ...l.c,
          ...costKnobs(l.c.model, results.config),
          spread: measured ? relativeSpread(l.c.samples_ms) : null,
          median_ci95_ms: measured ? medianCi95(l.c.samples_ms) : null,
          warnings: l.warnings,
        };
      }),
    fits: analysis.fits,
    slowdown: analysis.slowdown,
  };
  return JSON.stringify(document, null, 2);
}

/** The summary in the chosen format; `csv` gives the one table CSV holds (compare: the cases; analyze: the fits). */
export function formatRunSummary(
  summary: RunSummary,
  format: Format,
  csv: () => string,
  extra: Record<string, unknown> = {},
): string {
  if (format === 'json') return summaryJson(summary, extra);
  if (format === 'markdown') return summaryMarkdown(summary);
  if (format === 'csv') return csv().trimEnd();
  return summaryText(summary, outputWidth());
}
