/**
 * `bsbr regress`'s comparison of a current run against a baseline run (pure: no I/O).
 *
 * Normalisation: each case's median is divided by its own run's calibration median (the fixed
 * matmul `bsbr compare` times on the same backend in the same run), m = median_ms / calibration_ms,
 * so a machine that is uniformly slower or faster changes neither verdict. In a merged run (`bsbr
 * merge`) each case is divided by the calibration of the shard that measured it.
 *
 * The rule, for a case that is ok on both sides, with m_b and m_c its normalised medians:
 *   change  r = m_c / m_b - 1
 *   spread  s(x) = 1.4826 * MAD(x) / median(x), the robust relative standard deviation of the
 *           repeats x (MAD: median absolute deviation from the median; 1.4826 makes it the standard
 *           deviation for normal data, yet one stray slow repeat barely moves it, unlike std or range)
 *   noise   u = sqrt(s(case_b)^2 + s(case_c)^2 + s(cal_b)^2 + s(cal_c)^2), the relative errors of
 *           the four medians in m_c / m_b added in quadrature (first-order error propagation)
 *   regression   r > threshold  and  r > K * u, with K = NOISE_K = 3
 *   faster      -r > threshold  and -r > K * u
 *   within noise |r| > threshold but |r| <= K * u;  within threshold otherwise.
 * u uses the spread of single repeats, not the (smaller) standard error of the median: runs on a
 * shared machine differ from each other by more than the repeats within one run show, so the bar
 * is deliberately conservative. A case ok in the baseline but not ok now (an error, skipped past a
 * limit, a non-finite output) is 'broken', and one the current run lacks is 'missing in current': both
 * fail like a regression (a gate that silently checks fewer cases is no gate). Cases not ok in the
 * baseline, or only in the current run, are listed, never failed. A baseline with no ok case is
 * refused: it would pass anything.
 */
import { relativeSpread } from '../results/stats';
import { UsageError } from '../options/usage_error';
import { caseCalibration } from '../results/case_calibration';
import { caseKey } from '../results/case_key';
import { ResultsFileError } from '../results/read';
import { Calibration, CaseResult, CaseStatus, Mode, ResultsFile } from '../results/schema';

/** A slowdown must exceed this many combined robust standard deviations to count. */
export const NOISE_K = 3;
/** 10%: the default --threshold. */
export const DEFAULT_THRESHOLD = 0.1;

export type Verdict =
  | 'regression'
  | 'broken'
  | 'faster'
  | 'within noise'
  | 'within threshold'
  | 'missing in baseline'
  | 'missing in current'
  | 'not ok in baseline'
  | 'not ok in both';

/** A results file and the path that names it in messages. */
export interface NamedRun {
  path: string;
  results: ResultsFile;
}

/** One side of a case: its status, and for an ok case the raw and normalised median and the spread. */
export interface Side {
  status: CaseStatus | 'missing';
  median_ms: number | null;
  /** median_ms / the run's calibration median_ms. */
  normalised: number | null;
  /** s(samples): robust relative standard deviation of the repeats. */
  spread: number | null;
  /** s of the calibration the case is divided by. */
  calibration_spread: number | null;
}

export interface CaseComparison {
  model: string;
  mode: Mode;
  seq_len: number;
  baseline: Side;
  current: Side;
  /** r = m_c / m_b - 1; null unless ok on both sides. */
  change: number | null;
  /** u, the combined relative noise; null unless ok on both sides. */
  noise: number | null;
  verdict: Verdict;
}

export interface RunSummary {
  path: string;
  run_id: string;
  cpu_model: string;
  backend: string;
  calibration: string;
  calibration_ms: number;
  calibration_spread: number;
}

