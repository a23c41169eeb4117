/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { dot, headSlice, Mat, NaiveAttention, outer, Vec, zeros, addMat, matVec, scaleVec } from './arrays';

const normalize = (x: Vec): Vec => scaleVec(x, 1 / Math.max(Math.sqrt(dot(x, x)), 1e-12));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The delta rule token by token for one head: S_0 = 0, S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T,
 * o_t = S_t q_t, with S [value][key]. Tokens with write[t] false leave S unchanged.
 */
function deltaRecurrence(q: Mat, k: Mat, v: Mat, beta: Vec, write: boolean[]): Mat {
  let S = zeros(v[0].length, k[0].length);
  return q.map((qt, t) => {
    if (write[t]) {
      const error = matVec(S, k[t]).map((p, i) => v[t][i] - p);
      S = addMat(S, outer(scaleVec(error, beta[t]), k[t]));
    }
    return matVec(S, qt);
  });
}

/** DeltaNet straight from architectures.md section 4, per head, in float64. */
export const naiveDeltaNet: NaiveAttention = (w, prefix, x, mask, config) => {
  const H = config.numHeads;
  const d = headDim(config);
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const learned = config.learnedBeta ? w.linear(`${prefix}.beta_proj`, x) : null;
  const out = zeros(x.length, config.hiddenDim);
  for (let h = 0; h < H; h++) {
    const beta = x.map((_, t) => (learned ? sigmoid(learned[t][h]) : config.beta));
    const o = deltaRecurrence(
      headSlice(q, h, d).map(normalize), headSlice(k, h, d).map(normalize), headSlice(v, h, d), beta, mask.map((m) => m !== 0),
    );
    o.forEach((row, t) => row.forEach((value, i) => { out[t][h * d + i] = value; }));
  }
  return w.linear(`${prefix}.out_proj`, out);
};
