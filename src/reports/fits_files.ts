/** fits.csv, fits.json and slowdown.csv: the numbers behind the charts, for other tools. */
import { Analysis, ModelFit } from '../analysis/analysis';
import { PowerLawFit } from '../analysis/fit';
import { SlowdownRow } from '../analysis/slowdown';
import { toCsv } from '../results/csv';
import { ResultsFile } from '../results/schema';

export const FITS_CSV_COLUMNS = [
  'mode',
  'model',
  'seq_lens',
  'time_points',
  'time_exponent',
  'time_ci95_low',
  'time_ci95_high',
  'time_stderr',
  'time_r2',
  'time_class',
  'theory_cost',
  'theory_scaling',
  'memory_points',
  'memory_exponent',
  'memory_ci95_low',
  'memory_ci95_high',
  'memory_stderr',
  'memory_r2',
  'memory_class',
  'note',
  'time_const_exponent',
  'time_const_ci95_low',
  'time_const_ci95_high',
  'time_const_ms',
  'warnings',
] as const;

function fitColumns(fit: PowerLawFit | null): (number | null)[] {
  return fit === null
    ? [null, null, null, null, null, null]
    : [
        fit.points,
        fit.exponent,
        fit.exponentCi95?.[0] ?? null,
        fit.exponentCi95?.[1] ?? null,
        fit.exponentStandardError,
        fit.rSquared,
      ];
}

/** One row per (mode, model); empty fields where a fit or interval does not exist. */
export function fitsCsv(fits: readonly ModelFit[]): string {
  const rows = fits.map((f) => [
    f.mode,
    f.model,
    f.seq_lens.join(' '),
    ...fitColumns(f.time),
    f.time_class,
    f.theory?.cost ?? null,
    f.theory?.scaling ?? null,
    ...fitColumns(f.memory),
    f.memory_class,
    f.note,
    f.time_constant_term?.exponent ?? null,
    f.time_constant_term?.exponentCi95?.[0] ?? null,
    f.time_constant_term?.exponentCi95?.[1] ?? null,
    f.time_constant_term?.constant ?? null,
    f.warnings.join('; '),
  ]);
  return toCsv(FITS_CSV_COLUMNS, rows);
}

export interface FitsJson {
  format: 'bsbr-fits';
  version: 1;
  run_id: string;
  results_created_at: string;
  /** What the fits are of. */
  method: string;
  fits: ModelFit[];
}

export function fitsJson(results: ResultsFile, analysis: Analysis): FitsJson {
  return {
    format: 'bsbr-fits',
    version: 1,
    run_id: results.run_id,
    results_created_at: results.created_at,
    method:
      'per (mode, model), ok cases only: ln(median_ms) and ln(peak_tensor_bytes) against ln(seq_len) by least squares; ' +
      'logCoefficient is the natural-log intercept; exponentCi95 from Student t with points - 2 degrees of freedom (null with 2 points). ' +
      'time_constant_term: median_ms = constant + coefficient * seq_len^exponent (constant, coefficient >= 0) by relative least squares, ' +
      'exponent scanned over [0, 4]; exponentCi95 the profile interval with F(1, points - 3) (null with 3 points)',
    fits: analysis.fits,
  };
}

export function slowdownCsv(rows: readonly SlowdownRow[]): string {
  const columns = ['mode', 'seq_len', 'model', 'median_ms', 'slowdown', 'fastest_model'] as const;
  return toCsv(
    columns,
    rows.map((r) => columns.map((c) => r[c])),
  );
}
