/**
 * Causal softmax attention (architectures.md section 1) and modern Hopfield retrieval (section 5),
 * which is the same with an inverse temperature and `updateSteps` passes:
 *   xi_0 = q_t;  xi_i = sum_{s<=t} softmax_s(beta xi_{i-1} . k_s) k_s  (i < updateSteps);
 *   o_t = sum_{s<=t} softmax_s(beta xi_last . k_s) v_s.
 * Standard is updateSteps = 1 with beta = 1/sqrt(d). Two forms: whole sequences in query blocks
 * (block [s, e) against keys [0, e): never n x n at once), and queries over a key/value cache held
 * in blocks with the softmax taken online across them (the streaming form).
 */
import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, fusedCausalAttention } from './causal_softmax';
import { causalMask } from './masks';
import { blockedSoftmaxAttend, softmaxAttend } from './softmax';

export interface SoftmaxAttentionOptions {
  /** beta: the scores are (xi . k) * scale. */
  scale: number;
  /** Retrieval passes: 1 for plain softmax attention. */
  updateSteps: number;
  fillOnHost: boolean;
}

/**
 * Queries q [b, h, L, d] at positions start .. start+L-1 over keys/values [b, h, S, d] at positions
 * 0 .. S-1, keyMask [b, 1, 1, S] (1 real, 0 padding) or null.
 */
function attendBlock(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  start: number,
  keyMask: tf.Tensor4D | null,
  options: SoftmaxAttentionOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    const allowed = causalMask(q.shape[2], k.shape[2], start, options.fillOnHost);
    let xi = q;
    for (let i = 1; i < options.updateSteps; i++) xi = softmaxAttend(xi, k, k, options.scale, allowed, keyMask);
    return softmaxAttend(xi, k, v, options.scale, allowed, keyMask);
  });
}

/**
 * Query block q [b, h, L, d] at positions start .. start+L-1 over keys/values cut in blocks of
 * keyBlock, online across them: every score tensor has the same [b, h, L, keyBlock] shape.
 */
function attendBlockOnline(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  start: number,
  keyMask: tf.Tensor4D | null,
  keyBlock: number,
  options: SoftmaxAttentionOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    const S = k.shape[2];
    const spans = Array.from({ length: Math.ceil(S / keyBlock) }, (_, j) => [
      j * keyBlock,
      Math.min(keyBlock, S - j * keyBlock),
    ]);
    const blocksOf = (t: tf.Tensor4D) => spans.map(([from, size]) => tf.slice(t, [0, 0, from, 0], [-1, -1, size, -1]));
    const keys = blocksOf(k);
    const masks = keyMask ? spans.map(([from, size]) => tf.slice(keyMask, [0, 0, 0, from], [-1, -1, -1, size])) : null;
    let xi = q;
    for (let i = 1; i < options.updateSteps; i++)
      xi = blockedSoftmaxAttend(xi, keys, keys, options.scale, start, options.fillOnHost, masks);
    return blockedSoftmaxAttend(xi, keys, blocksOf(v), options.scale, start, options.fillOnHost, masks);
  });
}

/**
 * The chunkwise (blocked) form over a whole sequence: q, k, v [b, h, n, d], valid [b, n] (1 real,
 * 0 padding) or null. Query block [s, e) attends keys [0, e): with keyBlock null in one softmax
 * (scores at most [b, h, queryBlock, n]); with a keyBlock, online over key blocks of that size, so
 * that every block's tensors have one shape (a GPU backend's buffer pool then reuses its buffers
 * instead of keeping one of every size). Where the backend fuses causal attention and no key is
 * padding, the whole sequence goes to that kernel at once (it never holds the scores).
 */
