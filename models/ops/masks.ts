import * as tf from '@tensorflow/tfjs-core';

/**
 * allowed [queries, keys]: 1 where query t (absolute position t + offset) may see key s (position s):
 * s <= t + offset, and s >= t + offset - window when a window is given; 0 elsewhere. Filled in JS
 * and uploaded when `fillOnHost` (a broadcast compare on wasm costs far more than the fill), else built
 * by tensor ops on the device.
 */
export function causalMask(
  queries: number,
  keys: number,
  offset: number,
  fillOnHost: boolean,
  window?: number,
): tf.Tensor2D {
  if (fillOnHost) {
    const allowed = new Float32Array(queries * keys);
    for (let t = 0; t < queries; t++) {
      const position = t + offset;
      const first = window === undefined ? 0 : Math.max(0, position - window);
      const last = Math.min(keys - 1, position);
      if (last >= first) allowed.fill(1, t * keys + first, t * keys + last + 1);
    }
    return tf.tensor2d(allowed, [queries, keys]);
  }
  return tf.tidy(() => {
    // behind[t, s] = (t + offset) - s: how far key s lies behind query t.
    const behind = tf.sub(
      tf.reshape(tf.range(offset, offset + queries, 1, 'int32'), [queries, 1]),
      tf.reshape(tf.range(0, keys, 1, 'int32'), [1, keys]),
    );
    const seen =
      window === undefined
        ? tf.greaterEqual(behind, 0)
        : tf.logicalAnd(tf.greaterEqual(behind, 0), tf.lessEqual(behind, window));
    return tf.cast(seen, 'float32') as tf.Tensor2D;
  });
}
