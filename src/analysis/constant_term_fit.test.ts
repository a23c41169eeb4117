import { EXPONENT_RANGE, fitConstantTerm } from './constant_term_fit';
import { fitPowerLaw } from './fit';

const lengths = [64, 128, 256, 512, 1024];

describe('fitConstantTerm: t = a + b n^e', () => {
  test('recovers a quadratic under a fixed cost that pulls the log-log exponent far under 2', () => {
    const t = lengths.map((n) => 20 + 1e-4 * n ** 2);
    expect(fitPowerLaw(lengths, t).exponent).toBeLessThan(1.2);
    const fit = fitConstantTerm(lengths, t);
    expect(fit.exponent).toBeCloseTo(2, 2);
    expect(fit.constant).toBeCloseTo(20, 1);
    expect(fit.coefficient).toBeCloseTo(1e-4, 6);
    // Exact data: the interval is the grid point itself.
    expect(fit.exponentCi95![1] - fit.exponentCi95![0]).toBeLessThanOrEqual(2 * EXPONENT_RANGE.step);
  });

  test('with noise the interval is wider and holds the true exponent', () => {
    const noise = [1.03, 0.97, 1.02, 0.98, 1.01];
    const fit = fitConstantTerm(
      lengths,
      lengths.map((n, i) => (5 + 0.02 * n) * noise[i]),
    );
    expect(fit.exponentCi95![0]).toBeLessThan(1);
    expect(fit.exponentCi95![1]).toBeGreaterThan(1);
    expect(fit.exponentCi95![1] - fit.exponentCi95![0]).toBeGreaterThan(0.05);
  });

  test('a pure power law needs no constant: a = 0', () => {
    const fit = fitConstantTerm(
      lengths,
      lengths.map((n) => 3 * n ** 1.5),
    );
    expect(fit.constant).toBe(0);
    expect(fit.exponent).toBeCloseTo(1.5, 3);
  });

  test('flat data cannot pin e down: the interval spans the scanned range', () => {
    const fit = fitConstantTerm(lengths, [1.0, 1.1, 0.9, 1.05, 0.95]);
    expect(fit.exponentCi95).toEqual([EXPONENT_RANGE.low, EXPONENT_RANGE.high]);
  });

  test('three points fit three parameters exactly: no interval', () => {
    expect(fitConstantTerm([64, 128, 256], [10, 12, 18]).exponentCi95).toBeNull();
  });

  test('refuses fewer than 3 distinct lengths and non-positive values', () => {
    expect(() => fitConstantTerm([64, 64, 128], [1, 2, 3])).toThrow('at least 3 distinct lengths');
    expect(() => fitConstantTerm([64, 128, 256], [1, 0, 3])).toThrow('positive');
  });
});
