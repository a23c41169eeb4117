/** Everything `bsbr analyze` computes from a results file: fits per (mode, model) and the slowdown table. */
import { CaseResult, Mode, MODES, ResultsFile } from '../results/schema';
import { disagrees, suggestedClass, TheoreticalComplexity, theoreticalComplexity } from './complexity';
import { ConstantTermFit, fitConstantTerm } from './constant_term_fit';
import { fitPowerLaw, PowerLawFit } from './fit';
import { SlowdownRow, slowdownTable } from './slowdown';
import { fitWarnings } from '../results/warnings';

export interface ModelFit {
  mode: Mode;
  model: string;
  /** The distinct lengths with an ok case, ascending. */
  seq_lens: number[];
  /** Median time against n on log-log axes; null with fewer than 2 ok lengths. */
  time: PowerLawFit | null;
  time_class: string | null;
  /** Median time as a + b n^e (a fixed cost per call plus a power law); null with fewer than 3 ok lengths. */
  time_constant_term: ConstantTermFit | null;
  /** Peak tensor bytes against n; null with fewer than 2 lengths that recorded it. */
  memory: PowerLawFit | null;
  memory_class: string | null;
  /** From docs/architectures.md; null for a model it does not describe. */
  theory: TheoreticalComplexity | null;
  /** Why a fit is missing, or what a fit that disagrees with the theory covers; empty otherwise. */
  note: string;
  /** Why the time or memory fit is not to be trusted (a poor R^2). */
  warnings: string[];
}

export interface Analysis {
  /** The modes with at least one case, in MODES order. */
  modes: Mode[];
  /** Every model with a case, in the order the results list them. */
  models: string[];
  fits: ModelFit[];
  slowdown: SlowdownRow[];
}

function points(cases: readonly CaseResult[], value: (c: CaseResult) => number | null): { n: number[]; y: number[] } {
  const kept = cases.flatMap((c) => {
    const y = value(c);
    return y !== null && y > 0 ? [{ n: c.seq_len, y }] : [];
  });
  return { n: kept.map((p) => p.n), y: kept.map((p) => p.y) };
}

function powerLawOf(cases: readonly CaseResult[], value: (c: CaseResult) => number | null): PowerLawFit | null {
  const { n, y } = points(cases, value);
  return new Set(n).size < 2 ? null : fitPowerLaw(n, y);
}

function lengthRange(seqLens: readonly number[]): string {
  return `${seqLens[0]}-${seqLens[seqLens.length - 1]}`;
}

function formatCi(ci: [number, number] | null): string {
  return ci === null ? '' : ` [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}]`;
}

/**
 * What a time fit that disagrees with the theory covers. Below the theory: the lengths are too short
 * for the n-dependent work to dominate; above it: noise, or a cost the theory leaves out.
 */
function disagreementNote(
  fit: PowerLawFit,
  theory: TheoreticalComplexity,
  seqLens: readonly number[],
  withConstant: ConstantTermFit | null,
): string {
  const reads = `over n = ${lengthRange(seqLens)} the time fit reads ${suggestedClass(fit.exponent)} where theory says ${theory.scaling}`;
  if (fit.exponent > theory.exponent)
    return `${reads}: more than the theory; look for noise (the warnings) or a cost it leaves out`;
  const constant =
    withConstant === null
      ? ''
      : ` (with a constant term e = ${withConstant.exponent.toFixed(2)}${formatCi(withConstant.exponentCi95)})`;
  return `${reads}: fixed and linear per-call costs dominate at these lengths${constant}; the asymptote needs longer ones`;
}

/**
 * A class needs at least this many lengths: a line through two points always fits (R^2 1), so two
 * points give an exponent but no class or R^2 (docs/measurement.md, "Fits").
 */
export const CLASS_MIN_LENGTHS = 3;

/** The class a fit suggests, or null when it has fewer than CLASS_MIN_LENGTHS points. */
function fitClass(fit: PowerLawFit | null): string | null {
  return fit === null || fit.points < CLASS_MIN_LENGTHS ? null : suggestedClass(fit.exponent);
}

function fitModel(mode: Mode, model: string, cases: readonly CaseResult[]): ModelFit {
  const ok = cases.filter((c) => c.status === 'ok');
  const seqLens = [...new Set(ok.map((c) => c.seq_len))].sort((a, b) => a - b);
  const time = powerLawOf(ok, (c) => c.median_ms);
  const timed = points(ok, (c) => c.median_ms);
  const timeConstantTerm = new Set(timed.n).size < 3 ? null : fitConstantTerm(timed.n, timed.y);
  const memory = powerLawOf(ok, (c) => c.peak_tensor_bytes);
  const theory = theoreticalComplexity(model, mode) ?? null;
  const notes: string[] = [];
  if (time === null)
    notes.push(`${seqLens.length} ok length${seqLens.length === 1 ? '' : 's'} (a fit needs 2): no fit`);
  else if (memory === null) notes.push('fewer than 2 lengths recorded peak tensor bytes: no memory fit');
  if (time !== null && time.points < CLASS_MIN_LENGTHS)
    notes.push(`${time.points} lengths: an exponent, but no class or R^2 (they need ${CLASS_MIN_LENGTHS})`);
  if (time !== null && time.points >= CLASS_MIN_LENGTHS && theory !== null && disagrees(theory, time.exponent))
    notes.push(disagreementNote(time, theory, seqLens, timeConstantTerm));
  return {
    mode,
    model,
    seq_lens: seqLens,
    time,
    time_class: fitClass(time),
    time_constant_term: timeConstantTerm,
    memory,
    memory_class: fitClass(memory),
    theory,
    note: notes.join('; '),
    warnings: [...fitWarnings(time).map((w) => `time ${w}`), ...fitWarnings(memory).map((w) => `memory ${w}`)],
  };
}

/** Fits every (mode, model) separately; only cases with status ok enter a fit or the slowdown table. */
export function analyzeResults(results: ResultsFile): Analysis {
  const modes = MODES.filter((mode) => results.cases.some((c) => c.mode === mode));
  const models = [...new Set(results.cases.map((c) => c.model))];
  const fits = modes.flatMap((mode) =>
    models
      .map((model) => results.cases.filter((c) => c.mode === mode && c.model === model))
      .filter((cases) => cases.length > 0)
      .map((cases) => fitModel(mode, cases[0].model, cases)),
  );
  return { modes, models, fits, slowdown: slowdownTable(results.cases) };
}
