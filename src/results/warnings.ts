/**
 * When a measured figure is not to be trusted: the rules behind the warnings of the summary table,
 * results.csv and report.html (docs/measurement.md, "Warnings").
 */
import { ciHalfWidth, largest, relativeSpread, summarize } from './stats';
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

/**
 * Another process's load that makes a run "busy": the 1-minute load average less this run's own
 * threads reaching one, i.e. other work kept a whole core busy on average (docs/measurement.md, "Warnings").
 */
export const BUSY_FOREIGN_LOAD = 1;

/**
 * The load that is not ours around a measurement: the larger of the load averages before and after,
 * less the threads the run itself kept running (one worker at a time, on `threads` threads; the
 * 1-minute average carries our previous cases too). Null where no load was recorded.
 */
export function foreignLoad(
  before: number | null | undefined,
  after: number | null | undefined,
  threads: number,
): number | null {
  const loads = [before, after].filter((l): l is number => typeof l === 'number');
  return loads.length === 0 ? null : Math.max(0, Math.max(...loads) - threads);
}

/** The threads a case ran on: its own record, else the run's (1 where neither was recorded). */
function caseThreadCount(c: CaseResult, results: ResultsFile): number {
  return c.threads ?? results.environment.threads ?? 1;
}

/** Warnings of one ok case (none for a case that was not measured). The machine's load is a run warning (runWarnings). */
export function caseWarnings(c: CaseResult, results: ResultsFile): string[] {
  if (c.status !== 'ok') return [];
  const warnings = sampleWarnings(c.samples_ms);
  const target = results.sweep.adaptive?.target_ci;
  const half = ciHalfWidth(c.samples_ms);
  if (target !== undefined && (half === null || half > target)) {
    warnings.push(
      `95% interval of the median ${half === null ? 'undefined (under 6 repeats)' : `±${percent(half)}`}, above --target-ci ${percent(target)}`,
    );
  }
  return warnings;
}

/** Warnings of the run's calibration matmul, which every normalised figure divides by. */
export function calibrationWarnings(calibration: Calibration): string[] {
  return sampleWarnings(calibration.samples_ms);
}

/** The busy-machine warning, once for the run: the largest load not ours, and around how many cases it reached BUSY_FOREIGN_LOAD. */
function busyWarning(results: ResultsFile): string[] {
  const cpus = results.environment.cpu_count;
  const runThreads = results.environment.threads ?? 1;
  const cal = results.calibration;
  const measured = results.cases.filter((c) => c.status === 'ok');
  const loads = [
    ...(cal ? [foreignLoad(cal.load_before, cal.load_after, runThreads)] : []),
    ...measured.map((c) => foreignLoad(c.load_before, c.load_after, caseThreadCount(c, results))),
  ].filter((l): l is number => l !== null);
  const busyCases = measured.filter(
    (c) => (foreignLoad(c.load_before, c.load_after, caseThreadCount(c, results)) ?? 0) >= BUSY_FOREIGN_LOAD,
  ).length;
  const highest = largest(loads, 0);
  if (highest < BUSY_FOREIGN_LOAD) return [];
  const threads = largest(
    measured.map((c) => caseThreadCount(c, results)),
    runThreads,
  );
  const advice =
    threads > 1 && highest > cpus - threads
      ? `; with --threads 1 each case would compete for one core, not ${threads}`
      : '';
  return [
    `busy machine: other processes' load (the load average less this run's own threads) reached ${highest.toFixed(1)} on ${cpus} CPUs, ` +
      `around ${busyCases} of ${measured.length} case${measured.length === 1 ? '' : 's'}: timings are slower and noisier than on an idle machine${advice}`,
  ];
}

/**
 * Warnings about the whole run, each said once: its calibration's noise, a busy machine, more
 * threads than CPUs.
 */
export function runWarnings(results: ResultsFile): string[] {
  const cpus = results.environment.cpu_count;
  const threads = results.environment.threads;
  return [
    ...(results.calibration === null ? [] : calibrationWarnings(results.calibration).map((w) => `calibration: ${w}`)),
    ...busyWarning(results),
    ...(threads !== undefined && threads !== null && threads > cpus
      ? [
          `${threads} threads on ${cpus} CPUs: threads beyond the CPUs take turns on them, which slows every case (--threads ${cpus} or fewer)`,
        ]
      : []),
  ];
}

/** What fitWarnings reads of a power-law fit (src/analysis/fit.ts). */
export interface FitQuality {
  rSquared: number;
  /** The points' scatter about the line, relative; null for two points. */
  residualSd: number | null;
}

/** Warnings of a fit: the points do not follow one power law (or are too noisy to tell). */
export function fitWarnings(fit: FitQuality | null): string[] {
  if (
    fit === null ||
    fit.residualSd === null ||
    fit.rSquared >= TRUST_LIMITS.rSquared ||
    fit.residualSd <= TRUST_LIMITS.scatter
  )
    return [];
  return [`poor fit: R^2 ${fit.rSquared.toFixed(2)}, points scatter ±${percent(fit.residualSd)} about the line`];
}
