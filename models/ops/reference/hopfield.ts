/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { dot, headSlice, Mat, naiveSoftmaxHeads, NaiveAttention, softmaxOver, vecMat, zeros } from './arrays';

/**
 * Hopfield straight from architectures.md section 5, with loops: beta_h = 1 / (temperature sqrt(d));
 * xi_0 = q_t, xi_i = sum_{s<=t} softmax_s(beta_h xi_{i-1} . k_s) k_s, o_t = sum_{s<=t} softmax_s(beta_h xi_last . k_s) v_s,
 * over unmasked s.
 */
export const naiveHopfield: NaiveAttention = (w, prefix, x, mask, config) => {
  const d = headDim(config);
  const beta = 1 / (config.temperature * Math.sqrt(d));
  const q = w.linear(`${prefix}.q_proj`, x);
  const k = w.linear(`${prefix}.k_proj`, x);
  const v = w.linear(`${prefix}.v_proj`, x);
  const out = zeros(x.length, config.hiddenDim);
  for (let h = 0; h < config.numHeads; h++) {
    const [qh, kh, vh] = [q, k, v].map((m) => headSlice(m, h, d));
    for (let t = 0; t < x.length; t++) {
      const allowed = kh.map((_, s) => s <= t && mask[s] !== 0);
      const weights = (xi: number[]) => softmaxOver(kh.map((ks) => beta * dot(xi, ks)), allowed);
      let xi = qh[t];
      for (let i = 1; i < config.updateSteps; i++) xi = vecMat(weights(xi), kh);
      const o = vecMat(weights(xi), vh);
      for (let j = 0; j < d; j++) out[t][h * d + j] = o[j];
    }
  }
  return w.linear(`${prefix}.out_proj`, out);
};

/** Standard attention with queries scaled by 1 / (temperature sqrt(d)). */
export const naiveTemperedStandard: NaiveAttention = (w, prefix, x, mask, config) => {
  const scale = 1 / (config.temperature * Math.sqrt(headDim(config)));
  const heads: Mat = naiveSoftmaxHeads(
    w.linear(`${prefix}.q_proj`, x), w.linear(`${prefix}.k_proj`, x), w.linear(`${prefix}.v_proj`, x),
    mask, config.numHeads, scale, () => true,
  );
  return w.linear(`${prefix}.out_proj`, heads);
};
