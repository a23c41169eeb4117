import { syntheticCase, syntheticResults } from '../analysis/testing/synthetic';
import { fitPowerLaw } from '../analysis/fit';
import { calibrationWarnings, caseWarnings, fitWarnings, foreignLoad, runWarnings } from './warnings';

const run = syntheticResults([]);
const withSamples = (samples_ms: number[], extra = {}) => ({
  ...syntheticCase({ model: 'BSBR', seq_len: 64 }),
  samples_ms,
  ...extra,
});

describe('caseWarnings', () => {
  test('none for steady repeats on an idle machine', () => {
    expect(caseWarnings(withSamples([10, 10.2, 9.9, 10.1, 10]), run)).toEqual([]);
  });

  test('a robust spread over 10%, and a slowest repeat over 2x the fastest', () => {
    expect(caseWarnings(withSamples([8, 10, 12, 9, 11]), run)).toEqual(['noisy: repeats spread ±15% (robust sd)']);
    expect(caseWarnings(withSamples([10, 10, 10, 10, 35]), run)).toEqual(['noisy: slowest repeat 3.5x the fastest']);
    expect(caseWarnings(withSamples([10, 14, 10, 6, 25]), run)).toEqual([
      'noisy: repeats spread ±59% (robust sd), slowest repeat 4.2x the fastest',
    ]);
  });

  test("never the machine's load: that is said once for the run (runWarnings)", () => {
    expect(caseWarnings(withSamples([10, 10], { load_before: 40, load_after: 40 }), run)).toEqual([]);
  });

  test('adaptive runs: an interval that stayed wider than --target-ci', () => {
    const adaptive = { ...run, sweep: { ...run.sweep, adaptive: { target_ci: 0.01, max_repeats: 6, budget_s: 30 } } };
    expect(caseWarnings(withSamples([10, 10, 10, 10, 10, 10.5]), adaptive)).toEqual([
      '95% interval of the median ±5.0%, above --target-ci 1.0%',
    ]);
    expect(caseWarnings(withSamples([10, 10, 10, 10, 10, 10]), adaptive)).toEqual([]);
  });

  test('nothing for a case that was not measured', () => {
    expect(caseWarnings(syntheticCase({ model: 'BSBR', seq_len: 64, status: 'error' }), run)).toEqual([]);
  });
});

test('calibrationWarnings: the same noise rules', () => {
  expect(calibrationWarnings({ ...run.calibration!, samples_ms: [50, 50, 50, 150] })).toEqual([
    'noisy: slowest repeat 3.0x the fastest',
  ]);
});

test('foreignLoad: the larger load average less our own threads, never below 0', () => {
  expect(foreignLoad(2.4, 1.9, 2)).toBeCloseTo(0.4, 12);
  expect(foreignLoad(null, 0.5, 2)).toBe(0);
  expect(foreignLoad(null, undefined, 2)).toBeNull();
});

describe('runWarnings', () => {
  /** A run on 2 CPUs whose cases ran on `threads` threads with the given load averages around them. */
  const loaded = (loads: number[], threads = 2, runThreads = 2) => {
    const cases = loads.map((l, i) => ({
      ...withSamples([10, 10.1, 9.9], { load_before: l, load_after: l, threads }),
      seq_len: 64 * (i + 1),
    }));
    const results = syntheticResults(cases);
    return {
      ...results,
      environment: { ...results.environment, cpu_count: 2, threads: runThreads },
      calibration: { ...results.calibration!, load_before: 0.1, load_after: 0.2 },
    };
  };

  test('our own threads keeping every core busy are no busy machine', () => {
    expect(runWarnings(loaded([2.4, 2.6, 2.9]))).toEqual([]);
  });

  test('load not ours of a core or more: one warning for the run, counting the cases it reached, suggesting --threads 1', () => {
    const warnings = runWarnings(loaded([2.4, 3.5, 4.2]));
    expect(warnings).toEqual([
      "busy machine: other processes' load (the load average less this run's own threads) reached 2.2 on 2 CPUs, around 2 of 3 cases: " +
        'timings are slower and noisier than on an idle machine; with --threads 1 each case would compete for one core, not 2',
    ]);
    expect(runWarnings(loaded([2, 2, 2.2], 1, 1))).toEqual([
      "busy machine: other processes' load (the load average less this run's own threads) reached 1.2 on 2 CPUs, around 3 of 3 cases: timings are slower and noisier than on an idle machine",
    ]);
  });

  test('more threads than CPUs', () => {
    expect(runWarnings(loaded([0.5], 4, 4))).toEqual([
      '4 threads on 2 CPUs: threads beyond the CPUs take turns on them, which slows every case (--threads 2 or fewer)',
    ]);
  });
});

describe('fitWarnings', () => {
  const n = [64, 128, 256, 512, 1024];
  test('a low R^2 with points scattered about the line', () => {
    const [warning] = fitWarnings(fitPowerLaw(n, [10, 30, 12, 40, 25]));
    expect(warning).toMatch(/^poor fit: R\^2 0\.\d\d, points scatter ±\d+% about the line$/);
  });

  test('not for a flat series: its R^2 is low but its points sit on the line', () => {
    const flat = fitPowerLaw(n, [1.0, 1.01, 0.99, 1.0, 1.01]);
    expect(flat.rSquared).toBeLessThan(0.9);
    expect(fitWarnings(flat)).toEqual([]);
  });

  test('not for two points or a good fit', () => {
    expect(fitWarnings(fitPowerLaw([64, 128], [10, 30]))).toEqual([]);
    expect(
      fitWarnings(
        fitPowerLaw(
          n,
          n.map((x) => x ** 1.5),
        ),
      ),
    ).toEqual([]);
    expect(fitWarnings(null)).toEqual([]);
  });
});
