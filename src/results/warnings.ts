/**
 * When a measured figure is not to be trusted: the rules behind the warnings of the summary table,
 * results.csv and report.html (docs/measurement.md, "Warnings").
 */
import { ciHalfWidth, relativeSpread, summarize } from './stats';
import { Calibration, CaseResult, ResultsFile } from './schema';

/**
 * The bars: a robust spread over 10%, a slowest repeat over 2x the fastest; a fit with an R^2 under
 * 0.9 whose points also scatter by more than 5% about the line (a flat series has a low R^2 and a
 * tight scatter: that is a good fit of nothing growing).
 */
export const TRUST_LIMITS = { spread: 0.1, range: 2, rSquared: 0.9, scatter: 0.05 } as const;

function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/** One "noisy: ..." warning naming what was over its bar, or none. */
function sampleWarnings(samples: readonly number[]): string[] {
  if (samples.length < 2) return [];
  const spread = relativeSpread(samples);
  const { min, max } = summarize(samples);
  const over = [
    ...(spread > TRUST_LIMITS.spread ? [`repeats spread ±${percent(spread)} (robust sd)`] : []),
    ...(max > TRUST_LIMITS.range * min ? [`slowest repeat ${(max / min).toFixed(1)}x the fastest`] : []),
  ];
  return over.length > 0 ? [`noisy: ${over.join(', ')}`] : [];
}

/** More runnable work than CPUs, before or after: the measurement shared a core. */
function loadWarning(loads: ReadonlyArray<number | null | undefined>, cpus: number): string[] {
  const highest = Math.max(...loads.map((l) => l ?? 0));
  return highest > cpus ? [`busy machine: load average ${highest.toFixed(1)} on ${cpus} CPUs`] : [];
}

/** Warnings of one ok case (none for a case that was not measured). */
export function caseWarnings(c: CaseResult, results: ResultsFile): string[] {
  if (c.status !== 'ok') return [];
  const warnings = [...sampleWarnings(c.samples_ms), ...loadWarning([c.load_before, c.load_after], results.environment.cpu_count)];
  const target = results.sweep.adaptive?.target_ci;
  const half = ciHalfWidth(c.samples_ms);
  if (target !== undefined && (half === null || half > target)) {
    warnings.push(`95% interval of the median ${half === null ? 'undefined (under 6 repeats)' : `±${percent(half)}`}, above --target-ci ${percent(target)}`);
  }
  return warnings;
}

/** Warnings of the run's calibration matmul, which every normalised figure divides by. */
export function calibrationWarnings(calibration: Calibration, cpus: number): string[] {
  return [...sampleWarnings(calibration.samples_ms), ...loadWarning([calibration.load_before, calibration.load_after], cpus)];
}

/** What fitWarnings reads of a power-law fit (src/analysis/fit.ts). */
export interface FitQuality {
  rSquared: number;
  /** The points' scatter about the line, relative; null for two points. */
  residualSd: number | null;
}

/** Warnings of a fit: the points do not follow one power law (or are too noisy to tell). */
export function fitWarnings(fit: FitQuality | null): string[] {
  if (fit === null || fit.residualSd === null || fit.rSquared >= TRUST_LIMITS.rSquared || fit.residualSd <= TRUST_LIMITS.scatter) return [];
  return [`poor fit: R^2 ${fit.rSquared.toFixed(2)}, points scatter ±${percent(fit.residualSd)} about the line`];
}
