/**
 * The delta rule (architectures.md section 4): S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T,
 * o_t = S_t q_t, with S held transposed as M = S^T [b, h, d, d] (rows key features, columns value
 * features). One signature for both forms: q, k [b, h, n, d] (normalised), v [b, h, n, d], beta
 * [b, h, n] (0 where a token must not write, with its k zeroed as well), the state before the first
 * token -> outputs [b, h, n, d] and the state after the last.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import { DELTA_RULE, DELTA_RULE_GRAD, DeltaRuleAttrs, deltaRuleTakes, hasKernel, runKernel } from '../kernels/names';
import { mergeHeads, splitHeads } from './heads';
import { causalMask } from './masks';
import { bmm } from './matmul';
import { unitLowerInverse } from './triangular';

export interface DeltaRuleResult {
  output: tf.Tensor4D;
  memory: tf.Tensor4D;
}

/** What deltaRule gives: the outputs with heads merged [b, n, h*d] and the state after the last token. */
export interface DeltaRuleLayerResult {
  output: tf.Tensor3D;
  memory: tf.Tensor4D;
}

/** x / max(|x|, 1e-12) over the last axis (architectures.md section 4). */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), -1, true)), 1e-12)) as T);
}

/**
 * The delta rule of one layer from its projections q, k, v [b, n, h*d] (q and k normalised per head
 * here), beta [b, n, h] (0 where a token must not write) and the state before the first token
 * [b, h, d, d]: by the backend's DELTA_RULE kernel where it has one (the recurrence in
 * one dispatch, models/kernels/webgpu/delta_rule.ts), else deltaRuleChunkwise on the split heads.
 */
export function deltaRule(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  beta: tf.Tensor3D,
  memory: tf.Tensor4D,
  heads: number,
  chunkSize: number,
  fillOnHost: boolean,
): DeltaRuleLayerResult {
  const [b, n, width] = q.shape;
  const d = width / heads;
  if (!(hasKernel(DELTA_RULE) && deltaRuleTakes(d)))
    return deltaRuleComposite(q, k, v, beta, memory, heads, chunkSize, fillOnHost);
  return tf.tidy(() => {
    const both = runKernel(DELTA_RULE, { q, k, v, beta, memory }, { heads }) as tf.Tensor3D;
    return {
      output: tf.slice(both, [0, 0, 0], [b, n, width]),
      memory: tf.reshape(tf.slice(both, [0, n, 0], [b, d, width]), [b, heads, d, d]) as tf.Tensor4D,
    };
  });
}

/** deltaRule by tf ops (what DELTA_RULE kernels must equal): normalised heads, the chunkwise form, heads merged. */
export function deltaRuleComposite(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  beta: tf.Tensor3D,
  memory: tf.Tensor4D,
  heads: number,
  chunkSize: number,
  fillOnHost: boolean,
): DeltaRuleLayerResult {
  return tf.tidy(() => {
    const betaHeads = tf.transpose(beta, [0, 2, 1]) as tf.Tensor3D;
    // A token that writes nothing gets k = 0 as well (deltaRuleChunkwise's contract).
    const writes = tf.cast(tf.notEqual(betaHeads, 0), 'float32');
    const keys = tf.mul(l2Normalize(splitHeads(k, heads)), tf.expandDims(writes, 3)) as tf.Tensor4D;
    const { output, memory: after } = deltaRuleChunkwise(
      l2Normalize(splitHeads(q, heads)),
      keys,
      splitHeads(v, heads),
      betaHeads,
      memory,
      chunkSize,
      fillOnHost,
    );
    return { output: mergeHeads(output), memory: after };
  });
}

