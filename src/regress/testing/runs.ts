/** Typed builders of synthetic runs for the regress tests: chosen medians, spreads and calibrations. */
import { syntheticCase, syntheticResults } from '../../analysis/testing/synthetic';
import { summarize } from '../../results/stats';
import { CaseResult, Mode, ResultsFile } from '../../results/schema';

/**
 * Five repeats with median `median` and half-range `spread * median`: MAD = spread * median / 2, so
 * the robust relative spread of compare_runs is 1.4826 * spread / 2.
 */
export function samplesAround(median: number, spread: number): number[] {
  return [-1, -0.5, 0, 0.5, 1].map((t) => median * (1 + t * spread));
}

export interface RunCase {
  model: string;
  seq_len: number;
  mode?: Mode;
  median_ms?: number;
  /** Relative half-range of the repeats (default 0.02). */
  spread?: number;
  status?: CaseResult['status'];
}

/** A case whose timing fields all agree with its samples. */
function runCase(spec: RunCase): CaseResult {
  const c = syntheticCase({ model: spec.model, seq_len: spec.seq_len, mode: spec.mode, status: spec.status });
  if (c.status !== 'ok') return c;
  return withSamples(c, samplesAround(spec.median_ms ?? 10, spec.spread ?? 0.02));
}

function withSamples(c: CaseResult, samples_ms: number[]): CaseResult {
  const s = summarize(samples_ms);
  return {
    ...c,
    samples_ms,
    repeats: samples_ms.length,
    median_ms: s.median,
    min_ms: s.min,
    max_ms: s.max,
    mean_ms: s.mean,
    std_ms: s.std,
  };
}

/** A run of the given cases with a calibration of median `calibrationMs` and relative half-range `calibrationSpread`. */
export function run(cases: RunCase[], calibrationMs = 20, calibrationSpread = 0.02): ResultsFile {
  const results = syntheticResults(cases.map(runCase));
  const samples_ms = samplesAround(calibrationMs, calibrationSpread);
  return { ...results, calibration: { ...results.calibration!, median_ms: calibrationMs, samples_ms } };
}

/** Three models at two lengths, forward and decode, each with its own median. */
export function sweep(spread?: number): RunCase[] {
  return ['BSBR', 'Standard', 'Linear'].flatMap((model, i) =>
    (['forward', 'decode'] as const).flatMap((mode, j) =>
      [256, 512].map((seq_len, k) => ({ model, mode, seq_len, median_ms: 5 + 10 * i + 3 * j + k, spread })),
    ),
  );
}

/** The run with every sample of the matching cases (default: all) multiplied by `factor`. */
export function slower(
  results: ResultsFile,
  factor: number,
  which: (c: CaseResult) => boolean = () => true,
): ResultsFile {
  return {
    ...results,
    cases: results.cases.map((c) =>
      c.status === 'ok' && which(c)
        ? withSamples(
            c,
            c.samples_ms.map((x) => x * factor),
          )
        : c,
    ),
  };
}

/** The run with its calibration samples multiplied by `factor` (a uniformly slower machine with `slower`). */
export function slowerCalibration(results: ResultsFile, factor: number): ResultsFile {
  const cal = results.calibration!;
  return {
    ...results,
    calibration: { ...cal, median_ms: cal.median_ms * factor, samples_ms: cal.samples_ms.map((x) => x * factor) },
  };
}

/**
 * The run with a calibration timed in every ok case's own worker: median `calibrationMs` times the
 * case's `factor` (default 1), relative half-range `spread`.
 */
export function withCaseCalibrations(
  results: ResultsFile,
  calibrationMs = 20,
  spread = 0.02,
  factor: (c: CaseResult) => number = () => 1,
): ResultsFile {
  return {
    ...results,
    cases: results.cases.map((c) => {
      if (c.status !== 'ok') return c;
      const calibration_samples_ms = samplesAround(calibrationMs * factor(c), spread);
      return { ...c, threads: 2, calibration_ms: summarize(calibration_samples_ms).median, calibration_samples_ms };
    }),
  };
}