export interface RegressReport {
  threshold: number;
  noise_k: number;
  baseline: RunSummary;
  current: RunSummary;
  /** current calibration / baseline calibration: how much slower the current machine is. */
  machine_factor: number;
  cases: CaseComparison[];
  regressions: number;
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

function requireCalibration(cal: Calibration | null | undefined, path: string): asserts cal is Calibration {
  if (cal === null || cal === undefined) {
    throw new ResultsFileError(
      path,
      `${path} has no calibration measurement; bsbr regress divides every timing by the calibration matmul that bsbr compare records in each run (re-run bsbr compare to get one)`,
    );
  }
  if (!positive(cal.median_ms) || !Array.isArray(cal.samples_ms) || !cal.samples_ms.every(positive)) {
    throw new ResultsFileError(path, `${path}: calibration needs a positive median_ms and samples_ms of positive numbers`);
  }
}

/**
 * What identifies a run, with its calibration (and in a merged run each shard's), which is required:
 * without it runs on different machines cannot be compared.
 */
export function runSummary({ path, results }: NamedRun): RunSummary {
  const cal = results.calibration;
  requireCalibration(cal, path);
  for (const shard of results.shards ?? []) requireCalibration(shard.calibration, `${path} (shard run ${shard.run_id})`);
  return {
    path,
    run_id: results.run_id,
    cpu_model: results.environment.cpu_model,
    backend: results.environment.backend,
    calibration: cal.description,
    calibration_ms: cal.median_ms,
    calibration_spread: relativeSpread(cal.samples_ms),
  };
}

/**
 * A run that can serve as a baseline: runSummary's calibration, and at least one ok case (a baseline
 * of failed cases would compare nothing and pass everything).
 */
export function baselineSummary(run: NamedRun): RunSummary {
  const summary = runSummary(run);
  if (!run.results.cases.some((c) => c.status === 'ok')) {
    throw new ResultsFileError(run.path, `${run.path} has no ok case: as a baseline it would compare nothing (take one from a run whose cases were measured)`);
  }
  return summary;
}

/** The cases by (model, mode, seq_len), each once (the reader refuses a file that repeats one). */
function casesByKey({ results }: NamedRun): Map<string, CaseResult> {
  return new Map(results.cases.map((c) => [caseKey(c), c]));
}

/**
 * Runs whose timings mean different things: another backend, thread count, calibration, model config
 * or batch size. Thread counts must match because the calibration matmul gains from threads far more
 * than the models do (much of their time is in small or single-threaded kernels), so normalising by it
 * would not cancel the difference.
 */
function checkComparable(baseline: NamedRun, current: NamedRun): void {
  const b = baseline.results;
  const c = current.results;
  const differ = (what: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      throw new UsageError(
        '--current',
        `the runs are not comparable: ${what} is ${JSON.stringify(x)} in the baseline ${baseline.path} but ${JSON.stringify(y)} in ${current.path} (run the current sweep with the baseline's settings, or refresh the baseline with --update-baseline)`,
      );
    }
  };
  differ('the backend', b.environment.backend, c.environment.backend);
  const threads = (r: ResultsFile) => (r.environment.threads === undefined ? 'not recorded' : r.environment.threads);
  differ('the thread count', threads(b), threads(c));
  differ('the calibration', b.calibration?.description, c.calibration?.description);
  differ('the batch size', b.sweep.batch_size, c.sweep.batch_size);
  const configKeys = new Set([...Object.keys(b.config ?? {}), ...Object.keys(c.config ?? {})]);
  for (const k of configKeys) {
    differ(`the model config's ${k}`, (b.config as unknown as Record<string, unknown>)[k], (c.config as unknown as Record<string, unknown>)[k]);
  }
}

function side(c: CaseResult | undefined, run: NamedRun): Side {
  const none = { median_ms: null, normalised: null, spread: null, calibration_spread: null };
  if (c === undefined) return { status: 'missing', ...none };
  if (c.status !== 'ok') return { status: c.status, ...none };
  const median = c.median_ms as number;
  const calibration = caseCalibration(run.results, c) as Calibration;
  return {
    status: 'ok', median_ms: median, normalised: median / calibration.median_ms, spread: relativeSpread(c.samples_ms),
    calibration_spread: relativeSpread(calibration.samples_ms),
  };
}

function unpairedVerdict(b: Side, c: Side): Verdict {
  if (b.status === 'missing') return 'missing in baseline';
  if (b.status !== 'ok') return c.status === 'ok' || c.status === 'missing' ? 'not ok in baseline' : 'not ok in both';
  return c.status === 'missing' ? 'missing in current' : 'broken';
}

/** Verdicts that fail the job. */
export const FAILING: readonly Verdict[] = ['regression', 'broken', 'missing in current'];

/** The verdict of an ok pair from its change r and noise u (the rule in the file comment). */
export function pairedVerdict(change: number, noise: number, threshold: number): Verdict {
  const size = Math.abs(change);
  if (size <= threshold) return 'within threshold';
  if (size <= NOISE_K * noise) return 'within noise';
  return change > 0 ? 'regression' : 'faster';
}

/**
 * Matches the cases of the two runs by (model, mode, seq_len) and gives each a verdict: every case of
 * the baseline in its order, then those only in the current run. `threshold` is a fraction (0.1 = 10%).
 * Throws ResultsFileError for a file unfit to compare and UsageError for runs that cannot be compared.
 */
export function compareRuns(baseline: NamedRun, current: NamedRun, threshold = DEFAULT_THRESHOLD): RegressReport {
  if (!(threshold >= 0 && Number.isFinite(threshold))) throw new UsageError('--threshold', `the threshold must be a finite number >= 0, not ${threshold}`);
  const base = baselineSummary(baseline);
  const cur = runSummary(current);
  const baseCases = casesByKey(baseline);
  const curCases = casesByKey(current);
  checkComparable(baseline, current);
  if (![...baseCases.keys()].some((k) => curCases.has(k))) {
    throw new UsageError('--current', `the runs have no (model, mode, length) case in common: ${baseline.path} and ${current.path} measured different sweeps`);
  }
  const keys = [...new Set([...baseCases.keys(), ...curCases.keys()])];
  const cases = keys.map((k): CaseComparison => {
    const id = (baseCases.get(k) ?? curCases.get(k)) as CaseResult;
    const b = side(baseCases.get(k), baseline);
    const c = side(curCases.get(k), current);
    const row = { model: id.model, mode: id.mode, seq_len: id.seq_len, baseline: b, current: c };
    if (b.normalised === null || c.normalised === null) return { ...row, change: null, noise: null, verdict: unpairedVerdict(b, c) };
    const change = c.normalised / b.normalised - 1;
    const noise = Math.hypot(b.spread as number, c.spread as number, b.calibration_spread as number, c.calibration_spread as number);
    return { ...row, change, noise, verdict: pairedVerdict(change, noise, threshold) };
  });
  return {
    threshold,
    noise_k: NOISE_K,
    baseline: base,
    current: cur,
    machine_factor: cur.calibration_ms / base.calibration_ms,
    cases,
    regressions: cases.filter((c) => FAILING.includes(c.verdict)).length,
  };
}
