import * as tf from '@tensorflow/tfjs-core';
import { bmm } from './matmul';

/** Added to the scores of disallowed keys: exp() of it is exactly 0 in float32. */
const BIG = 1e30;

/**
 * allowed[t, s] = 1 where query t (absolute position t + offset) may see key s:
 * key position <= query position, and within `window` positions when a window is given.
 */
export function causalAllowed(queries: number, keys: number, offset: number, window?: number): tf.Tensor2D {
  // Built row by row in JS: a broadcast compare on the wasm backend costs far more than the fill.
  const allowed = new Float32Array(queries * keys);
  for (let t = 0; t < queries; t++) {
    const position = t + offset;
    const first = window === undefined ? 0 : Math.max(0, position - window);
    const last = Math.min(keys - 1, position);
    if (last >= first) allowed.fill(1, t * keys + first, t * keys + last + 1);
  }
  return tf.tensor2d(allowed, [queries, keys]);
}

/**
 * Softmax over the last axis restricted to allowed entries (1/0, broadcastable to scores).
 * A row with no allowed entry gets all-zero weights, so its attention term is 0.
 */
export function maskedSoftmax<T extends tf.Tensor>(scores: T, allowed: tf.Tensor): T {
  return tf.tidy(() => {
    const shifted = tf.add(scores, tf.mul(tf.sub(allowed, 1), BIG));
    const e = tf.mul(tf.exp(tf.sub(shifted, tf.max(shifted, -1, true))), allowed);
    return tf.div(e, tf.maximum(tf.sum(e, -1, true), 1e-30)) as T;
  });
}

/**
 * softmax(q k^T * scale) v over the last two axes, where allowed [L, S] says which key each query
 * may see and keyMask (broadcastable to [..., 1, S], 1 real / 0 padding) removes padded keys.
 * Without a key mask every row keeps at least one key, so the plain softmax with an additive bias
 * is used (two passes instead of six).
 */
export function softmaxAttend<T extends tf.Tensor>(
  q: T, k: tf.Tensor, v: tf.Tensor, scale: number, allowed: tf.Tensor2D, keyMask: tf.Tensor | null,
): T {
  return tf.tidy(() => {
    const scores = bmm(tf.mul(q, scale) as T, k, false, true);
    const weights = keyMask
      ? maskedSoftmax(scores, tf.mul(allowed, keyMask))
      : tf.softmax(tf.add(scores, tf.mul(tf.sub(allowed, 1), BIG)));
    return bmm(weights as T, v);
  });
}
