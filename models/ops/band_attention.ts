/**
 * Sliding-window softmax attention (architectures.md section 2), O(n w d): query t sees keys s with
 * t - w <= s <= t. Queries go in blocks of w, each attending to its own block and the previous one
 * under a band mask, so nothing of size n x n is built.
 */
import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, fusedCausalAttention } from './causal_softmax';
import { causalMask } from './masks';
import { softmaxAttend } from './softmax';

/**
 * Queries q [b, h, m, d] at the last m of the key positions; keys/values [b, h, P + m, d] hold
 * P <= w earlier positions first (the streaming cache; P = 0 for a whole sequence). keyValid
 * [b, P + m] (1 real, 0 padding), or null when all are real.
 */
export function slidingWindowAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  keyValid: tf.Tensor2D | null,
  window: number,
  scale: number,
  fillOnHost: boolean,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, m, d] = q.shape;
    const w = window;
    const P = k.shape[2] - m;
    // Without padding, one band over all keys: fused where the backend has the kernel, one block when it fits.
    if (!keyValid && (m <= w || fusedCausalAttention(d, v.shape[3])))
      return causalAttention(q, k, v, scale, w, fillOnHost);
    if (m <= w) {
      // One block: the scores are at most [w, 2w].
      const keyMask = keyValid ? tf.reshape(keyValid, [b, 1, 1, P + m]) : null;
      return softmaxAttend(q, k, v, scale, causalMask(m, P + m, P, fillOnHost, w), keyMask);
    }
    const C = Math.ceil(m / w);
    // Keys are padded in front to w slots before the first query (P real ones, w - P phantom) and at
    // the back to whole blocks: C + 1 blocks of w, query block c pairs with key blocks c and c + 1.
    const front = w - P;
    const back = C * w - m;
    const padTime = (t: tf.Tensor4D) =>
      tf.pad(t, [
        [0, 0],
        [0, 0],
        [front, back],
        [0, 0],
      ]);
    // [b', h', (C+1) w, d'] -> [b', h', C, 2w, d']. Cut and joined in rank 4, as is the gradient's split:
    // wasm slices rank 5 element by element.
    const pairedBlocks = (t: tf.Tensor4D) => {
      const [b1, h1, , d1] = t.shape;
      const half = (from: number) => tf.reshape(tf.slice(t, [0, 0, from, 0], [-1, -1, C * w, -1]), [b1 * h1, C, w, d1]);
      return tf.reshape(tf.concat([half(0), half(w)], 2), [b1, h1, C, 2 * w, d1]) as tf.Tensor5D;
    };
    const qb = tf.reshape(
      tf.pad(q, [
        [0, 0],
        [0, 0],
        [0, back],
        [0, 0],
      ]),
      [b, h, C, w, d],
    ) as tf.Tensor5D;
    // The phantom front keys must not be seen; without them and without padding no key mask is needed.
    const valid = keyValid ?? (front > 0 ? (tf.ones([1, P + m]) as tf.Tensor2D) : null);
    const keyMask = valid
      ? tf.reshape(pairedBlocks(padTime(tf.reshape(valid, [valid.shape[0], 1, P + m, 1]))), [
          valid.shape[0],
          1,
          C,
          1,
          2 * w,
        ])
      : null;
    // Query i of a block sits at key slot w + i of its 2w keys and sees slots i .. w + i.
    const o = softmaxAttend(
      qb,
      pairedBlocks(padTime(k)),
      pairedBlocks(padTime(v)),
      scale,
      causalMask(w, 2 * w, w, fillOnHost, w),
      keyMask,
    );
    return tf.slice(tf.reshape(o, [b, h, C * w, d]), [0, 0, 0, 0], [-1, -1, m, -1]) as tf.Tensor4D;
  });
}
