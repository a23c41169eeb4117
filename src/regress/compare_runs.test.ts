import { mergeShards } from '../merge/merge_runs';
import { cutIntoShards } from '../merge/testing/shards';
import { caseKey } from '../results/case_key';
import { ResultsFileError } from '../results/read';
import { ResultsFile } from '../results/schema';
import { UsageError } from '../options/usage_error';
import { relativeSpread } from '../results/stats';
import { compareRuns, medianError, NOISE_K, pairedVerdict } from './compare_runs';
import { run, samplesAround, slower, slowerCalibration, sweep, withCaseCalibrations } from './testing/runs';

const named = (results: ResultsFile, path: string) => ({ path, results });
const check = (baseline: ResultsFile, current: ResultsFile, threshold?: number) =>
  compareRuns(named(baseline, 'base.json'), named(current, 'cur.json'), threshold);
const verdicts = (report: ReturnType<typeof compareRuns>) =>
  Object.fromEntries(report.cases.map((c) => [`${c.model} ${c.mode} ${c.seq_len}`, c.verdict]));

describe('pairedVerdict', () => {
  it('needs both the threshold and K times the noise to be exceeded for a regression', () => {
    expect(pairedVerdict(0.3, 0.3 / NOISE_K - 0.01, 0.1)).toBe('regression');
    expect(pairedVerdict(-0.3, 0.3 / NOISE_K - 0.01, 0.1)).toBe('faster');
    expect(pairedVerdict(0.05, 0, 0.1)).toBe('within threshold');
    expect(pairedVerdict(0.05, 0.1 / NOISE_K, 0.1)).toBe('within threshold');
  });

  it('is inconclusive, never a pass, when the noise bar exceeds the threshold or is unknown', () => {
    expect(pairedVerdict(0.3, 0.3 / NOISE_K, 0.1)).toBe('inconclusive');
    expect(pairedVerdict(0, 0.1 / NOISE_K + 0.001, 0.1)).toBe('inconclusive');
    expect(pairedVerdict(-0.05, 0.5, 0.1)).toBe('inconclusive');
    expect(pairedVerdict(0, null, 0.1)).toBe('inconclusive');
    expect(pairedVerdict(5, null, 0.1)).toBe('inconclusive');
  });
});

describe('medianError', () => {
  it('is 1.2533 times the robust relative spread over the square root of the repeats, unknown below 3', () => {
    const x = samplesAround(10, 0.2);
    expect(medianError(x)).toBeCloseTo((Math.sqrt(Math.PI / 2) * relativeSpread(x)) / Math.sqrt(5), 12);
    expect(medianError([1, 2])).toBeNull();
  });
});

describe('the three outcomes on synthetic runs', () => {
  const quiet = withCaseCalibrations(run(sweep(0.02)));

  it('identical noise on both sides: a pass', () => {
    const report = check(quiet, withCaseCalibrations(run(sweep(0.02))));
    expect(report.outcome).toBe('pass');
    expect(new Set(Object.values(verdicts(report)))).toEqual(new Set(['within threshold']));
  });

  it('a 2x regression under low noise: a regression', () => {
    const report = check(
      quiet,
      slower(quiet, 2, (c) => c.model === 'BSBR'),
    );
    expect(report.outcome).toBe('regression');
    expect(report.regressions).toBe(4);
    expect(
      report.cases
        .filter((c) => c.model === 'BSBR')
        .every((c) => c.verdict === 'regression' && Math.abs(c.change! - 1) < 1e-9),
    ).toBe(true);
  });

  it('a loaded machine (noise bars about ±100%): inconclusive, whether nothing changed, a 2x regression, or all looks faster', () => {
    const loaded = (factor: number) => withCaseCalibrations(slower(run(sweep(0.85)), factor), 60);
    for (const factor of [1, 2, 0.8]) {
      const report = check(quiet, loaded(factor));
      expect(report.outcome).toBe('inconclusive');
      expect(report.regressions).toBe(0);
      expect(report.inconclusive).toBe(12);
      for (const c of report.cases) expect(NOISE_K * c.noise!).toBeGreaterThan(1);
    }
  });
});

describe('per-case calibrations', () => {
  it('divide each case by its own: load that slowed some cases and their calibrations alike is no regression', () => {
    const base = withCaseCalibrations(run(sweep()));
    const hit = (c: { seq_len: number }) => c.seq_len === 512;
    const current = withCaseCalibrations(slower(run(sweep()), 1.6, hit), 20, 0.02, (c) => (hit(c) ? 1.6 : 1));
    const report = check(base, current);
    expect(report.outcome).toBe('pass');
    expect(report.cases.every((c) => c.normalised_by === 'case' && Math.abs(c.change!) < 1e-9)).toBe(true);
    expect(report.current.calibration_drift).toBeCloseTo(0.6, 9);
    expect(report.baseline.calibration_drift).toBeCloseTo(0, 9);
    // The same run divided by the run's calibration alone (no per-case ones): the hit cases regress.
    const runOnly = check(run(sweep()), slower(run(sweep()), 1.6, hit));
    expect(runOnly.regressions).toBe(6);
  });

  it('fall back to the run calibrations on both sides when one side has none', () => {
    const report = check(run(sweep()), withCaseCalibrations(run(sweep()), 40));
    expect(report.cases.every((c) => c.normalised_by === 'run' && Math.abs(c.change!) < 1e-9)).toBe(true);
    expect(report.baseline.calibration_drift).toBeNull();
  });
});

