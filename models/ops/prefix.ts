/** Prefix scans over chunks, in the form the execution plan asks for. */
import * as tf from '@tensorflow/tfjs-core';
import { registerCompositeGradient } from '../kernels/gradients';
import { EXCLUSIVE_SCAN, hasKernel, runKernel } from '../kernels/names';
import { bmm } from './matmul';

/**
 * Exclusive prefix sums along axis 1 of x [b, G, F] after a carried sum [b, 1, F] (null: none):
 * row c is carry + sum_{j<c} x_j. By 'matmul', one product [L | 1] @ [x; carry] with L the strictly
 * lower-triangular G x G ones matrix (on wasm a matmul runs on the fast path and a cumsum does not);
 * by 'cumsum', the backend's EXCLUSIVE_SCAN kernel where it has one, else tf.cumsum (exclusive), plus the carry.
 */
export function exclusivePrefixSum(
  x: tf.Tensor3D,
  carry: tf.Tensor3D | null,
  method: 'matmul' | 'cumsum',
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, G] = x.shape;
    if (method === 'cumsum') {
      const sums = (
        hasKernel(EXCLUSIVE_SCAN) ? runKernel(EXCLUSIVE_SCAN, { x }) : tf.cumsum(x, 1, true)
      ) as tf.Tensor3D;
      return carry ? tf.add(sums, carry) : sums;
    }
    const inputs = carry ? G + 1 : G;
    const weights = new Float32Array(G * inputs);
    for (let r = 0; r < G; r++) {
      weights.fill(1, r * inputs, r * inputs + r);
      if (carry) weights[r * inputs + G] = 1;
    }
    const left = tf.broadcastTo(tf.tensor3d(weights, [1, G, inputs]), [b, G, inputs]);
    return bmm(left, carry ? tf.concat([x, carry], 1) : x) as tf.Tensor3D;
  });
}

// The kernel's gradient: that of the exclusive cumsum it equals (a reverse exclusive scan).
registerCompositeGradient(EXCLUSIVE_SCAN, ['x'], ({ x }) => tf.cumsum(x, 1, true));

/**
 * For each row of x [b, C] (a position, or -1 for none), the largest value strictly before each
 * column: out[:, c] = max(-1, max_{j<c} x[:, j]). By log2(C) shifted maxima (Hillis-Steele), on the
 * device, so no value is read back.
 */
export function exclusivePrefixMax(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const C = x.shape[1];
    // Shift right by one: column c holds x[c - 1].
    let result = tf.concat([tf.fill([x.shape[0], 1], -1, x.dtype), tf.slice(x, [0, 0], [-1, C - 1])], 1) as tf.Tensor2D;
    for (let shift = 1; shift < C; shift *= 2) {
      const shifted = tf.concat(
        [tf.fill([x.shape[0], shift], -1, x.dtype), tf.slice(result, [0, 0], [-1, C - shift])],
        1,
      );
      result = tf.maximum(result, shifted);
    }
    return result;
  });
}
