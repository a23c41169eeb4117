import * as tf from '@tensorflow/tfjs-core';

/** [b, n, h*d] -> [b, h, n, d]: head j takes features j*d .. (j+1)*d - 1. */
export function splitHeads(x: tf.Tensor3D, numHeads: number): tf.Tensor4D {
  const [b, n, width] = x.shape;
  return tf.tidy(() => tf.transpose(tf.reshape(x, [b, n, numHeads, width / numHeads]), [0, 2, 1, 3]));
}

/** [b, h, n, d] -> [b, n, h*d]. */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, n, d] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, n, h * d]));
}
