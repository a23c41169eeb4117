/**
 * `bsbr regress`'s comparison of a current run against a baseline run (pure: no I/O).
 *
 * Normalisation: each case's median is divided by a calibration median, the fixed matmul `bsbr
 * compare` times on the same backend, m = median_ms / calibration_ms, so that a machine that is
 * uniformly slower or faster changes no verdict. Where both runs timed the calibration again in each
 * case's own worker (right after the case, on its threads), each case is divided by its own: the
 * yardstick then saw the load the case saw. Otherwise (runs from before that) by the run's
 * calibration (in a merged run, the shard's). The per-case calibrations' drift over a run is reported.
 *
 * The rule, for a case that is ok on both sides, with m_b and m_c its normalised medians:
 *   change  r = m_c / m_b - 1
 *   error   e(x) = 1.2533 * s(x) / sqrt(n), the standard error of the median of n repeats x, with
 *           s(x) = 1.4826 * MAD(x) / median(x) their robust relative standard deviation (MAD: median
 *           absolute deviation from the median; 1.2533 = sqrt(pi / 2), the median's efficiency for
 *           normal data); unknown below MIN_SAMPLES repeats
 *   noise   u = sqrt(e(case_b)^2 + e(case_c)^2 + e(cal_b)^2 + e(cal_c)^2), the relative errors of the
 *           four medians in m_c / m_b added in quadrature (first-order error propagation)
 *   regression    r > threshold  and  r > K * u, with K = NOISE_K = 3
 *   faster       -r > threshold  and -r > K * u
 *   inconclusive  otherwise, when K * u > threshold (or u is unknown): a change of the threshold's
 *                 size would not stand out of the noise, so a pass would mean nothing
 *   within threshold  otherwise (|r| <= threshold, measured finely enough to see the threshold).
 * A case ok in the baseline but not ok now (an error, skipped past a limit, a non-finite output) is
 * 'broken', and one the current run lacks is 'missing in current': both fail like a regression (a
 * gate that silently checks fewer cases is no gate). Cases not ok in the baseline, or only in the
 * current run, are listed, never failed. A baseline with no ok case is refused: it would pass anything.
 * The outcome: a regression if any case fails; else inconclusive if any case is; else a pass.
 */
import { largest, relativeSpread, smallest } from '../results/stats';
import { UsageError } from '../options/usage_error';
import { CaseYardstick, ownCalibration, runCalibration } from '../results/case_calibration';
import { caseKey } from '../results/case_key';
import { ResultsFileError } from '../results/read';
import { Calibration, CaseResult, CaseStatus, Mode, ResultsFile } from '../results/schema';

/** A change must exceed this many combined standard errors to count. */
export const NOISE_K = 3;
/** 10%: the default --threshold. */
export const DEFAULT_THRESHOLD = 0.1;
/** Below this many repeats a median's error is not estimated (the case is inconclusive). */
export const MIN_SAMPLES = 3;
/** sqrt(pi / 2): the standard error of a median is this times the standard deviation over sqrt(n). */
const MEDIAN_SE = Math.sqrt(Math.PI / 2);

export type Verdict =
  | 'regression'
  | 'broken'
  | 'faster'
  | 'inconclusive'
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

/** One side of a case: its status, and for an ok case its raw and normalised median and their errors. */
export interface Side {
  status: CaseStatus | 'missing';
  median_ms: number | null;
  /** The calibration median the case is divided by. */
  calibration_ms: number | null;
  /** median_ms / calibration_ms. */
  normalised: number | null;
  /** e(samples): the relative standard error of the median; null below MIN_SAMPLES repeats. */
  error: number | null;
  /** e of the calibration the case is divided by. */
  calibration_error: number | null;
}

