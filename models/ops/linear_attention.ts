/**
 * Linear attention after Katharopoulos et al. (architectures.md section 3), on features already
 * mapped (phi(q), phi(k) > 0): S_t = sum_{s<=t} phi(k_s) v_s^T, z_t = sum_{s<=t} phi(k_s),
 * o_t = phi(q_t)^T S_t / (phi(q_t)^T z_t + 1e-6). Values carry an extra constant feature 1, so one
 * product gives numerator and denominator: the state is [S | z] = sum phi(k_s) [v_s, 1]^T,
 * [b, h, d, d+1]. Two forms with one signature (features, values, valid, initial state) ->
 * (outputs, final state): chunkwise and recurrent.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerCompositeGradient } from '../kernels/gradients';
import { hasKernel, LINEAR_ATTENTION, linearAttentionTakes, runKernel } from '../kernels/names';
import { mergeHeads, splitHeads } from './heads';
import { causalMask } from './masks';
import { bmm } from './matmul';
import { exclusivePrefixSum } from './prefix';

/** Added to the denominator phi(q)^T z. */
export const LINEAR_EPSILON = 1e-6;

export interface LinearAttentionResult {
  output: tf.Tensor4D;
  /** [S | z] after the last token, [b, h, d, d+1]. */
  state: tf.Tensor4D;
}

/** [v, 1] with masked tokens' rows zeroed (they add nothing to any sum): [b, h, n, d+1]. */
function widenedValues(v: tf.Tensor4D, valid: tf.Tensor2D | null): tf.Tensor4D {
  const [b, h, n] = v.shape;
  const widened = tf.concat([v, tf.ones([b, h, n, 1])], 3) as tf.Tensor4D;
  return valid ? tf.mul(widened, tf.reshape(valid, [b, 1, n, 1])) : widened;
}

/** numerator / (denominator + epsilon) from rows [num | den] [..., d+1]. */
function normalise(both: tf.Tensor4D, d: number): tf.Tensor4D {
  const [b, h, n] = both.shape;
  const numerator = tf.slice(both, [0, 0, 0, 0], [b, h, n, d]);
  const denominator = tf.slice(both, [0, 0, 0, d], [b, h, n, 1]);
  return tf.div(numerator, tf.add(denominator, LINEAR_EPSILON)) as tf.Tensor4D;
}

/** phi(x) = elu(x) + 1: positive features. */
export function featureMap<T extends tf.Tensor>(x: T): T {
  return tf.add(tf.elu(x), 1) as T;
}

/** What linearAttention gives: the outputs with heads merged [b, n, h*d] and [S | z] after the last token [b, h, d, d+1]. */
export interface LinearAttentionLayerResult {
  output: tf.Tensor3D;
  state: tf.Tensor4D;
}

/**
 * Linear attention of one layer from its projections q, k, v [b, n, h*d] (phi applied here), valid
 * [b, n] or null and the sums before the first token [b, h, d, d+1] or null: by the backend's
 * LINEAR_ATTENTION kernel where it has one (the recurrence in one dispatch,
 * models/kernels/webgpu/linear_attention.ts), else linearAttentionChunkwise on the split heads.
 */
export function linearAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  valid: tf.Tensor2D | null,
  initial: tf.Tensor4D | null,
  heads: number,
  chunkSize: number,
  options: { fillOnHost: boolean; prefixSums: 'matmul' | 'cumsum' },
): LinearAttentionLayerResult {
  const [b, n, width] = q.shape;
  const d = width / heads;
  if (!(hasKernel(LINEAR_ATTENTION) && linearAttentionTakes(d))) {
    return tf.tidy(() => {
      const { output, state } = linearAttentionChunkwise(
        featureMap(splitHeads(q, heads)),
        featureMap(splitHeads(k, heads)),
        splitHeads(v, heads),
        valid,
        initial,
        chunkSize,
        options,
      );
      return { output: mergeHeads(output), state };
    });
  }
  return tf.tidy(() => {
    const both = runKernel(
      LINEAR_ATTENTION,
      {
        q,
        k,
        v,
        valid: valid ?? tf.ones([b, n]),
        state: initial ?? tf.zeros([b, heads, d, d + 1]),
      },
      { heads, epsilon: LINEAR_EPSILON },
    ) as tf.Tensor3D;
    return {
      output: tf.slice(both, [0, 0, 0], [b, n, width]),
      state: tf.reshape(tf.slice(both, [0, n, 0], [b, d + 1, width]), [b, heads, d, d + 1]) as tf.Tensor4D,
    };
  });
}

