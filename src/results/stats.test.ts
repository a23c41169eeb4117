import { ciHalfWidth, largest, medianCi95, relativeSpread, smallest, summarize } from './stats';

test('median, min, max, mean and the sample standard deviation', () => {
  expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, mean: 2, std: 1 });
  const even = summarize([4, 1, 3, 2]);
  expect(even.median).toBe(2.5);
  expect(even.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
});

test('a single repeat has no spread; no repeats is an error', () => {
  expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, mean: 7, std: 0 });
  expect(() => summarize([])).toThrow('no samples');
});

test('relativeSpread: 1.4826 MAD / median, barely moved by one stray repeat', () => {
  expect(relativeSpread([9, 9.5, 10, 10.5, 11])).toBeCloseTo((1.4826 * 0.5) / 10, 12);
  expect(relativeSpread([9, 9.5, 10, 10.5, 100])).toBeCloseTo((1.4826 * 0.5) / 10, 12);
  expect(relativeSpread([10, 10, 10])).toBe(0);
  expect(relativeSpread([])).toBe(0);
});

describe('medianCi95: order statistics with at least 95% coverage', () => {
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => n - i); // n, n-1, ..., 1: unsorted on purpose

  test('does not exist below 6 samples (5 samples: [min, max] covers 93.75%)', () => {
    expect(medianCi95(ramp(5))).toBeNull();
    expect(medianCi95([])).toBeNull();
  });

  test('is [x(1), x(6)] at 6, [x(2), x(9)] at 10 and [x(6), x(15)] at 20 (the binomial tables)', () => {
    expect(medianCi95(ramp(6))).toEqual([1, 6]);
    expect(medianCi95(ramp(10))).toEqual([2, 9]);
    expect(medianCi95(ramp(20))).toEqual([6, 15]);
  });

  test('covers the true median of a skewed distribution in about 95% of samples, or more', () => {
    // Exponential samples (median ln 2) from a fixed linear congruential generator: deterministic.
    let state = 12345;
    const uniform = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) + 0.5) / 2 ** 31;
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const ci = medianCi95(Array.from({ length: 15 }, () => -Math.log(uniform())))!;
      if (ci[0] <= Math.LN2 && Math.LN2 <= ci[1]) covered += 1;
    }
    // The exact coverage at n = 15 is 96.5%; 2000 trials put the estimate within about 1% of it.
    expect(covered / trials).toBeGreaterThan(0.95);
    expect(covered / trials).toBeLessThan(0.985);
  });

  test('a large sample does not underflow the binomial sum', () => {
    const ci = medianCi95(ramp(2001))!;
    expect(ci[0]).toBeGreaterThan(900);
    expect(ci[1]).toBeLessThan(1102);
    expect(ci[0] + ci[1]).toBe(2002);
  });
});

test('ciHalfWidth: the farther end of the interval from the median, relative to it', () => {
  expect(ciHalfWidth([10, 10, 10, 10, 10, 12])).toBeCloseTo(0.2, 12);
  expect(ciHalfWidth([1, 2, 3])).toBeNull();
});

test('largest and smallest take more values than a call takes arguments (150,000 cases: Math.max(...values) threw)', () => {
  const values = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
  expect(() => Math.max(...values)).toThrow(RangeError);
  expect([largest(values), smallest(values), largest([], 1), smallest([], 2)]).toEqual([499_999, 0, 1, 2]);
});
