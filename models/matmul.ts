import * as tf from '@tensorflow/tfjs-core';

/**
 * Batched matmul over the leading axes: op(a) [..., m, k] @ op(b) [..., k, p], where op transposes
 * the last two axes when asked. Every attention routes its batched products through here, so the
 * choice of kernel (see docs) is made in one place.
 */
export function bmm<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA = false, transposeB = false): T {
  return tf.matMul(a, b, transposeA, transposeB) as unknown as T;
}
