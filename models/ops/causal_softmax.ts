/**
 * Causal softmax attention of queries at the last positions of their keys, by the backend's fused
 * CAUSAL_ATTENTION kernel where it has one (webgpu: models/kernels/webgpu/causal_attention.ts), else
 * by the composite of tf ops under an explicit mask. Standard and Hopfield (whole sequences), BSBR's
 * attention inside a chunk and SlidingWindow's band all reduce to it when no key is padding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import { CAUSAL_ATTENTION, causalAttentionTakes, hasKernel, runKernel } from '../kernels/names';
import { causalMask } from './masks';
import { bmm } from './matmul';
import { BIG, softmaxAttend } from './softmax';

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
 * The attention backward's query blocks: at most BACKWARD_SCORES scores [batch, queries, keys] at
 * once (128 MiB, WebGPU's default limit on one bound buffer) and at most BACKWARD_QUERIES queries
 * (a block's keys stop at its last query, so smaller blocks skip more of the masked triangle; each
 * block costs a dozen dispatches).
 */
const BACKWARD_SCORES = 1 << 25;
const BACKWARD_QUERIES = 1024;

/**
 * The query blocks of CAUSAL_ATTENTION's backward for `batch` rows of L queries at the last L of S
 * positions (window as the kernel's, or undefined): each block's first query, query count, and the
 * span [first, last] of keys it sees. The cost model counts the backward's products from these.
 */
export function attentionBackwardBlocks(
  batch: number,
  L: number,
  S: number,
  window?: number,
): Array<{ start: number; rows: number; first: number; last: number }> {
  const block = Math.max(1, Math.min(L, BACKWARD_QUERIES, Math.floor(BACKWARD_SCORES / (batch * S))));
  const blocks = [];
  for (let start = 0; start < L; start += block) {
    const rows = Math.min(block, L - start);
    // Query i sits at position S - L + i.
    blocks.push({
      start,
      rows,
      first: window === undefined ? 0 : Math.max(0, S - L + start - window),
      last: S - L + start + rows - 1,
    });
  }
  return blocks;
}

/**
 * CAUSAL_ATTENTION's gradient, flash-attention style: the forward kept no scores, so the backward
 * recomputes them one block of queries at a time (never L x S at once):
 * for a block, P = softmax(q k^T * scale) over its allowed keys, dP = dO v^T, dS = P (dP - rowsum(P dP)),
 * then dq = scale dS k, and dk += scale dS^T q, dv += P^T dO over the keys the block sees.
 */
registerGradientOnce({
  kernelName: CAUSAL_ATTENTION,
  inputsToSave: ['q', 'k', 'v'],
  gradFunc: (dy, [q, k, v], attrs) => {
    const scale = attrs.scale as number;
    const window = (attrs.window as number) >= 0 ? (attrs.window as number) : undefined;
    const [batch, L, d] = q.shape;
    const [S, e] = [k.shape[1] as number, v.shape[2] as number];
    const grads = tf.tidy(() => {
      const dq: tf.Tensor[] = [];
      let dk: tf.Tensor = tf.zeros([batch, S, d]);
      let dv: tf.Tensor = tf.zeros([batch, S, e]);
      for (const { start: i0, rows, first, last } of attentionBackwardBlocks(batch, L, S, window)) {
        const keys = last - first + 1;
        const [qb, dob] = [
          tf.slice(q, [0, i0, 0], [-1, rows, -1]),
          tf.slice(dy as tf.Tensor, [0, i0, 0], [-1, rows, -1]),
        ];
        const [kb, vb] = [tf.slice(k, [0, first, 0], [-1, keys, -1]), tf.slice(v, [0, first, 0], [-1, keys, -1])];
        const allowed = causalMask(rows, keys, S - L + i0 - first, false, window);
        const p = tf.softmax(tf.add(bmm(tf.mul(qb, scale), kb, false, true), tf.mul(tf.sub(allowed, 1), BIG)));
        const dp = bmm(dob, vb, false, true);
        const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(p, dp), -1, true)));
        dq.push(tf.mul(bmm(ds, kb), scale));
        const place = (t: tf.Tensor) =>
          tf.pad(t, [
            [0, 0],
            [first, S - 1 - last],
            [0, 0],
          ]);
        dk = tf.add(dk, place(tf.mul(bmm(ds, qb, true, false), scale)));
        dv = tf.add(dv, place(bmm(p, dob, true, false)));
      }
      return [dq.length === 1 ? dq[0] : tf.concat(dq, 1), dk, dv];
    });
    return { q: () => grads[0], k: () => grads[1], v: () => grads[2] };
  },
});