describe('compareRuns', () => {
  const baseline = run(sweep());

  it('passes identical runs, every case within threshold with no change', () => {
    const report = check(baseline, run(sweep()));
    expect(report.regressions).toBe(0);
    expect(report.cases).toHaveLength(12);
    for (const c of report.cases) {
      expect(c.verdict).toBe('within threshold');
      expect(c.change).toBeCloseTo(0, 12);
    }
  });

  it('fails one model made 30% slower, naming exactly its cases', () => {
    const report = check(
      baseline,
      slower(baseline, 1.3, (c) => c.model === 'Linear'),
    );
    expect(report.regressions).toBe(4);
    for (const c of report.cases) {
      expect(c.verdict).toBe(c.model === 'Linear' ? 'regression' : 'within threshold');
      if (c.model === 'Linear') expect(c.change).toBeCloseTo(0.3, 10);
    }
  });

  it('passes every case 30% slower together with the calibration (a slower machine), but not without it', () => {
    const slowMachine = slowerCalibration(slower(baseline, 1.3), 1.3);
    const report = check(baseline, slowMachine);
    expect(report.regressions).toBe(0);
    expect(report.machine_factor).toBeCloseTo(1.3, 12);
    expect(check(baseline, slower(baseline, 1.3)).regressions).toBe(12);
  });

  it('calls a slowdown over the threshold that the noise covers inconclusive, and a regression when the repeats are tight', () => {
    const noisy = run(sweep(0.3));
    const report = check(noisy, slower(noisy, 1.2));
    expect(report.regressions).toBe(0);
    expect(report.outcome).toBe('inconclusive');
    expect(new Set(Object.values(verdicts(report)))).toEqual(new Set(['inconclusive']));
    expect(check(baseline, slower(baseline, 1.2)).regressions).toBe(12);
  });

  it('counts the calibration spread as noise', () => {
    const cases = sweep();
    const noisyCalibration = run(cases, 20, 0.6);
    expect(check(noisyCalibration, slower(noisyCalibration, 1.3)).outcome).toBe('inconclusive');
    expect(check(run(cases, 20, 0.02), slower(run(cases, 20, 0.02), 1.3)).regressions).toBe(12);
  });

  it("combines the four medians' errors in quadrature", () => {
    const b = run([{ model: 'GAU', seq_len: 64, spread: 0.1 }], 20, 0.2);
    const c = run([{ model: 'GAU', seq_len: 64, spread: 0.3 }], 20, 0.4);
    const e = (half: number) => medianError(samplesAround(1, half))!;
    expect(check(b, c).cases[0].noise).toBeCloseTo(Math.hypot(e(0.1), e(0.3), e(0.2), e(0.4)), 12);
  });

  it('applies --threshold: a 5% slowdown passes at 10% and regresses at 2%', () => {
    const tight = run(sweep(0.005), 20, 0.005);
    const current = slower(tight, 1.05);
    expect(check(tight, current, 0.1).regressions).toBe(0);
    expect(check(tight, current, 0.02).regressions).toBe(12);
  });

  it('calls a clear speed-up faster', () => {
    expect(new Set(Object.values(verdicts(check(baseline, slower(baseline, 0.7)))))).toEqual(new Set(['faster']));
  });

  it('fails cases ok in the baseline that broke or are missing now; lists the others without failing them', () => {
    const b = run([
      { model: 'BSBR', seq_len: 64 },
      { model: 'BSBR', seq_len: 128 },
      { model: 'GAU', seq_len: 64, status: 'error' },
      { model: 'GAU', seq_len: 128 },
      { model: 'Hopfield', seq_len: 64, status: 'skipped' },
    ]);
    const c = run([
      { model: 'BSBR', seq_len: 64, median_ms: 30 },
      { model: 'GAU', seq_len: 64 },
      { model: 'GAU', seq_len: 128, status: 'error' },
      { model: 'Hopfield', seq_len: 64, status: 'error' },
      { model: 'Linear', seq_len: 64 },
    ]);
    const report = check(b, c);
    expect(verdicts(report)).toEqual({
      'BSBR forward 64': 'regression',
      'BSBR forward 128': 'missing in current',
      'GAU forward 64': 'not ok in baseline',
      'GAU forward 128': 'broken',
      'Hopfield forward 64': 'not ok in both',
      'Linear forward 64': 'missing in baseline',
    });
    // The slower BSBR case, the BSBR case the current run lacks and the GAU case that broke fail; the rest are only listed.
    expect(report.regressions).toBe(3);
    const gau = report.cases.find((x) => x.model === 'GAU' && x.seq_len === 64)!;
    expect(gau.baseline.status).toBe('error');
    expect(gau.change).toBeNull();
  });

  it('requires a calibration on both sides', () => {
    const none = { ...baseline, calibration: null };
    expect(() => check(baseline, none)).toThrow(ResultsFileError);
    expect(() => check(none, baseline)).toThrow(/base\.json has no calibration measurement/);
  });

  it("rejects runs that are not comparable or share no case, naming every difference and the baseline's command", () => {
    const otherBackend = { ...baseline, environment: { ...baseline.environment, backend: 'cpu' } };
    expect(() => check(baseline, otherBackend)).toThrow(
      /not comparable \(1 difference\): backend: "wasm" in the baseline, "cpu" in the current run\./,
    );
    const threads = (n: number) => ({ ...baseline, environment: { ...baseline.environment, threads: n } });
    expect(() => check(threads(1), threads(2))).toThrow(/threads: 1 in the baseline, 2 in the current run/);
    expect(() => check(baseline, threads(2))).toThrow(/threads: not recorded in the baseline, 2 in the current run/);
    expect(check(threads(2), threads(2)).regressions).toBe(0);
    const rule = (t: number | null) => ({ ...baseline, sweep: { ...baseline.sweep, threads: t } });
    expect(() => check(rule(null), rule(2))).toThrow(
      /thread rule: "the default rule \(one thread for small cases\)" in the baseline, "--threads 2" in the current run/,
    );
    const made = { ...baseline, command: ['bsbr', 'compare', '--hidden-dim', '256'] };
    const otherConfig = {
      ...baseline,
      config: { ...baseline.config, hiddenDim: 64, numHeads: 2 },
      sweep: { ...baseline.sweep, warmup: 7 },
    };
    let message = '';
    try {
      check(made, otherConfig);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /not comparable \(3 differences\): warm-up calls: 1 in the baseline, 7 in the current run; config hiddenDim: 256 in the baseline, 64 in the current run; config numHeads: 4 in the baseline, 2 in the current run\. Run the current sweep as the baseline was made: bsbr compare --hidden-dim 256/,
    );
    expect(() => check(baseline, run([{ model: 'GAU', seq_len: 4096 }]))).toThrow(UsageError);
  });

  it('fails a current run that lacks most of the baseline (an interrupted sweep)', () => {
    const report = check(baseline, { ...baseline, cases: baseline.cases.slice(0, 2) });
    expect(report.regressions).toBe(10);
    expect(Object.values(verdicts(report)).filter((v) => v === 'missing in current')).toHaveLength(10);
  });

  it('refuses a baseline without an ok case: it would compare nothing and pass anything', () => {
    const failed = { ...baseline, cases: baseline.cases.map((c) => ({ ...c, status: 'error' as const })) };
    expect(() => check(failed, baseline)).toThrow(ResultsFileError);
    expect(() => check(failed, baseline)).toThrow('base.json has no ok case: as a baseline it would compare nothing');
  });

  it('rejects a negative threshold', () => {
    expect(() => check(baseline, baseline, -0.1)).toThrow(UsageError);
  });
});

