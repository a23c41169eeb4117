/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import {
  addMat,
  addVec,
  dot,
  Mat,
  multiHead,
  NaiveAttention,
  outer,
  QKV,
  scaleVec,
  vecMat,
  Vec,
  zeros,
} from './arrays';

/** phi(x) = elu(x) + 1. */
export const phi = (x: Vec): Vec => x.map((e) => (e > 0 ? e + 1 : Math.exp(e)));

/** The sums of linear attention: S = sum phi(k_s) v_s^T [key feature][value feature], z = sum phi(k_s). */
export interface LinearSums {
  S: Mat;
  z: Vec;
}

/**
 * Linear attention of one head (architectures.md section 3) on features q = phi(q), k = phi(k) [n][d],
 * values v [n][d], valid [n] (0 for padding), after `initial` sums (none: zeros):
 * S_t = S_initial + sum_{s<=t, valid} k_s v_s^T, z_t likewise, o_t = q_t^T S_t / (q_t . z_t + 1e-6).
 * Returns the outputs and the sums after the last token.
 */
export function linearReference(
  q: Mat,
  k: Mat,
  v: Mat,
  valid: Vec,
  initial?: LinearSums,
): { output: Mat; sums: LinearSums } {
  let S = initial?.S ?? zeros(k[0].length, v[0].length);
  let z = initial?.z ?? new Array(k[0].length).fill(0);
  const output = q.map((qt, t) => {
    if (valid[t] !== 0) {
      S = addMat(S, outer(k[t], v[t]));
      z = addVec(z, k[t]);
    }
    return scaleVec(vecMat(qt, S), 1 / (dot(qt, z) + 1e-6));
  });
  return { output, sums: { S, z } };
}

export const naiveLinear: NaiveAttention = (w, prefix, x, mask, config) =>
  multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v]) => linearReference(q.map(phi), k.map(phi), v, mask).output);
