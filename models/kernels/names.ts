import * as tf from '@tensorflow/tfjs-core';

/**
 * Names of the kernels this package adds to TensorFlow.js's kernel registry. An op runs the kernel
 * where the active backend registered one under the name (tf.getKernel(NAME, tf.getBackend())) and
 * its tf-op composite otherwise; the kernels themselves live in models/kernels/<backend>/.
 */

/** [batch, m, k] @ [batch, k, p], both untransposed float32 (a batch of 1 on either side broadcasts). */
export const BATCHED_MATMUL = 'BsbrBatchedMatMul';

/** (I + A)^-1 for every strictly lower-triangular A of a float32 [..., B, B] (entries on and above the diagonal ignored). */
export const UNIT_LOWER_INVERSE = 'BsbrUnitLowerInverse';

/**
 * softmax(q k^T * scale) v for float32 q [batch, L, d] at the last L of the S key positions of
 * k [batch, S, d] and v [batch, S, e]: query i (position S - L + i) sees the keys s at or before its
 * position and, when attrs.window >= 0, not more than window positions behind it. Takes head and
 * value sizes that causalAttentionTakes accepts.
 */
export const CAUSAL_ATTENTION = 'BsbrCausalAttention';

/** The head and value sizes a CAUSAL_ATTENTION kernel must take: multiples of 4, at most 128. */
export function causalAttentionTakes(d: number, e: number): boolean {
  return d % 4 === 0 && e % 4 === 0 && d <= 128 && e <= 128;
}

/** Exclusive prefix sum along axis 1 of a float32 [b, G, F]: out[:, c] = sum_{j<c} x[:, j] (row 0 is zero). */
export const EXCLUSIVE_SCAN = 'BsbrExclusiveScan';

/** LayerNorm over the last axis of float32 x [..., F] with gamma, beta [F] and attrs.epsilon (the biased variance, as PyTorch). */
export const LAYER_NORM = 'BsbrLayerNorm';

/** Exact GELU of float32 x, elementwise: 0.5 x (1 + erf(x / sqrt 2)). */
export const GELU = 'BsbrGelu';

/** Whether the active backend registered the kernel `name`. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
