/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { addMat, dot, Mat, matVec, multiHead, NaiveAttention, outer, QKV, scaleVec, Vec, zeros } from './arrays';

export const normalize = (x: Vec): Vec => scaleVec(x, 1 / Math.max(Math.sqrt(dot(x, x)), 1e-12));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The delta rule of one head (architectures.md section 4), token by token: from S_0 = `initial`
 * (none: 0), S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T and o_t = S_t q_t, with S
 * [value feature][key feature]; a token with beta_t = 0 writes nothing. Returns the outputs and S_n.
 */
export function deltaRuleReference(q: Mat, k: Mat, v: Mat, beta: Vec, initial?: Mat): { output: Mat; state: Mat } {
  let S = initial ?? zeros(v[0].length, k[0].length);
  const output = q.map((qt, t) => {
    const error = matVec(S, k[t]).map((p, i) => v[t][i] - p);
    S = addMat(S, outer(scaleVec(error, beta[t]), k[t]));
    return matVec(S, qt);
  });
  return { output, state: S };
}

/** DeltaNet: q and k L2-normalised per head, beta fixed or sigmoid(beta_proj(x)) per head, 0 at padding. */
export const naiveDeltaNet: NaiveAttention = (w, prefix, x, mask, config) => {
  const learned = config.learnedBeta ? w.linear(`${prefix}.beta_proj`, x) : null;
  return multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v], h) => {
    const beta = mask.map((m, t) => (m === 0 ? 0 : learned ? sigmoid(learned[t][h]) : config.beta));
    return deltaRuleReference(q.map(normalize), k.map(normalize), v, beta).output;
  });
};