/** LINEAR_ATTENTION's composite in the kernel's layout: the outputs, then the sums' [h, d, d+1] as d+1 rows of h*d. */
export function linearAttentionKernelComposite(inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor3D {
  return tf.tidy(() => {
    const { q, k, v, valid, state } = inputs;
    const heads = attrs.heads as number;
    const [b, , width] = q.shape;
    const split = (t: tf.Tensor) => splitHeads(t as tf.Tensor3D, heads);
    // Any chunk size gives the same (the epsilon is LINEAR_EPSILON's); the masks on the host work on every backend.
    const { output, state: after } = linearAttentionChunkwise(
      featureMap(split(q)),
      featureMap(split(k)),
      split(v),
      valid as tf.Tensor2D,
      state as tf.Tensor4D,
      32,
      { fillOnHost: true, prefixSums: 'matmul' },
    );
    return tf.concat([mergeHeads(output), tf.reshape(after, [b, width / heads + 1, width])], 1) as tf.Tensor3D;
  });
}

registerCompositeGradient(LINEAR_ATTENTION, ['q', 'k', 'v', 'valid', 'state'], linearAttentionKernelComposite);

/**
 * Chunkwise: inside chunk c a masked (lower-triangular) product, sum_{s in c, s<=t} (q_t . k_s) [v_s, 1];
 * across chunks the state after all earlier chunks, by an exclusive prefix sum of the chunks' own
 * sums plus `initial`. q, k [b, h, n, d] (features), v [b, h, n, d], valid [b, n] or null,
 * initial [b, h, d, d+1] or null (nothing before). Fewer tokens than a chunk make one chunk of their
 * own size (a decode step does no padded work).
 */
export function linearAttentionChunkwise(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  valid: tf.Tensor2D | null,
  initial: tf.Tensor4D | null,
  chunkSize: number,
  options: { fillOnHost: boolean; prefixSums: 'matmul' | 'cumsum' },
): LinearAttentionResult {
  return tf.tidy(() => {
    const [b, h, n, d] = q.shape;
    const B = Math.min(chunkSize, n);
    const C = Math.ceil(n / B);
    const pad = C * B - n;
    // Padding adds zero values (so nothing to any sum) and its outputs are cropped.
    const padTime = (t: tf.Tensor4D) =>
      pad > 0
        ? tf.pad(t, [
            [0, 0],
            [0, 0],
            [0, pad],
            [0, 0],
          ])
        : t;
    const chunked = (t: tf.Tensor4D) => tf.reshape(padTime(t), [b, h, C, B, t.shape[3]]) as tf.Tensor5D;
    const qc = chunked(q);
    const kc = chunked(k);
    const values = chunked(widenedValues(v, valid));
    const local = bmm(tf.mul(bmm(qc, kc, false, true), causalMask(B, B, 0, options.fillOnHost)), values);
    // Each chunk's own [S | z], and by an exclusive prefix sum the sums over all earlier tokens.
    const chunkSums = bmm(kc, values, true, false);
    const flat = (t: tf.Tensor) => tf.reshape(t, [b * h, -1, d * (d + 1)]) as tf.Tensor3D;
    const earlier = tf.reshape(
      exclusivePrefixSum(flat(chunkSums), initial ? flat(initial) : null, options.prefixSums),
      [b, h, C, d, d + 1],
    );
    const both = tf.reshape(tf.add(local, bmm(qc, earlier)), [b, h, C * B, d + 1]) as tf.Tensor4D;
    const output = normalise(pad > 0 ? tf.slice(both, [0, 0, 0, 0], [-1, -1, n, -1]) : both, d);
    const total = tf.sum(chunkSums, 2) as tf.Tensor4D;
    return { output, state: initial ? (tf.add(initial, total) as tf.Tensor4D) : total };
  });
}

/** Recurrent: the state updated token by token, o_t read after its own update. Same inputs and result as the chunkwise form. */
export function linearAttentionRecurrent(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  valid: tf.Tensor2D | null,
  initial: tf.Tensor4D | null,
): LinearAttentionResult {
  return tf.tidy(() => {
    const [b, h, n, d] = q.shape;
    const values = widenedValues(v, valid);
    const at = (t: tf.Tensor4D, i: number) => tf.slice(t, [0, 0, i, 0], [-1, -1, 1, -1]);
    let state: tf.Tensor4D = initial ?? tf.zeros([b, h, d, d + 1]);
    const outputs: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      state = tf.add(state, bmm(at(k, i), at(values, i), true, false)) as tf.Tensor4D;
      outputs.push(bmm(at(q, i), state));
    }
    return { output: normalise(tf.concat(outputs, 2) as tf.Tensor4D, d), state };
  });
}