describe('a merged run (bsbr merge)', () => {
  const baseline = run(sweep());
  const shards = cutIntoShards(baseline, 4);
  const mergedWith = (second: ResultsFile) =>
    mergeShards([shards[0], { dir: 'shard-2', results: second }, shards[2], shards[3]], {
      allowPartial: false,
      runId: 'merged',
      command: [],
      now: new Date(0),
    }).results;
  const secondKeys = new Set(shards[1].results.cases.map(caseKey));

  it("divides each case by its own shard's calibration: a shard on a machine twice as slow is no regression", () => {
    const merged = mergedWith(slowerCalibration(slower(shards[1].results, 2), 2));
    for (const [b, c] of [
      [baseline, merged],
      [merged, baseline],
    ]) {
      const report = check(b, c);
      expect(report.regressions).toBe(0);
      expect(report.cases.every((x) => x.change !== null && Math.abs(x.change) < 1e-12)).toBe(true);
    }
  });

  it("a shard whose cases are slower than its calibration says fails exactly that shard's cases", () => {
    const report = check(baseline, mergedWith(slower(shards[1].results, 2)));
    expect(report.regressions).toBe(secondKeys.size);
    for (const c of report.cases)
      expect(c.verdict).toBe(secondKeys.has(caseKey(c)) ? 'regression' : 'within threshold');
  });

  it('a shard without a usable calibration is refused', () => {
    const merged = mergedWith(shards[1].results);
    const broken = { ...merged, shards: merged.shards!.map((s, i) => (i === 1 ? { ...s, calibration: null } : s)) };
    expect(() => check(baseline, broken)).toThrow(
      new RegExp(`cur.json \\(shard run ${shards[1].results.run_id}\\) has no calibration measurement`),
    );
  });
});
