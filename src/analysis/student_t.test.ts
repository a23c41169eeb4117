import { regularizedIncompleteBeta, studentTCdf, studentTQuantile } from './student_t';

describe('Student t quantile', () => {
  it('matches the two-sided 95% critical values of the t table', () => {
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('matches other levels and tends to the normal quantile', () => {
    expect(studentTQuantile(0.995, 5)).toBeCloseTo(4.032, 3);
    expect(studentTQuantile(0.95, 8)).toBeCloseTo(1.86, 3);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.95996, 4);
  });

  it('is antisymmetric about p = 0.5 and inverts the CDF', () => {
    expect(studentTQuantile(0.5, 7)).toBeCloseTo(0, 9);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-studentTQuantile(0.975, 4), 9);
    for (const df of [1, 2.5, 9, 40]) {
      for (const p of [0.01, 0.3, 0.9, 0.999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
    }
  });

  it('CDF: Cauchy at df = 1 and the incomplete beta closed forms', () => {
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12); // 1/2 + atan(1)/pi
    expect(studentTCdf(-2, 1)).toBeCloseTo(0.5 - Math.atan(2) / Math.PI, 12);
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedIncompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12); // x^a when b = 1
  });

  it('rejects p outside (0, 1) and non-positive df', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
  });
});
