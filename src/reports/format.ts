/** Text forms of fits and slowdowns shared by the terminal tables and report.html. */
import { ModelFit } from '../analysis/analysis';
import { PowerLawFit } from '../analysis/fit';
import { SlowdownRow } from '../analysis/slowdown';
import { Mode } from '../results/schema';

/** "2.01 [1.95, 2.07]"; with 2 points the interval is undefined: "2.01 [no CI: 2 points]"; no fit: "-". */
export function formatExponent(fit: PowerLawFit | null): string {
  if (fit === null) return '-';
  const ci = fit.exponentCi95;
  return `${fit.exponent.toFixed(2)} ${ci === null ? '[no CI: 2 points]' : `[${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]`}`;
}

export function formatRSquared(fit: PowerLawFit | null): string {
  return fit === null ? '-' : fit.rSquared.toFixed(3);
}

/** "64-1024 (5)": the range of ok lengths and how many. */
export function formatLengths(fit: ModelFit): string {
  const n = fit.seq_lens;
  if (n.length === 0) return 'none ok';
  return `${n[0]}${n.length > 1 ? `-${n[n.length - 1]}` : ''} (${n.length})`;
}

/** The heading cells of the fits table and one row of cells per fit. */
export function fitsTableCells(fits: readonly ModelFit[]): { head: string[]; rows: string[][] } {
  return {
    head: ['model', 'lengths', 'time exponent [95% CI]', 'R^2', 'suggests', 'theory', 'memory exponent [95% CI]', 'R^2', 'suggests', 'note'],
    rows: fits.map((f) => [
      f.model,
      formatLengths(f),
      formatExponent(f.time),
      formatRSquared(f.time),
      f.time_class ?? '-',
      f.theory === null ? 'not in architectures.md' : `${f.theory.scaling}: ${f.theory.cost}`,
      formatExponent(f.memory),
      formatRSquared(f.memory),
      f.memory_class ?? '-',
      f.note,
    ]),
  };
}

/** The slowdown of one mode as a matrix: a row per model, a column per length ("-" where not measured). */
export function slowdownMatrix(rows: readonly SlowdownRow[], mode: Mode, models: readonly string[]): { head: string[]; rows: string[][] } {
  const ofMode = rows.filter((r) => r.mode === mode);
  const lengths = [...new Set(ofMode.map((r) => r.seq_len))].sort((a, b) => a - b);
  return {
    head: ['model', ...lengths.map((n) => `n=${n}`)],
    rows: models
      .filter((model) => ofMode.some((r) => r.model === model))
      .map((model) => [
        model,
        ...lengths.map((n) => {
          const row = ofMode.find((r) => r.model === model && r.seq_len === n);
          return row === undefined ? '-' : `${row.slowdown.toFixed(2)}x`;
        }),
      ]),
  };
}
