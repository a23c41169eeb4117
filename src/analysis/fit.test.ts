import { fitLine, fitPowerLaw, powerLawAt } from './fit';

/** Deterministic standard normal draws (mulberry32 + Box-Muller). */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const LENGTHS = [64, 128, 256, 512, 1024, 2048];

describe('fitPowerLaw', () => {
  it('recovers t = 3 n^2 exactly: exponent 2.00, R^2 = 1, coefficient 3, a zero-width interval', () => {
    const fit = fitPowerLaw(
      LENGTHS,
      LENGTHS.map((n) => 3 * n ** 2),
    );
    expect(fit.points).toBe(6);
    expect(fit.exponent.toFixed(2)).toBe('2.00');
    expect(fit.exponent).toBeCloseTo(2, 10);
    expect(fit.rSquared).toBeCloseTo(1, 12);
    expect(Math.exp(fit.logCoefficient)).toBeCloseTo(3, 8);
    expect(fit.exponentCi95![1] - fit.exponentCi95![0]).toBeLessThan(1e-6);
    expect(powerLawAt(fit, 4096)).toBeCloseTo(3 * 4096 ** 2, -2);
  });

  it('recovers a noisy n^1.5 inside its 95% interval, which excludes 1 and 2', () => {
    const noise = normals(7);
    const fit = fitPowerLaw(
      LENGTHS,
      LENGTHS.map((n) => 0.01 * n ** 1.5 * Math.exp(0.05 * noise())),
    );
    const [low, high] = fit.exponentCi95!;
    expect(low).toBeLessThan(1.5);
    expect(high).toBeGreaterThan(1.5);
    expect(low).toBeGreaterThan(1);
    expect(high).toBeLessThan(2);
    expect(fit.rSquared).toBeGreaterThan(0.99);
    expect(fit.rSquared).toBeLessThan(1);
  });

  it('has 95% intervals that cover the true exponent about 95% of the time', () => {
    const noise = normals(11);
    const trials = 2000;
    let covered = 0;
    for (let i = 0; i < trials; i++) {
      const lengths = LENGTHS.slice(0, 3 + (i % 4)); // 1 to 4 degrees of freedom
      const [low, high] = fitPowerLaw(
        lengths,
        lengths.map((n) => 2 * n * Math.exp(0.2 * noise())),
      ).exponentCi95!;
      if (low <= 1 && 1 <= high) covered += 1;
    }
    // Binomial(2000, 0.95) has standard deviation ~0.005: this band is about 4 of them each side.
    expect(covered / trials).toBeGreaterThan(0.93);
    expect(covered / trials).toBeLessThan(0.97);
  });

  it('gives no interval with exactly 2 points (no residual degrees of freedom)', () => {
    const fit = fitPowerLaw([100, 200], [5, 20]);
    expect(fit.exponent).toBeCloseTo(2, 12);
    expect(fit.rSquared).toBe(1);
    expect(fit.exponentCi95).toBeNull();
    expect(fit.exponentStandardError).toBeNull();
    expect(fit.residualSd).toBeNull();
  });

  it('rejects fewer than 2 points, a single length and non-positive values', () => {
    expect(() => fitPowerLaw([64], [1])).toThrow(/at least 2 points/);
    expect(() => fitPowerLaw([64, 64], [1, 2])).toThrow(/every x is the same/);
    expect(() => fitPowerLaw([64, 128], [1, 0])).toThrow(/positive/);
  });
});

describe('fitLine', () => {
  it('matches a hand-worked regression: slope 0.5, R^2 0.25, standard error sqrt(0.75)', () => {
    // y = 1, 3, 2 at x = 1, 2, 3: fitted 1.5, 2, 2.5; SS_res = 1.5, SS_tot = 2, Sxx = 2.
    const fit = fitLine([1, 2, 3], [1, 3, 2]);
    expect(fit.slope).toBeCloseTo(0.5, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.rSquared).toBeCloseTo(0.25, 12);
    expect(fit.slopeStandardError).toBeCloseTo(Math.sqrt(0.75), 12);
    expect(fit.residualSd).toBeCloseTo(Math.sqrt(1.5 / 1), 12);
    expect(fit.slopeCi95![1]).toBeCloseTo(0.5 + 12.7062 * Math.sqrt(0.75), 3);
  });

  it('calls a flat line through equal values a perfect fit', () => {
    const fit = fitLine([1, 2, 3], [4, 4, 4]);
    expect(fit.slope).toBe(0);
    expect(fit.rSquared).toBe(1);
  });
});
