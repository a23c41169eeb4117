/**
 * Causal softmax attention of queries at the last positions of their keys, by the backend's fused
 * CAUSAL_ATTENTION kernel where it has one (webgpu: models/kernels/webgpu/causal_attention.ts), else
 * by the composite of tf ops under an explicit mask. Standard and Hopfield (whole sequences), BSBR's
 * attention inside a chunk and SlidingWindow's band all reduce to it when no key is padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import {
  CAUSAL_ATTENTION,
  CAUSAL_ATTENTION_GRAD,
  CausalAttentionAttrs,
  causalAttentionTakes,
  hasKernel,
  runKernel,
} from '../kernels/names';
import { causalMask } from './masks';
import { softmaxAttend } from './softmax';

/** Whether causalAttention runs as one fused kernel for heads of size d and values of size e. */
export function fusedCausalAttention(d: number, e: number): boolean {
  return hasKernel(CAUSAL_ATTENTION) && causalAttentionTakes(d, e);
}

/**
 * softmax(q k^T * scale) v for q [..., L, d] at the last L of the S positions of k [..., S, d] and
 * v [..., S, e] (same leading axes): query i at position S - L + i sees keys at or before it and,
 * with a window, at most `window` positions behind it.
 */
export function causalAttention<T extends tf.Tensor>(
  q: T,
  k: tf.Tensor,
  v: tf.Tensor,
  scale: number,
  window: number | undefined,
  fillOnHost: boolean,
): T {
  const d = q.shape[q.rank - 1];
  const e = v.shape[v.rank - 1];
  if (!fusedCausalAttention(d, e)) return causalAttentionComposite(q, k, v, scale, window, fillOnHost);
  return tf.tidy(() => {
    const [L, S] = [q.shape[q.rank - 2], v.shape[v.rank - 2]];
    const lead = q.shape.slice(0, -2);
    const batch = lead.reduce((x, y) => x * y, 1);
    const out = runKernel(
      CAUSAL_ATTENTION,
      { q: tf.reshape(q, [batch, L, d]), k: tf.reshape(k, [batch, S, d]), v: tf.reshape(v, [batch, S, e]) },
      { scale, window: window ?? -1 },
    );
    return tf.reshape(out, [...lead, L, e]) as T;
  });
}

/** causalAttention by tf ops under an explicit mask (what CAUSAL_ATTENTION kernels must equal). */
export function causalAttentionComposite<T extends tf.Tensor>(
  q: T,
  k: tf.Tensor,
  v: tf.Tensor,
  scale: number,
  window: number | undefined,
  fillOnHost: boolean,
): T {
  const [L, S] = [q.shape[q.rank - 2], v.shape[v.rank - 2]];
  return tf.tidy(() => softmaxAttend(q, k, v, scale, causalMask(L, S, S - L, fillOnHost, window), null));
}

/**
 * CAUSAL_ATTENTION's gradient, flash-attention style: the forward kept no scores, and its backward
 * kernel (CAUSAL_ATTENTION_GRAD, registered with it) recomputes them tile by tile from q, k, v and
 * the output rather than storing L x S.
 */
registerGradientOnce({
  kernelName: CAUSAL_ATTENTION,
  inputsToSave: ['q', 'k', 'v'],
  outputsToSave: [true],
  gradFunc: (dy, [q, k, v, out], attrs) => {
    const { scale, window } = attrs as unknown as CausalAttentionAttrs;
    const [dq, dk, dv] = runKernel(CAUSAL_ATTENTION_GRAD, { q, k, v, out, dy: dy as tf.Tensor }, { scale, window });
    return { q: () => dq, k: () => dk, v: () => dv };
  },
});
