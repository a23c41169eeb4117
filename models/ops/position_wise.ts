/**
 * The position-wise functions of the shared skeleton (docs/architectures.md, "The shared skeleton"):
 * the embedding with positions, LayerNorm, the exact GELU and the dense layer they feed, each by the
 * backend's fused kernel where it registered one, else by tf ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordingGradients, registerCompositeGradient } from '../kernels/gradients';
import {
  DENSE,
  DenseAttrs,
  EMBEDDING,
  GELU,
  GELU_GRAD,
  hasKernel,
  LAYER_NORM,
  LAYER_NORM_GRAD,
  runKernel,
} from '../kernels/names';
import { positionTables, sinusoidalPositions } from '../positional';
import { bmm } from './matmul';

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

// The fused kernels' gradients: their backward kernels where registered, else their composites'.
registerCompositeGradient(
  LAYER_NORM,
  ['x', 'gamma', 'beta'],
  ({ x, gamma, beta }, { epsilon }) => layerNormComposite(x, gamma, beta, epsilon as number),
  {
    kernel: LAYER_NORM_GRAD,
    run: ({ x, gamma }, dy, { epsilon }) =>
      runKernel(LAYER_NORM_GRAD, { x, gamma, dy }, { epsilon: epsilon as number }),
  },
);
registerCompositeGradient(GELU, ['x'], ({ x }) => geluComposite(x), {
  kernel: GELU_GRAD,
  run: ({ x }, dy) => [runKernel(GELU_GRAD, { x, dy })],
});

/**
 * What a dense layer does besides its product: an addend summed into its input and a LayerNorm
 * before it, an activation and a residual (one tensor or the sum of two) after it.
 */
export interface DenseOptions {
  addend?: tf.Tensor;
  norm?: { gamma: tf.Tensor1D; beta: tf.Tensor1D; epsilon: number };
  activation?: DenseAttrs['activation'];
  residual?: tf.Tensor | [tf.Tensor, tf.Tensor];
}

/**
 * act(norm(x + addend) @ weight + bias) + residual for x [..., K], weight [K, N], bias [N]: [..., N], by the
 * DENSE kernel where registered. While a gradient is recorded it runs as its composite, whose ops
 * have gradients (a kernel's gradient saves a fixed list of inputs, and DENSE's are optional); the
 * models record only the recomputation of a layer in its backward (model.ts), never the forward.
 */
export function dense<T extends tf.Tensor>(
  x: T,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  options: DenseOptions = {},
): T {
  if (!hasKernel(DENSE) || recordingGradients()) return denseComposite(x, weight, bias, options);
  const { addend, norm, activation = 'linear', residual } = options;
  const [first, second] = residual instanceof tf.Tensor ? [residual] : (residual ?? []);
  const inputs = {
    x,
    weight,
    bias,
    ...(addend ? { addend } : {}),
    ...(norm ? { gamma: norm.gamma, beta: norm.beta } : {}),
    ...(first ? { residual: first } : {}),
    ...(second ? { residualAddend: second } : {}),
  };
  return runKernel(DENSE, inputs, { activation, epsilon: norm?.epsilon ?? 0 }) as T;
}

/** dense by tf ops (what DENSE kernels must equal). */
export function denseComposite<T extends tf.Tensor>(
  x: T,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  options: DenseOptions = {},
): T {
  const { addend, norm, activation = 'linear', residual } = options;
  return tf.tidy(() => {
    const sum = addend ? tf.add(x, addend) : x;
    const input = norm ? layerNorm(sum, norm.gamma, norm.beta, norm.epsilon) : sum;
    const flat = tf.reshape(input, [-1, weight.shape[0]]) as tf.Tensor2D;
    // Under a gradient by bmm, whose gradient's products run on the backend's fast path (the fused
    // matmul's own gradient multiplies transposed operands, which the wasm backend does slowly).
    const product = recordingGradients()
      ? tf.add(tf.reshape(bmm(tf.expandDims(flat, 0), tf.expandDims(weight, 0)), [-1, weight.shape[1]]), bias)
      : tf.fused.matMul({ a: flat, b: weight, bias });
    const activated = activation === 'gelu' ? gelu(product) : product;
    const y = tf.reshape(activated, [...x.shape.slice(0, -1), weight.shape[1]]);
    const residuals = residual instanceof tf.Tensor ? [residual] : (residual ?? []);
    return residuals.reduce((total: tf.Tensor, r) => tf.add(total, r), y) as T;
  });
}

/**
 * Token embeddings plus sinusoidal positions start .. start+n-1 for ids [b, n]: [b, n, D], by the
 * EMBEDDING kernel where registered, except while a gradient is recorded (the table's gradient is the
 * gather's). `positionsOnHost` as sinusoidalPositions takes it.
 */
export function embed(ids: tf.Tensor2D, table: tf.Tensor2D, start: number, positionsOnHost: boolean): tf.Tensor3D {
  if (!hasKernel(EMBEDDING) || recordingGradients()) return embedComposite(ids, table, start, positionsOnHost);
  return tf.tidy(() => {
    const { coarse, fine } = positionTables(start, ids.shape[1], table.shape[1]);
    return runKernel(EMBEDDING, { ids, table, coarse, fine }) as tf.Tensor3D;
  });
}

/** embed by tf ops (what EMBEDDING kernels must equal). */
export function embedComposite(
  ids: tf.Tensor2D,
  table: tf.Tensor2D,
  start: number,
  positionsOnHost: boolean,
): tf.Tensor3D {
  return tf.tidy(
    () =>
      tf.add(
        tf.gather(table, ids),
        sinusoidalPositions(start, ids.shape[1], table.shape[1], positionsOnHost),
      ) as tf.Tensor3D,
  );
}
