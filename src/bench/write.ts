import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'csv-stringify/sync';
import { CASE_COLUMNS, CaseResult, ResultsFile } from '../results/schema';

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

/** Writes a temp file beside the target and renames it over the target: readers never see half a file. */
function writeAtomic(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** results.csv: one row per case, the CASE_COLUMNS in order; null is an empty field. */
export function casesToCsv(cases: readonly CaseResult[]): string {
  return stringify(cases.map((c) => CASE_COLUMNS.map((column) => c[column] ?? null)), { header: true, columns: [...CASE_COLUMNS] });
}

/** Rewrites results.json and results.csv in `dir`, each atomically. */
export function writeResults(dir: string, results: ResultsFile): void {
  writeAtomic(path.join(dir, RESULTS_JSON), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(path.join(dir, RESULTS_CSV), casesToCsv(results.cases));
}
