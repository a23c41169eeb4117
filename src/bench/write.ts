import * as path from 'path';
import { writeFilesAtomic } from '../io/write_files';
import { toCsv } from '../results/csv';
import { CASE_COLUMNS, CaseResult, ResultsFile } from '../results/schema';

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

/** results.csv: one row per case, the CASE_COLUMNS in order; null is an empty field. */
export function casesToCsv(cases: readonly CaseResult[]): string {
  return toCsv(CASE_COLUMNS, cases.map((c) => CASE_COLUMNS.map((column) => c[column] ?? null)));
}

/** Rewrites results.json and results.csv in `dir`, atomically: readers never see half a file. */
export function writeResults(dir: string, results: ResultsFile): void {
  writeFilesAtomic([
    [path.join(dir, RESULTS_JSON), `${JSON.stringify(results, null, 2)}\n`],
    [path.join(dir, RESULTS_CSV), casesToCsv(results.cases)],
  ]);
}
