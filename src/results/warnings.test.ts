import { syntheticCase, syntheticResults } from '../analysis/testing/synthetic';
import { fitPowerLaw } from '../analysis/fit';
import { calibrationWarnings, caseWarnings, fitWarnings } from './warnings';

const run = syntheticResults([]);
const withSamples = (samples_ms: number[], extra = {}) => ({ ...syntheticCase({ model: 'BSBR', seq_len: 64 }), samples_ms, ...extra });

describe('caseWarnings', () => {
  test('none for steady repeats on an idle machine', () => {
    expect(caseWarnings(withSamples([10, 10.2, 9.9, 10.1, 10]), run)).toEqual([]);
  });

  test('a robust spread over 10%, and a slowest repeat over 2x the fastest', () => {
    expect(caseWarnings(withSamples([8, 10, 12, 9, 11]), run)).toEqual(['noisy: repeats spread ±15% (robust sd)']);
    expect(caseWarnings(withSamples([10, 10, 10, 10, 35]), run)).toEqual(['noisy: slowest repeat 3.5x the fastest']);
    expect(caseWarnings(withSamples([10, 14, 10, 6, 25]), run)).toEqual(['noisy: repeats spread ±59% (robust sd), slowest repeat 4.2x the fastest']);
  });

  test('a load average above the CPU count, before or after', () => {
    const cpus = run.environment.cpu_count;
    expect(caseWarnings(withSamples([10, 10], { load_before: cpus + 0.5, load_after: 0.2 }), run)).toEqual([`busy machine: load average ${(cpus + 0.5).toFixed(1)} on ${cpus} CPUs`]);
    expect(caseWarnings(withSamples([10, 10], { load_before: cpus, load_after: cpus }), run)).toEqual([]);
  });

  test('adaptive runs: an interval that stayed wider than --target-ci', () => {
    const adaptive = { ...run, sweep: { ...run.sweep, adaptive: { target_ci: 0.01, max_repeats: 6, budget_s: 30 } } };
    expect(caseWarnings(withSamples([10, 10, 10, 10, 10, 10.5]), adaptive)).toEqual(['95% interval of the median ±5.0%, above --target-ci 1.0%']);
    expect(caseWarnings(withSamples([10, 10, 10, 10, 10, 10]), adaptive)).toEqual([]);
  });

  test('nothing for a case that was not measured', () => {
    expect(caseWarnings(syntheticCase({ model: 'BSBR', seq_len: 64, status: 'error' }), run)).toEqual([]);
  });
});

test('calibrationWarnings: the same noise and load rules', () => {
  expect(calibrationWarnings({ ...run.calibration!, samples_ms: [50, 50, 50, 150] }, 2)).toEqual(['noisy: slowest repeat 3.0x the fastest']);
  expect(calibrationWarnings({ ...run.calibration!, load_before: 3 }, 2)).toEqual(['busy machine: load average 3.0 on 2 CPUs']);
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
    expect(fitWarnings(fitPowerLaw(n, n.map((x) => x ** 1.5)))).toEqual([]);
    expect(fitWarnings(null)).toEqual([]);
  });
});
