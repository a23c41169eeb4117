/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { addVec, Mat, naiveSoftmaxHeads, NaiveAttention, outer, vecMat, zeros, addMat, scaleVec } from './arrays';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * GAU straight from architectures.md section 6, with loops: one head of size E; for t in chunk c,
 * local_t = causal softmax over unmasked s in chunk c, cross_t = q_t^T (sum of k_s v_s^T over unmasked
 * s in chunks before c) / max(1, their count), o_t = out_proj((local_t + cross_t) * sigmoid(g_t)).
 */
export const naiveGAU: NaiveAttention = (w, prefix, x, mask, config) => {
  const B = config.chunkSize;
  const E = config.expansionFactor * config.hiddenDim;
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const g = w.linear(`${prefix}.gate_proj`, x);
  const chunkOf = (t: number) => Math.floor(t / B);
  const local = naiveSoftmaxHeads(q, k, v, mask, 1, 1 / Math.sqrt(E), (t, s) => chunkOf(s) === chunkOf(t));
  const gated = local.map((row, t) => {
    let sum: Mat = zeros(E, E);
    let count = 0;
    for (let s = 0; s < chunkOf(t) * B; s++) {
      if (mask[s] === 0) continue;
      sum = addMat(sum, outer(k[s], v[s]));
      count++;
    }
    const cross = scaleVec(vecMat(q[t], sum), 1 / Math.max(1, count));
    return addVec(row, cross).map((o, i) => o * sigmoid(g[t][i]));
  });
  return w.linear(`${prefix}.out_proj`, gated);
};
