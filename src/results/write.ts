import * as path from 'path';
import { headDim } from '../../models/config';
import { caseWarnings } from './warnings';
import { writeFilesAtomic } from '../io/write_files';
import { toCsv } from './csv';
import { costKnobs } from './model_knobs';
import { CASE_COLUMNS, ResultsFile } from './schema';
import { medianCi95, relativeSpread } from './stats';

export const RESULTS_JSON = 'results.json';
export const RESULTS_CSV = 'results.csv';

/**
 * The columns after the CASE_COLUMNS: the model config that sets the cost (hidden size, heads, head
 * size, layers, feed-forward size, and the model's own knobs, empty where it does not read one), the
 * threads the case ran on and the dtype, so that rows of different runs stay apart once joined; the
 * robust spread and the median's 95% interval (from the samples), the case's own calibration, the
 * load averages around the case and its warnings joined by "; " (docs/measurement.md, "results.csv").
 */
export const EXTRA_CSV_COLUMNS = [
  'hidden_dim',
  'num_heads',
  'head_dim',
  'num_layers',
  'ff_dim',
  'chunk_size',
  'window_size',
  'compression_factor',
  'threads',
  'dtype',
  'spread',
  'median_ci95_low_ms',
  'median_ci95_high_ms',
  'calibration_ms',
  'load_before',
  'load_after',
  'warnings',
] as const;

/** Every model computes in float32, TensorFlow.js's default dtype. */
const DTYPE = 'float32';

/** results.csv: one row per case, the CASE_COLUMNS then the EXTRA_CSV_COLUMNS; null is an empty field. */
export function casesToCsv(results: ResultsFile): string {
  const rows = results.cases.map((c) => {
    const knobs = costKnobs(c.model, results.config);
    const measured = c.status === 'ok' && c.samples_ms.length > 0;
    const ci = measured ? medianCi95(c.samples_ms) : null;
    const { hiddenDim, numHeads, numLayers, ffDim } = results.config;
    return [
      ...CASE_COLUMNS.map((column) => c[column] ?? null),
      hiddenDim,
      numHeads,
      headDim(results.config),
      numLayers,
      ffDim,
      knobs.chunk_size,
      knobs.window_size,
      knobs.compression_factor,
      c.threads ?? results.environment.threads ?? null,
      DTYPE,
      measured ? relativeSpread(c.samples_ms) : null,
      ci?.[0] ?? null,
      ci?.[1] ?? null,
      c.calibration_ms ?? null,
      c.load_before ?? null,
      c.load_after ?? null,
      caseWarnings(c, results).join('; '),
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
