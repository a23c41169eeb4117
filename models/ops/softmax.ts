import * as tf from '@tensorflow/tfjs-core';
import { causalMask } from './masks';
import { bmm } from './matmul';

/** Added to the scores of disallowed keys: exp() of it is exactly 0 in float32. */
export const BIG = 1e30;

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
 * softmax(q k^T * scale) v for queries q [b, h, m, d] at positions start .. start+m-1 over keys and
 * values held in consecutive blocks (block j: [b, h, L_j, d], its first key at the sum of the earlier
 * blocks' lengths), causal by position: the softmax is taken across the blocks online (a running
 * max, sum and weighted sum, rescaled as each block raises the max), so no tensor spans all keys and
 * no allocation grows with the context. keyMasks (one [b, 1, 1, L_j] per block, 1 real / 0 padding)
 * remove padded keys; without them every query must see at least one key of the first block. A
 * query with no allowed key at all gets 0.
 */
export function blockedSoftmaxAttend(
  q: tf.Tensor4D,
  keyBlocks: tf.Tensor4D[],
  valueBlocks: tf.Tensor4D[],
  scale: number,
  start: number,
  fillOnHost: boolean,
  keyMasks: tf.Tensor4D[] | null = null,
): tf.Tensor4D {
  return tf.tidy(() => {
    const scaled = tf.mul(q, scale) as tf.Tensor4D;
    let max: tf.Tensor | null = null;
    let sum: tf.Tensor | null = null;
    let acc: tf.Tensor | null = null;
    for (let j = 0, offset = 0; j < keyBlocks.length; offset += keyBlocks[j].shape[2], j++) {
      const causal = causalMask(q.shape[2], keyBlocks[j].shape[2], start - offset, fillOnHost);
      const allowed = keyMasks ? tf.mul(causal, keyMasks[j]) : causal;
      const scores = tf.add(bmm(scaled, keyBlocks[j], false, true), tf.mul(tf.sub(allowed, 1), BIG));
      const blockMax = tf.max(scores, -1, true);
      const newMax: tf.Tensor = max ? tf.maximum(max, blockMax) : blockMax;
      // With padding a row may have no allowed key in a block (or at all): its weights must be 0, not exp(0).
      const shifted = tf.exp(tf.sub(scores, newMax));
      const p = keyMasks ? tf.mul(shifted, allowed) : shifted;
      const weighted = bmm(p as tf.Tensor4D, valueBlocks[j]);
      if (max && sum && acc) {
        const rescale = tf.exp(tf.sub(max, newMax));
        sum = tf.add(tf.mul(sum, rescale), tf.sum(p, -1, true));
        acc = tf.add(tf.mul(acc, rescale), weighted);
      } else {
        sum = tf.sum(p, -1, true);
        acc = weighted;
      }
      max = newMax;
    }
    return tf.div(acc!, keyMasks ? tf.maximum(sum!, 1e-30) : sum!) as tf.Tensor4D;
  });
}

/**
 * softmax(q k^T * scale) v over the last two axes, where allowed [L, S] says which key each query
 * may see and keyMask (broadcastable to [..., 1, S], 1 real / 0 padding) removes padded keys.
 * Without a key mask every row keeps at least one key, so the plain softmax with an additive bias
 * is used (two passes instead of six).
 */
export function softmaxAttend<T extends tf.Tensor>(
  q: T,
  k: tf.Tensor,
  v: tf.Tensor,
  scale: number,
  allowed: tf.Tensor2D,
  keyMask: tf.Tensor | null,
): T {
  return tf.tidy(() => {
    const scores = bmm(tf.mul(q, scale) as T, k, false, true);
    const weights = keyMask
      ? maskedSoftmax(scores, tf.mul(allowed, keyMask))
      : tf.softmax(tf.add(scores, tf.mul(tf.sub(allowed, 1), BIG)));
    return bmm(weights as T, v);
  });
}
