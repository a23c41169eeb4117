/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { addVec, dot, headSlice, Mat, NaiveAttention, outer, vecMat, zeros, addMat, scaleVec } from './arrays';

const phi = (x: number[]) => x.map((e) => (e > 0 ? e + 1 : Math.exp(e)));

/**
 * Linear attention straight from architectures.md section 3, with loops: per head,
 * S_t = sum_{s<=t, unmasked} phi(k_s) v_s^T, z_t = sum of those phi(k_s),
 * o_t = phi(q_t)^T S_t / (phi(q_t)^T z_t + 1e-6).
 */
export const naiveLinear: NaiveAttention = (w, prefix, x, mask, config) => {
  const n = x.length;
  const d = headDim(config);
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const out = zeros(n, config.hiddenDim);
  for (let h = 0; h < config.numHeads; h++) {
    const qh = headSlice(q, h, d);
    const kh = headSlice(k, h, d);
    const vh = headSlice(v, h, d);
    for (let t = 0; t < n; t++) {
      let S: Mat = zeros(d, d);
      let z = new Array(d).fill(0);
      for (let s = 0; s <= t; s++) {
        if (mask[s] === 0) continue;
        S = addMat(S, outer(phi(kh[s]), vh[s]));
        z = addVec(z, phi(kh[s]));
      }
      const o = scaleVec(vecMat(phi(qh[t]), S), 1 / (dot(phi(qh[t]), z) + 1e-6));
      for (let j = 0; j < d; j++) out[t][h * d + j] = o[j];
    }
  }
  return w.linear(`${prefix}.out_proj`, out);
};