/** DELTA_RULE's composite in the kernel's layout: the outputs, then the state's [h, d, d] as d rows of h*d. */
export function deltaRuleKernelComposite(inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor3D {
  return tf.tidy(() => {
    const { q, k, v, beta, memory } = inputs as Record<string, tf.Tensor3D>;
    const heads = attrs.heads as number;
    const [b, , width] = q.shape;
    // Any chunk size gives the same; the masks on the host work on every backend.
    const { output, memory: after } = deltaRuleComposite(
      q,
      k,
      v,
      beta,
      memory as unknown as tf.Tensor4D,
      heads,
      32,
      true,
    );
    return tf.concat([output, tf.reshape(after, [b, width / heads, width])], 1) as tf.Tensor3D;
  });
}

/**
 * DELTA_RULE's gradient: its backward kernel (DELTA_RULE_GRAD, registered with it) recomputes the
 * states from the saved inputs in a few walks over the tokens (models/kernels/webgpu/delta_rule_grad.ts).
 */
registerGradientOnce({
  kernelName: DELTA_RULE,
  inputsToSave: ['q', 'k', 'v', 'beta', 'memory'],
  gradFunc: (dy, [q, k, v, beta, memory], attrs) => {
    const { heads } = attrs as unknown as DeltaRuleAttrs;
    const [dq, dk, dv, dbeta, dmemory] = runKernel(
      DELTA_RULE_GRAD,
      { q, k, v, beta, memory, dy: dy as tf.Tensor },
      { heads },
    );
    return { q: () => dq, k: () => dk, v: () => dv, beta: () => dbeta, memory: () => dmemory };
  },
});

/**
 * Chunkwise (Yang et al. 2024). Per chunk of B tokens (rows of Q, K, V), with M the state before it:
 *   T = (I + tril(diag(beta) K K^T, -1))^-1 diag(beta),  W = T K,  U = T V   (the WY/UT form)
 *   Delta = U - W M                 (row s: beta_s (v_s - S_{s-1} k_s)^T, the state's write at s)
 *   O = Q M + tril(Q K^T) Delta     (inclusive causal mask)
 *   M_next = M + K^T Delta
 * T depends only on the chunk's own keys and beta, so it is built for every chunk at once; only
 * Delta and M_next pass from chunk to chunk.
 */
export function deltaRuleChunkwise(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  beta: tf.Tensor3D,
  memory: tf.Tensor4D,
  chunkSize: number,
  fillOnHost: boolean,
): DeltaRuleResult {
  return tf.tidy(() => {
    const [b, h, n, d] = q.shape;
    const B = Math.min(chunkSize, n);
    const C = Math.ceil(n / B);
    const pad = C * B - n;
    // The padded tail has beta = 0 and k = 0, so it writes nothing; its outputs are cropped.
    const chunked = (t: tf.Tensor4D) =>
      tf.reshape(
        pad > 0
          ? tf.pad(t, [
              [0, 0],
              [0, 0],
              [0, pad],
              [0, 0],
            ])
          : t,
        [b * h, C, B, d],
      ) as tf.Tensor4D;
    const qc = chunked(q);
    const kc = chunked(k);
    const kt = tf.transpose(kc, [0, 1, 3, 2]);
    const betaRows = tf.reshape(
      pad > 0
        ? tf.pad(beta, [
            [0, 0],
            [0, 0],
            [0, pad],
          ])
        : beta,
      [b * h, C, B, 1],
    );
    const a = tf.mul(tf.mul(bmm(kc, kt), betaRows), causalMask(B, B, -1, fillOnHost));
    const t = tf.mul(unitLowerInverse(a), tf.reshape(betaRows, [b * h, C, 1, B]));
    const w = bmm(t, kc) as tf.Tensor4D;
    const u = bmm(t, chunked(v)) as tf.Tensor4D;
    // The state passes from chunk to chunk: the only sequential part, which computes just Delta and
    // M_next. O of every chunk follows in two batched products from the kept Deltas and the states M
    // at each chunk's start ([b*h, C, B, d] and [b*h, C, d, d]: about the size of the inputs).
    const chunk = (x: tf.Tensor4D, c: number) =>
      tf.reshape(tf.slice(x, [0, c, 0, 0], [-1, 1, -1, -1]), [b * h, x.shape[2], x.shape[3]]) as tf.Tensor3D;
    let m = tf.reshape(memory, [b * h, d, d]) as tf.Tensor3D;
    const starts: tf.Tensor3D[] = [];
    const deltas: tf.Tensor3D[] = [];
    for (let c = 0; c < C; c++) {
      const [delta, next] = tf.tidy((): tf.Tensor3D[] => {
        const write = tf.sub(chunk(u, c), bmm(chunk(w, c), m)) as tf.Tensor3D;
        return [write, tf.add(m, bmm(chunk(kt, c), write))];
      });
      starts.push(m);
      deltas.push(delta);
      m = next;
    }
    const o = tf.add(
      bmm(qc, tf.stack(starts, 1)),
      bmm(tf.mul(bmm(qc, kt), causalMask(B, B, 0, fillOnHost)), tf.stack(deltas, 1)),
    );
    const all = tf.reshape(o, [b, h, C * B, d]) as tf.Tensor4D;
    return {
      output: pad > 0 ? tf.slice(all, [0, 0, 0, 0], [-1, -1, n, -1]) : all,
      memory: tf.reshape(m, [b, h, d, d]) as tf.Tensor4D,
    };
  });
}

/** Recurrent: the rule applied token by token (M += k (beta (v - M^T k))^T, o = M^T q). */
export function deltaRuleRecurrent(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  beta: tf.Tensor3D,
  memory: tf.Tensor4D,
): DeltaRuleResult {
  return tf.tidy(() => {
    const n = q.shape[2];
    const at = (t: tf.Tensor4D, i: number) => tf.slice(t, [0, 0, i, 0], [-1, -1, 1, -1]);
    let m = memory;
    const outputs: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      const ki = at(k, i);
      const betaI = tf.reshape(tf.slice(beta, [0, 0, i], [-1, -1, 1]), [beta.shape[0], beta.shape[1], 1, 1]);
      // (v - S k)^T as a row: v^T - k^T M.
      const write = tf.mul(tf.sub(at(v, i), bmm(ki, m)), betaI);
      m = tf.add(m, bmm(ki, write, true, false));
      outputs.push(bmm(at(q, i), m) as tf.Tensor4D);
    }
    return { output: tf.concat(outputs, 2) as tf.Tensor4D, memory: m };
  });
}