export function softmaxAttentionBlocked(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  valid: tf.Tensor2D | null,
  queryBlock: number,
  keyBlock: number | null,
  options: SoftmaxAttentionOptions,
): tf.Tensor4D {
  const n = q.shape[2];
  if (!valid && fusedCausalAttention(q.shape[3], v.shape[3])) {
    return tf.tidy(() => {
      let xi = q;
      for (let i = 1; i < options.updateSteps; i++)
        xi = causalAttention(xi, k, k, options.scale, undefined, options.fillOnHost);
      return causalAttention(xi, k, v, options.scale, undefined, options.fillOnHost);
    });
  }
  const keyMask = valid ? (tf.reshape(valid, [valid.shape[0], 1, 1, n]) as tf.Tensor4D) : null;
  const attend = (qb: tf.Tensor4D, kb: tf.Tensor4D, vb: tf.Tensor4D, start: number, mask: tf.Tensor4D | null) =>
    keyBlock === null
      ? attendBlock(qb, kb, vb, start, mask, options)
      : attendBlockOnline(qb, kb, vb, start, mask, keyBlock, options);
  const blocks: tf.Tensor4D[] = [];
  try {
    for (let start = 0; start < n; start += queryBlock) {
      const end = Math.min(n, start + queryBlock);
      blocks.push(
        tf.tidy(() =>
          attend(
            tf.slice(q, [0, 0, start, 0], [-1, -1, end - start, -1]),
            tf.slice(k, [0, 0, 0, 0], [-1, -1, end, -1]),
            tf.slice(v, [0, 0, 0, 0], [-1, -1, end, -1]),
            start,
            keyMask ? tf.slice(keyMask, [0, 0, 0, 0], [-1, -1, -1, end]) : null,
          ),
        ),
      );
    }
    return blocks.length === 1 ? blocks[0] : tf.concat(blocks, 2);
  } finally {
    if (blocks.length > 1) tf.dispose(blocks);
    keyMask?.dispose();
  }
}

/**
 * The streaming form: queries q [b, h, m, d] at positions start .. start+m-1 over a cache of keys
 * and values in consecutive blocks (the new tokens' included), no padding.
 */
export function softmaxAttentionCached(
  q: tf.Tensor4D,
  keyBlocks: tf.Tensor4D[],
  valueBlocks: tf.Tensor4D[],
  start: number,
  options: SoftmaxAttentionOptions,
): tf.Tensor4D {
  return tf.tidy(() => {
    let xi = q;
    if (keyBlocks.length === 1 && fusedCausalAttention(q.shape[3], valueBlocks[0].shape[3])) {
      // A cache of one block goes to the fused kernel, the queries its last positions. Over more
      // blocks the online form stays: the kernel walks a query's keys in one workgroup, serially.
      const [k, v] = [keyBlocks[0], valueBlocks[0]];
      for (let i = 1; i < options.updateSteps; i++)
        xi = causalAttention(xi, k, k, options.scale, undefined, options.fillOnHost);
      return causalAttention(xi, k, v, options.scale, undefined, options.fillOnHost);
    }
    for (let i = 1; i < options.updateSteps; i++)
      xi = blockedSoftmaxAttend(xi, keyBlocks, keyBlocks, options.scale, start, options.fillOnHost);
    return blockedSoftmaxAttend(xi, keyBlocks, valueBlocks, options.scale, start, options.fillOnHost);
  });
}

/** Appends x [b, h, m, d] to a list of cache blocks of `blockSize` tokens, filling the last block first. */
export function appendToBlocks(blocks: tf.Tensor4D[], x: tf.Tensor4D, blockSize: number): void {
  const m = x.shape[2];
  for (let offset = 0; offset < m;) {
    const last = blocks.length ? blocks[blocks.length - 1] : null;
    const room = last ? blockSize - last.shape[2] : 0;
    const take = Math.min(room > 0 ? room : blockSize, m - offset);
    const piece = tf.keep(tf.slice(x, [0, 0, offset, 0], [-1, -1, take, -1]));
    if (last && room > 0) {
      blocks[blocks.length - 1] = tf.keep(tf.concat([last, piece], 2));
      tf.dispose([last, piece]);
    } else {
      blocks.push(piece);
    }
    offset += take;
  }
}
