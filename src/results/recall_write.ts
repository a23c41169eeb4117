import * as path from 'path';
import { writeFilesAtomic } from '../io/write_files';
import { toCsv } from './csv';
import { RECALL_CSV_COLUMNS, RecallResults } from './recall_schema';
import { RESULTS_CSV, RESULTS_JSON } from './write';

/** results.csv of a recall run: one row per case, RECALL_CSV_COLUMNS; null is an empty field. */
export function recallCsv(results: RecallResults): string {
  return toCsv(
    RECALL_CSV_COLUMNS,
    results.cases.map((c) => RECALL_CSV_COLUMNS.map((column) => c[column] ?? null)),
  );
}

/** Rewrites results.json and results.csv of a recall run in `dir`, atomically: readers never see half a file. */
export function writeRecallResults(dir: string, results: RecallResults): void {
  writeFilesAtomic([
    [path.join(dir, RESULTS_JSON), `${JSON.stringify(results, null, 2)}\n`],
    [path.join(dir, RESULTS_CSV), recallCsv(results)],
  ]);
}
