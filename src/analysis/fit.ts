/**
 * Scaling exponents: y = c * n^e fitted as the straight line ln y = ln c + e ln n by ordinary least
 * squares, with R^2 and a 95% confidence interval for e from Student's t with k - 2 degrees of freedom.
 */
import { studentTQuantile } from './student_t';

export interface LineFit {
  slope: number;
  intercept: number;
  /** 1 - SS_res / SS_tot; 1 when every y is equal (the flat line fits exactly). */
  rSquared: number;
  /** Standard error of the slope; null with only 2 points (no residual degrees of freedom). */
  slopeStandardError: number | null;
  /** 95% confidence interval of the slope; null with only 2 points. */
  slopeCi95: [number, number] | null;
  /** sqrt(SS_res / (k - 2)), the scatter of the points about the line; null with only 2 points. */
  residualSd: number | null;
}

export interface PowerLawFit {
  /** How many (n, y) points entered the fit. */
  points: number;
  /** e in y = c n^e: the log-log slope. */
  exponent: number;
  /** ln c in y = c n^e (natural log). */
  logCoefficient: number;
  rSquared: number;
  exponentStandardError: number | null;
  exponentCi95: [number, number] | null;
  /** The scatter of ln y about the fitted line (about the relative scatter of y); null with 2 points. */
  residualSd: number | null;
}

/** Ordinary least squares y = intercept + slope * x over at least 2 points with at least 2 distinct x. */
export function fitLine(x: readonly number[], y: readonly number[]): LineFit {
  const k = x.length;
  if (k !== y.length) throw new Error(`fitLine: ${k} x values but ${y.length} y values`);
  if (k < 2) throw new Error(`fitLine: need at least 2 points, got ${k}`);
  const meanX = x.reduce((s, v) => s + v, 0) / k;
  const meanY = y.reduce((s, v) => s + v, 0) / k;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < k; i++) {
    sxx += (x[i] - meanX) ** 2;
    sxy += (x[i] - meanX) * (y[i] - meanY);
    syy += (y[i] - meanY) ** 2;
  }
  if (sxx === 0) throw new Error('fitLine: every x is the same; no slope can be fitted');
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let ssRes = 0;
  for (let i = 0; i < k; i++) ssRes += (y[i] - intercept - slope * x[i]) ** 2;
  const rSquared = syy === 0 ? 1 : Math.max(0, 1 - ssRes / syy);
  if (k === 2) return { slope, intercept, rSquared, slopeStandardError: null, slopeCi95: null, residualSd: null };
  const df = k - 2;
  const se = Math.sqrt(ssRes / df / sxx);
  const half = studentTQuantile(0.975, df) * se;
  return {
    slope,
    intercept,
    rSquared,
    slopeStandardError: se,
    slopeCi95: [slope - half, slope + half],
    residualSd: Math.sqrt(ssRes / df),
  };
}

/** Fits y = c n^e on log-log axes; every n and y must be positive. */
export function fitPowerLaw(n: readonly number[], y: readonly number[]): PowerLawFit {
  for (const [name, values] of [
    ['n', n],
    ['y', y],
  ] as const) {
    const bad = values.find((v) => !(v > 0 && Number.isFinite(v)));
    if (bad !== undefined) throw new Error(`fitPowerLaw: every ${name} must be a positive number, got ${bad}`);
  }
  const line = fitLine(n.map(Math.log), y.map(Math.log));
  return {
    points: n.length,
    exponent: line.slope,
    logCoefficient: line.intercept,
    rSquared: line.rSquared,
    exponentStandardError: line.slopeStandardError,
    exponentCi95: line.slopeCi95,
    residualSd: line.residualSd,
  };
}

/** The fitted curve's value c n^e at n. */
export function powerLawAt(fit: PowerLawFit, n: number): number {
  return Math.exp(fit.logCoefficient + fit.exponent * Math.log(n));
}