export interface CaseComparison {
  model: string;
  mode: Mode;
  seq_len: number;
  baseline: Side;
  current: Side;
  /** Which calibration both sides are divided by: each case's own, or the runs'. */
  normalised_by: 'case' | 'run' | null;
  /** r = m_c / m_b - 1; null unless ok on both sides. */
  change: number | null;
  /** u, the combined relative standard error of the change; null unless ok on both sides with enough repeats. */
  noise: number | null;
  verdict: Verdict;
}

export interface RunSummary {
  path: string;
  run_id: string;
  /** The command that made the run. */
  command: string[];
  cpu_model: string;
  backend: string;
  calibration: string;
  calibration_ms: number;
  calibration_spread: number;
  /**
   * How far the calibrations timed in the cases' workers moved over the run: the largest max / min - 1
   * among cases on the same thread count; null where the run has fewer than two.
   */
  calibration_drift: number | null;
}

export interface RegressReport {
  threshold: number;
  noise_k: number;
  baseline: RunSummary;
  current: RunSummary;
  /** current calibration / baseline calibration: how much slower the current machine is. */
  machine_factor: number;
  cases: CaseComparison[];
  /** Cases that fail: regression, broken or missing in current. */
  regressions: number;
  /** Cases whose noise bar exceeds the threshold. */
  inconclusive: number;
  outcome: 'pass' | 'regression' | 'inconclusive';
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** e(x): the relative standard error of the median of the samples; null below MIN_SAMPLES. */
export function medianError(samples: readonly number[]): number | null {
  return samples.length < MIN_SAMPLES ? null : (MEDIAN_SE * relativeSpread(samples)) / Math.sqrt(samples.length);
}

function requireCalibration(cal: Calibration | null | undefined, path: string): asserts cal is Calibration {
  if (cal === null || cal === undefined) {
    throw new ResultsFileError(
      path,
      `${path} has no calibration measurement; bsbr regress divides every timing by the calibration matmul that bsbr compare records in each run (re-run bsbr compare to get one)`,
    );
  }
  if (!positive(cal.median_ms) || !Array.isArray(cal.samples_ms) || !cal.samples_ms.every(positive)) {
    throw new ResultsFileError(
      path,
      `${path}: calibration needs a positive median_ms and samples_ms of positive numbers`,
    );
  }
}

/** The largest max / min - 1 of the cases' own calibrations among cases on the same thread count. */
function calibrationDrift(results: ResultsFile): number | null {
  const groups = new Map<string, number[]>();
  for (const c of results.cases) {
    const own = ownCalibration(c);
    if (own === null) continue;
    const key = String(c.threads ?? '-');
    groups.set(key, [...(groups.get(key) ?? []), own.median_ms]);
  }
  const drifts = [...groups.values()].filter((g) => g.length >= 2).map((g) => largest(g) / smallest(g) - 1);
  return drifts.length === 0 ? null : largest(drifts);
}

/**
 * What identifies a run, with its calibration (and in a merged run each shard's), which is required:
 * without it runs on different machines cannot be compared.
 */
export function runSummary({ path, results }: NamedRun): RunSummary {
  const cal = results.calibration;
  requireCalibration(cal, path);
  for (const shard of results.shards ?? [])
    requireCalibration(shard.calibration, `${path} (shard run ${shard.run_id})`);
  return {
    path,
    run_id: results.run_id,
    command: results.command,
    cpu_model: results.environment.cpu_model,
    backend: results.environment.backend,
    calibration: cal.description,
    calibration_ms: cal.median_ms,
    calibration_spread: relativeSpread(cal.samples_ms),
    calibration_drift: calibrationDrift(results),
  };
}

/**
 * A run that can serve as a baseline: runSummary's calibration, and at least one ok case (a baseline
 * of failed cases would compare nothing and pass everything).
 */
export function baselineSummary(run: NamedRun): RunSummary {
  const summary = runSummary(run);
  if (!run.results.cases.some((c) => c.status === 'ok')) {
    throw new ResultsFileError(
      run.path,
      `${run.path} has no ok case: as a baseline it would compare nothing (take one from a run whose cases were measured)`,
    );
  }
  return summary;
}

/** The cases by (model, mode, seq_len), each once (the reader refuses a file that repeats one). */
function casesByKey({ results }: NamedRun): Map<string, CaseResult> {
  return new Map(results.cases.map((c) => [caseKey(c), c]));
}

/** --threads as the run recorded it: a count, the default rule, or not recorded (older runs). */
function threadRule(r: ResultsFile): string {
  if (r.sweep.threads === undefined) return 'not recorded';
  return r.sweep.threads === null ? 'the default rule (one thread for small cases)' : `--threads ${r.sweep.threads}`;
}

/**
 * Runs whose timings mean different things: another backend, thread count or thread rule,
 * calibration, batch size, warm-up or model config. Thread counts must match because the
 * calibration matmul gains from threads far more than the models do (much of their time is in
 * small or single-threaded kernels), so normalising by it would not cancel the difference. Every
 * difference is named, with the command that made the baseline.
 */
function checkComparable(baseline: NamedRun, current: NamedRun): void {
  const b = baseline.results;
  const c = current.results;
  const differences: string[] = [];
  const differ = (what: string, x: unknown, y: unknown) => {
    const show = (v: unknown) => (v === undefined ? 'not recorded' : JSON.stringify(v));
    if (JSON.stringify(x) !== JSON.stringify(y))
      differences.push(`${what}: ${show(x)} in the baseline, ${show(y)} in the current run`);
  };
  differ('backend', b.environment.backend, c.environment.backend);
  differ('threads', b.environment.threads, c.environment.threads);
  differ('thread rule', threadRule(b), threadRule(c));
  differ('calibration', b.calibration?.description, c.calibration?.description);
  differ('batch size', b.sweep.batch_size, c.sweep.batch_size);
  differ('warm-up calls', b.sweep.warmup, c.sweep.warmup);
  const configKeys = [...new Set([...Object.keys(b.config ?? {}), ...Object.keys(c.config ?? {})])];
  const field = (config: unknown, k: string) => (config as Record<string, unknown>)[k];
  for (const k of configKeys) differ(`config ${k}`, field(b.config, k), field(c.config, k));
  if (differences.length === 0) return;
  throw new UsageError(
    '--current',
    `the runs are not comparable (${differences.length} difference${differences.length === 1 ? '' : 's'}): ${differences.join('; ')}. ` +
      `Run the current sweep as the baseline was made: ${b.command.join(' ')} (with your own --out), or refresh the baseline with --update-baseline`,
  );
}

/** Both sides' yardsticks: each case's own calibration where both have one, else the runs'. */
function yardsticks(
  b: CaseResult,
  c: CaseResult,
  baseline: NamedRun,
  current: NamedRun,
): [CaseYardstick, CaseYardstick] {
  const ownB = ownCalibration(b);
  const ownC = ownCalibration(c);
  if (ownB && ownC) return [ownB, ownC];
  const run = (results: ResultsFile, x: CaseResult): CaseYardstick => {
    const cal = runCalibration(results, x) as Calibration;
    return { median_ms: cal.median_ms, samples_ms: cal.samples_ms, taken: 'run' };
  };
  return [run(baseline.results, b), run(current.results, c)];
}

const NO_SIDE = { median_ms: null, calibration_ms: null, normalised: null, error: null, calibration_error: null };

function side(c: CaseResult, yardstick: CaseYardstick): Side {
  const median = c.median_ms as number;
  return {
    status: 'ok',
    median_ms: median,
    calibration_ms: yardstick.median_ms,
    normalised: median / yardstick.median_ms,
    error: medianError(c.samples_ms),
    calibration_error: medianError(yardstick.samples_ms),
  };
}

function unpairedSide(c: CaseResult | undefined): Side {
  return { status: c === undefined ? 'missing' : c.status, ...NO_SIDE };
}

function unpairedVerdict(b: Side, c: Side): Verdict {
  if (b.status === 'missing') return 'missing in baseline';
  if (b.status !== 'ok') return c.status === 'ok' || c.status === 'missing' ? 'not ok in baseline' : 'not ok in both';
  return c.status === 'missing' ? 'missing in current' : 'broken';
}

/** Verdicts that fail the job. */
export const FAILING: readonly Verdict[] = ['regression', 'broken', 'missing in current'];

/** The verdict of an ok pair from its change r and noise u (null: unknown), by the rule in the file comment. */
export function pairedVerdict(change: number, noise: number | null, threshold: number): Verdict {
  const size = Math.abs(change);
  if (noise !== null && size > threshold && size > NOISE_K * noise) return change > 0 ? 'regression' : 'faster';
  if (noise === null || NOISE_K * noise > threshold) return 'inconclusive';
  return 'within threshold';
}

/** The change and noise of a case ok on both sides. */
function paired(b: CaseResult, c: CaseResult, baseline: NamedRun, current: NamedRun, threshold: number) {
  const [yb, yc] = yardsticks(b, c, baseline, current);
  const sb = side(b, yb);
  const sc = side(c, yc);
  const errors = [sb.error, sc.error, sb.calibration_error, sc.calibration_error];
  const noise = errors.every((e): e is number => e !== null) ? Math.hypot(...errors) : null;
  const change = (sc.normalised as number) / (sb.normalised as number) - 1;
  return {
    baseline: sb,
    current: sc,
    normalised_by: yb.taken,
    change,
    noise,
    verdict: pairedVerdict(change, noise, threshold),
  };
}

/**
 * Matches the cases of the two runs by (model, mode, seq_len) and gives each a verdict: every case of
 * the baseline in its order, then those only in the current run. `threshold` is a fraction (0.1 = 10%).
 * Throws ResultsFileError for a file unfit to compare and UsageError for runs that cannot be compared.
 */
export function compareRuns(baseline: NamedRun, current: NamedRun, threshold = DEFAULT_THRESHOLD): RegressReport {
  if (!(threshold >= 0 && Number.isFinite(threshold)))
    throw new UsageError('--threshold', `the threshold must be a finite number >= 0, not ${threshold}`);
  const base = baselineSummary(baseline);
  const cur = runSummary(current);
  const baseCases = casesByKey(baseline);
  const curCases = casesByKey(current);
  checkComparable(baseline, current);
  if (![...baseCases.keys()].some((k) => curCases.has(k))) {
    throw new UsageError(
      '--current',
      `the runs have no (model, mode, length) case in common: ${baseline.path} and ${current.path} measured different sweeps`,
    );
  }
  const keys = [...new Set([...baseCases.keys(), ...curCases.keys()])];
  const cases = keys.map((k): CaseComparison => {
    const b = baseCases.get(k);
    const c = curCases.get(k);
    const id = (b ?? c) as CaseResult;
    const row = { model: id.model, mode: id.mode, seq_len: id.seq_len };
    if (b?.status === 'ok' && c?.status === 'ok') return { ...row, ...paired(b, c, baseline, current, threshold) };
    const sides = { baseline: unpairedSide(b), current: unpairedSide(c) };
    return {
      ...row,
      ...sides,
      normalised_by: null,
      change: null,
      noise: null,
      verdict: unpairedVerdict(sides.baseline, sides.current),
    };
  });
  const regressions = cases.filter((c) => FAILING.includes(c.verdict)).length;
  const inconclusive = cases.filter((c) => c.verdict === 'inconclusive').length;
  return {
    threshold,
    noise_k: NOISE_K,
    baseline: base,
    current: cur,
    machine_factor: cur.calibration_ms / base.calibration_ms,
    cases,
    regressions,
    inconclusive,
    outcome: regressions > 0 ? 'regression' : inconclusive > 0 ? 'inconclusive' : 'pass',
  };
}
