import * as path from 'path';
import { caseWarnings } from './warnings';
import { writeFilesAtomic } from '../io/write_files';
import { toCsv } from './csv';
import { costKnobs } from './model_knobs';
import { CASE_COLUMNS, ResultsFile } from './schema';
import { medianCi95, relativeSpread } from './stats';

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

/**
 * The columns after the CASE_COLUMNS: the model's cost knobs (empty where it does not read one), the
 * robust spread and the median's 95% interval (from the samples), the load averages around the case
 * and its warnings joined by "; " (docs/measurement.md, "results.csv").
 */
export const EXTRA_CSV_COLUMNS = [
  'chunk_size', 'window_size', 'compression_factor', 'spread', 'median_ci95_low_ms', 'median_ci95_high_ms',
  'load_before', 'load_after', 'warnings',
] as const;

/** results.csv: one row per case, the CASE_COLUMNS then the EXTRA_CSV_COLUMNS; null is an empty field. */
export function casesToCsv(results: ResultsFile): string {
  const rows = results.cases.map((c) => {
    const knobs = costKnobs(c.model, results.config);
    const measured = c.status === 'ok' && c.samples_ms.length > 0;
    const ci = measured ? medianCi95(c.samples_ms) : null;
    return [
      ...CASE_COLUMNS.map((column) => c[column] ?? null),
      knobs.chunk_size, knobs.window_size, knobs.compression_factor,
      measured ? relativeSpread(c.samples_ms) : null, ci?.[0] ?? null, ci?.[1] ?? null,
      c.load_before ?? null, c.load_after ?? null, caseWarnings(c, results).join('; '),
    ];
  });
  return toCsv([...CASE_COLUMNS, ...EXTRA_CSV_COLUMNS], rows);
}

/** Rewrites results.json and results.csv in `dir`, atomically: readers never see half a file. */
export function writeResults(dir: string, results: ResultsFile): void {
  writeFilesAtomic([
    [path.join(dir, RESULTS_JSON), `${JSON.stringify(results, null, 2)}\n`],
    [path.join(dir, RESULTS_CSV), casesToCsv(results)],
  ]);
}
