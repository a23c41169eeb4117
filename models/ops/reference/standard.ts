/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { dot, Mat, multiHead, NaiveAttention, QKV, softmaxOver, vecMat, Vec } from './arrays';

/**
 * Causal softmax attention of one head (architectures.md section 1): q, k, v [n][d], valid [n] (0 for
 * padding); o_t = sum_s softmax_s(scale q_t . k_s) v_s over the s <= t that are valid and that
 * `sees(t, s)` allows; a query with no such key gets 0.
 */
export function softmaxReference(
  q: Mat,
  k: Mat,
  v: Mat,
  valid: Vec,
  scale: number,
  sees = (_t: number, _s: number) => true,
): Mat {
  return q.map((qt, t) => {
    const allowed = k.map((_, s) => s <= t && valid[s] !== 0 && sees(t, s));
    return vecMat(
      softmaxOver(
        k.map((ks, s) => (allowed[s] ? scale * dot(qt, ks) : 0)),
        allowed,
      ),
      v,
    );
  });
}

/** The naive Standard attention (architectures.md section 1), shared by tests of models built on it. */
export const naiveStandard: NaiveAttention = (w, prefix, x, mask, config) => {
  const scale = 1 / Math.sqrt(headDim(config));
  return multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v]) => softmaxReference(q, k, v, mask, scale));
};
