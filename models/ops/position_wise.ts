/**
 * The position-wise functions of the shared skeleton (docs/architectures.md, "The shared skeleton"):
 * LayerNorm and the exact GELU, by the backend's fused kernel where it registered one, else by tf ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerCompositeGradient } from '../kernels/gradients';
import { GELU, hasKernel, LAYER_NORM, runKernel } from '../kernels/names';

/** (x - mean) / sqrt(var + epsilon) * gamma + beta over the last axis (the biased variance). */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T {
  if (hasKernel(LAYER_NORM)) return runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as T;
  return layerNormComposite(x, gamma, beta, epsilon);
}

/** layerNorm by tf ops (what LAYER_NORM kernels must equal). */
export function layerNormComposite<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): T {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normed, gamma), beta) as T;
  });
}

/** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (hasKernel(GELU)) return runKernel(GELU, { x }) as T;
  return geluComposite(x);
}

/** gelu by tf ops (what GELU kernels must equal). */
export function geluComposite<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)), 0.5) as T);
}

// The fused kernels' gradients: those of their composites.
registerCompositeGradient(LAYER_NORM, ['x', 'gamma', 'beta'], ({ x, gamma, beta }, { epsilon }) => layerNormComposite(x, gamma, beta, epsilon as number));
registerCompositeGradient(GELU, ['x'], ({ x }) => geluComposite(x));
