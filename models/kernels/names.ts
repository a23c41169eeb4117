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

/** Whether the active backend registered the kernel `name`. */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
