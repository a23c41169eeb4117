/**
 * t = a + b n^e with a >= 0 and b >= 0: a power law on top of a fixed cost per call, so that the
 * exponent is not pulled under the theory's by what every call pays whatever n is (dispatch,
 * bookkeeping, small-matrix overheads). The log-log fit (fit.ts) has no such term.
 *
 * Relative least squares, as the log-log fit weighs points: minimise S = sum ((t_i - a - b n_i^e) / t_i)^2.
 * For a fixed e the best a, b solve a 2 x 2 least-squares problem (with a or b held at 0 where the
 * free solution is negative), so e is found by scanning S(e) over [0, 4] in steps of 0.001.
 * 95% interval of e: the profile interval {e : S(e) <= S_min (1 + F(1, k-3) / (k-3))} with
 * F(1, df) = t(0.975, df)^2 (Bates and Watts 1988, section 6.1); it needs k >= 4 points. An end at 0
 * or 4 means the interval runs to the end of the scanned range: the data cannot pin e down.
 */
import { studentTQuantile } from './student_t';

/** The scanned exponents: [0, 4] in steps of 0.001. */
export const EXPONENT_RANGE = { low: 0, high: 4, step: 0.001 } as const;

export interface ConstantTermFit {
  points: number;
  exponent: number;
  /** a: the fixed cost per call, in the unit of t. */
  constant: number;
  /** b in t = a + b n^e. */
  coefficient: number;
  /** Null with 3 points (3 parameters fit them exactly). */
  exponentCi95: [number, number] | null;
}

interface Solution {
  a: number;
  b: number;
  /** The sum of squared relative residuals. */
  s: number;
}

/** The best a, b >= 0 for a fixed exponent. */
function solveAt(e: number, n: readonly number[], t: readonly number[]): Solution {
  // Relative residual r_i = 1 - a u_i - b v_i with u_i = 1 / t_i and v_i = n_i^e / t_i.
  const u = t.map((ti) => 1 / ti);
  const v = n.map((ni, i) => ni ** e / t[i]);
  const dot = (x: readonly number[], y: readonly number[]) => x.reduce((sum, xi, i) => sum + xi * y[i], 0);
  const [uu, uv, vv, su, sv] = [
    dot(u, u),
    dot(u, v),
    dot(v, v),
    u.reduce((a, b) => a + b, 0),
    v.reduce((a, b) => a + b, 0),
  ];
  const residual = (a: number, b: number): Solution => ({
    a,
    b,
    s: u.reduce((sum, ui, i) => sum + (1 - a * ui - b * v[i]) ** 2, 0),
  });
  const candidates = [residual(0, sv / vv), residual(su / uu, 0)];
  const det = uu * vv - uv * uv;
  if (det > 1e-12 * uu * vv) {
    const a = (su * vv - sv * uv) / det;
    const b = (sv * uu - su * uv) / det;
    if (a >= 0 && b >= 0) candidates.push(residual(a, b));
  }
  return candidates.reduce((best, c) => (c.s < best.s ? c : best));
}

/** Fits t = a + b n^e to at least 3 points with at least 3 distinct n; every n and t positive. */
export function fitConstantTerm(n: readonly number[], t: readonly number[]): ConstantTermFit {
  const k = n.length;
  if (k !== t.length || new Set(n).size < 3)
    throw new Error(`fitConstantTerm: needs at least 3 distinct lengths, got ${new Set(n).size}`);
  if (![...n, ...t].every((x) => x > 0 && Number.isFinite(x)))
    throw new Error('fitConstantTerm: every n and t must be a positive number');
  const { low, high, step } = EXPONENT_RANGE;
  const scan = Array.from({ length: Math.round((high - low) / step) + 1 }, (_, i) => {
    const e = Number((low + i * step).toFixed(3)); // exactly the grid point, not its float sum
    return { e, ...solveAt(e, n, t) };
  });
  const best = scan.reduce((b, p) => (p.s < b.s ? p : b));
  let ci: [number, number] | null = null;
  if (k >= 4) {
    const df = k - 3;
    const bound = best.s * (1 + studentTQuantile(0.975, df) ** 2 / df);
    const inside = scan.filter((p) => p.s <= bound).map((p) => p.e);
    ci = [Math.min(...inside), Math.max(...inside)];
  }
  return { points: k, exponent: best.e, constant: best.a, coefficient: best.b, exponentCi95: ci };
}
