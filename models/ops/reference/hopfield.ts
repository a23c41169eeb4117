/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { Mat, multiHead, NaiveAttention, QKV, Vec } from './arrays';
import { softmaxReference } from './standard';

/**
 * Hopfield retrieval of one head (architectures.md section 5), over the valid s <= t:
 * xi_0 = q_t, xi_i = sum_s softmax_s(beta xi_{i-1} . k_s) k_s (i < updateSteps),
 * o_t = sum_s softmax_s(beta xi_last . k_s) v_s.
 */
export function hopfieldReference(q: Mat, k: Mat, v: Mat, valid: Vec, beta: number, updateSteps: number): Mat {
  let xi = q;
  for (let i = 1; i < updateSteps; i++) xi = softmaxReference(xi, k, k, valid, beta);
  return softmaxReference(xi, k, v, valid, beta);
}

/** Hopfield with beta_h = 1 / (temperature sqrt(d)). */
export const naiveHopfield: NaiveAttention = (w, prefix, x, mask, config) => {
  const beta = 1 / (config.temperature * Math.sqrt(headDim(config)));
  return multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v]) =>
    hopfieldReference(q, k, v, mask, beta, config.updateSteps),
  );
};

/** Standard attention with queries scaled by 1 / (temperature sqrt(d)). */
export const naiveTemperedStandard: NaiveAttention = (w, prefix, x, mask, config) => {
  const scale = 1 / (config.temperature * Math.sqrt(headDim(config)));
  return multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v]) => softmaxReference(q, k, v, mask, scale));
};
