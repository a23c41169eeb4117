/**
 * The attention of a gated attention unit, chunked (architectures.md section 6), before its gate:
 * one head of size E; for position t in chunk c,
 *   local_t = sum_{s in c, s<=t} softmax_s(q_t . k_s / sqrt(E)) v_s
 *   cross_t = q_t^T (sum of k_s v_s^T over the unmasked positions of chunks before c) / max(1, their count).
 * Two forms: chunkwise over a group of chunks after a carried sum, and the streaming step, which
 * takes the next m tokens into a state (token by token when m = 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { swapTensor } from './state_tensors';
import { causalMask } from './masks';
import { bmm } from './matmul';
import { exclusivePrefixSum } from './prefix';
import { softmaxAttend } from './softmax';

/** What the chunkwise form carries between groups: sum of k_s v_s^T so far [b, 1, E*E] and its token count [b or 1, 1]. */
export interface GAUCarry {
  sum: tf.Tensor3D | null;
  count: tf.Tensor | number;
}

export interface GAUOptions {
  chunkSize: number;
  fillOnHost: boolean;
  prefixSums: 'matmul' | 'cumsum';
}

/**
 * Chunkwise: q, k, v [b, L, E] of whole chunks (L <= G*B; a short tail is padded), valid [b, L] or
 * null, after the chunks summed in `carry`. Returns local + cross [b, L, E] and the carry after.
 */
export function gauAttentionChunkwise(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  valid: tf.Tensor2D | null,
  carry: GAUCarry,
  options: GAUOptions,
): { output: tf.Tensor3D; carry: GAUCarry } {
  return tf.tidy(() => {
    const [b, n, E] = q.shape;
    const B = options.chunkSize;
    const G = Math.ceil(n / B);
    const pad = G * B - n;
    // The padded tail only ever follows the real tokens of the last chunk: causal masking hides it
    // from real queries, and the last chunk's state feeds no later chunk.
    const chunked = (t: tf.Tensor3D) =>
      tf.reshape(
        pad > 0
          ? tf.pad(t, [
              [0, 0],
              [0, pad],
              [0, 0],
            ])
          : t,
        [b, G, B, E],
      ) as tf.Tensor4D;
    const qc = chunked(q);
    const kc = chunked(k);
    let vc = chunked(v);
    let keyMask: tf.Tensor4D | null = null;
    // Real tokens in each chunk [b or 1, G] (not the padded tail), for the divisor of the cross term and the carry.
    let counts: tf.Tensor2D = tf.tensor2d(
      Array.from({ length: G }, (_, c) => Math.min(B, n - c * B)),
      [1, G],
    );
    if (valid) {
      const real = tf.reshape(
        tf.pad(valid, [
          [0, 0],
          [0, pad],
        ]),
        [b, G, B],
      ) as tf.Tensor3D;
      // Zeroed values drop masked tokens out of the chunk states (k_s v_s^T = 0); the key mask hides them locally.
      vc = tf.mul(vc, tf.expandDims(real, 3));
      keyMask = tf.expandDims(real, 2) as tf.Tensor4D;
      counts = tf.sum(real, 2);
    }
    const local = softmaxAttend(qc, kc, vc, 1 / Math.sqrt(E), causalMask(B, B, 0, options.fillOnHost), keyMask);
    // Sums over all earlier chunks of K_j^T V_j, carried ones included.
    const states = tf.reshape(bmm(kc, vc, true, false), [b, G, E * E]) as tf.Tensor3D;
    const sums = exclusivePrefixSum(states, carry.sum, options.prefixSums);
    const earlierCount = tf.add(tf.cumsum(counts, 1, true), carry.count);
    const cross = tf.div(
      bmm(qc, tf.reshape(sums, [b, G, E, E])),
      tf.reshape(tf.maximum(earlierCount, 1), [-1, G, 1, 1]),
    );
    const o = tf.reshape(tf.add(local, cross), [b, G * B, E]) as tf.Tensor3D;
    return {
      output: pad > 0 ? tf.slice(o, [0, 0, 0], [-1, n, -1]) : o,
      carry: {
        sum: tf.add(
          tf.slice(sums, [0, G - 1, 0], [-1, 1, -1]),
          tf.slice(states, [0, G - 1, 0], [-1, 1, -1]),
        ) as tf.Tensor3D,
        count: tf.add(carry.count, tf.sum(counts, 1, true)),
      },
    };
  });
}

/** Streaming state: the current chunk's keys/values and the sum of k v^T over completed chunks. */
export interface GAUState {
  /** [b, filled, E]. */
  chunkKeys: tf.Tensor3D | null;
  chunkValues: tf.Tensor3D | null;
  filled: number;
  /** sum of k_s v_s^T over every token of the completed chunks [b, E, E]; null before the first completes. */
  pastSum: tf.Tensor3D | null;
  /** How many tokens that sum holds. */
  pastCount: number;
}

export function gauInitialState(): GAUState {
  return { chunkKeys: null, chunkValues: null, filled: 0, pastSum: null, pastCount: 0 };
}

/**
 * The streaming form, for tokens q, k, v [b, L, E] that all fall in the current chunk: local
 * attention over the chunk so far plus the cross term; the state takes their keys and values.
 */
export function gauAttentionStep(
  state: GAUState,
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  fillOnHost: boolean,
): tf.Tensor3D {
  const L = q.shape[1];
  const E = q.shape[2];
  const keys = state.chunkKeys ? tf.concat([state.chunkKeys, k], 1) : k;
  const values = state.chunkValues ? tf.concat([state.chunkValues, v], 1) : v;
  let o = softmaxAttend(
    q,
    keys,
    values,
    1 / Math.sqrt(E),
    causalMask(L, keys.shape[1], state.filled, fillOnHost),
    null,
  );
  if (state.pastSum) o = tf.add(o, tf.div(bmm(q, state.pastSum), state.pastCount));
  state.chunkKeys = swapTensor(state.chunkKeys, keys);
  state.chunkValues = swapTensor(state.chunkValues, values);
  state.filled += L;
  return o;
}

/** The current chunk is full: add its K^T V to the running sum, start an empty chunk. */
export function gauCloseChunk(state: GAUState): void {
  const chunkSum = bmm(state.chunkKeys!, state.chunkValues!, true, false);
  state.pastSum = swapTensor(
    state.pastSum,
    state.pastSum ? (tf.add(state.pastSum, chunkSum) as tf.Tensor3D) : chunkSum,
  );
  state.pastCount += state.filled;
  state.chunkKeys = swapTensor(state.chunkKeys, null);
  state.chunkValues = swapTensor(state.chunkValues, null);
  state.filled = 0;
}
