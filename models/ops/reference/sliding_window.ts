/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { Mat, multiHead, NaiveAttention, QKV, Vec } from './arrays';
import { softmaxReference } from './standard';

/** Sliding-window attention of one head (architectures.md section 2): softmax attention where query t sees keys t - w <= s <= t. */
export function slidingWindowReference(q: Mat, k: Mat, v: Mat, valid: Vec, scale: number, window: number): Mat {
  return softmaxReference(q, k, v, valid, scale, (t, s) => t - s <= window);
}

export const naiveSlidingWindow: NaiveAttention = (w, prefix, x, mask, config) => {
  const scale = 1 / Math.sqrt(headDim(config));
  return multiHead(w, prefix, x, config.numHeads, QKV, ([q, k, v]) =>
    slidingWindowReference(q, k, v, mask, scale, config.windowSize),
  );
};
