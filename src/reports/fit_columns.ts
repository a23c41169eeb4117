/** The columns of the fits and slowdown tables (terminal, markdown and report.html alike). */
import { CLASS_MIN_LENGTHS, ModelFit } from '../analysis/analysis';
import { ConstantTermFit, EXPONENT_RANGE } from '../analysis/constant_term_fit';
import { PowerLawFit } from '../analysis/fit';
import { SlowdownRow } from '../analysis/slowdown';
import { Mode } from '../results/schema';
import { Column } from './table';

type ExponentFit = Pick<PowerLawFit, 'exponent' | 'points' | 'exponentCi95'>;

function formatWith(fit: ExponentFit | null, end: (x: number) => string): string {
  if (fit === null) return '-';
  const ci = fit.exponentCi95;
  return `${fit.exponent.toFixed(2)} ${ci === null ? `(${fit.points} points)` : `[${end(ci[0])}, ${end(ci[1])}]`}`;
}

/** "2.01 [1.95, 2.07]"; without an interval "2.01 (2 points)"; no fit "-". */
export function formatExponent(fit: ExponentFit | null): string {
  return formatWith(fit, (x) => x.toFixed(2));
}

/** As formatExponent; an interval end at the scanned range's top says the data do not bound it: "4+". */
export function formatConstantTermExponent(fit: ConstantTermFit | null): string {
  return formatWith(fit, (x) => (x >= EXPONENT_RANGE.high ? `${EXPONENT_RANGE.high}+` : x.toFixed(2)));
}

/** R^2, or '-' for no fit or a fit through two points (which always has R^2 1). */
function formatRSquared(fit: PowerLawFit | null): string {
  return fit === null || fit.points < CLASS_MIN_LENGTHS ? '-' : fit.rSquared.toFixed(3);
}

/** "64-1024": the range of ok lengths. */
export function formatLengths(seqLens: readonly number[]): string {
  if (seqLens.length === 0) return 'none ok';
  return seqLens.length === 1 ? String(seqLens[0]) : `${seqLens[0]}-${seqLens[seqLens.length - 1]}`;
}

/** A mark for a row with warnings (listed below the table) or a note. */
export const WARNED = '!';

/** Time fits: the log-log exponent, its R^2 and class against the theory, and the fit with a constant term. */
export const TIME_FIT_COLUMNS: readonly Column<ModelFit>[] = [
  { head: 'model', text: (f) => f.model },
  { head: 'lengths', text: (f) => formatLengths(f.seq_lens), drop: 3 },
  { head: 'e [95% CI]', text: (f) => formatExponent(f.time) },
  { head: 'R^2', text: (f) => formatRSquared(f.time), align: 'right', drop: 2 },
  { head: 'reads', text: (f) => f.time_class ?? '-', drop: 4 },
  { head: 'theory', text: (f) => f.theory?.scaling ?? '-' },
  { head: 'e in a + b n^e', text: (f) => formatConstantTermExponent(f.time_constant_term), drop: 1 },
  { head: WARNED, text: (f) => (f.warnings.length > 0 || f.note !== '' ? WARNED : '') },
];

/** Memory fits: peak tensor bytes against n. */
export const MEMORY_FIT_COLUMNS: readonly Column<ModelFit>[] = [
  { head: 'model', text: (f) => f.model },
  { head: 'lengths', text: (f) => formatLengths(f.seq_lens), drop: 2 },
  { head: 'e [95% CI]', text: (f) => formatExponent(f.memory) },
  { head: 'R^2', text: (f) => formatRSquared(f.memory), align: 'right', drop: 1 },
  { head: 'reads', text: (f) => f.memory_class ?? '-' },
];

/** The slowdowns of one mode as rows of a matrix: one per model, a column per length. */
export interface SlowdownLine {
  model: string;
  byLength: Map<number, number>;
}

export function slowdownLines(rows: readonly SlowdownRow[], mode: Mode, models: readonly string[]): SlowdownLine[] {
  const ofMode = rows.filter((r) => r.mode === mode);
  return models
    .filter((model) => ofMode.some((r) => r.model === model))
    .map((model) => ({
      model,
      byLength: new Map(ofMode.filter((r) => r.model === model).map((r) => [r.seq_len, r.slowdown])),
    }));
}

/** Model, then a column per length ("-" where not measured); middle lengths drop first on a narrow terminal. */
export function slowdownColumns(lines: readonly SlowdownLine[]): Column<SlowdownLine>[] {
  const lengths = [...new Set(lines.flatMap((l) => [...l.byLength.keys()]))].sort((a, b) => a - b);
  return [
    { head: 'model', text: (l) => l.model },
    ...lengths.map((n, i): Column<SlowdownLine> => ({
      head: `n=${n}`,
      text: (l) => (l.byLength.has(n) ? `${l.byLength.get(n)!.toFixed(2)}x` : '-'),
      align: 'right',
      drop: i === 0 || i === lengths.length - 1 ? undefined : Math.min(i, lengths.length - 1 - i),
    })),
  ];
}
