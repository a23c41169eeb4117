/** The float64 reference of one architecture, straight from architectures.md with loops (nothing fast on purpose). */
import { headDim } from '../../config';
import { naiveSoftmaxHeads, NaiveAttention } from './arrays';

/** SlidingWindow straight from architectures.md section 2: Standard where query t sees keys t - w <= s <= t. */
export const naiveSlidingWindow: NaiveAttention = (w, prefix, x, mask, config) => {
  const heads = naiveSoftmaxHeads(
    w.linear(`${prefix}.q_proj`, x), w.linear(`${prefix}.k_proj`, x), w.linear(`${prefix}.v_proj`, x),
    mask, config.numHeads, 1 / Math.sqrt(headDim(config)), (t, s) => t - s <= config.windowSize,
  );
  return w.linear(`${prefix}.out_proj`, heads);
};
