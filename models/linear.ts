import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { chunksPerGroup, scanChunkGroups } from './chunk_groups';
import { ModelConfig } from './config';
import { mergeHeads, splitHeads } from './heads';
import { AttentionProjections } from './layers';
import { bmm } from './matmul';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { causalAllowed } from './softmax';

/** Added to the denominator phi(q)^T z (architectures.md section 3). */
const EPSILON = 1e-6;

/** Streaming state: [S | z] summed over every token so far, [b, h, d, d+1], or null before any token. */
export interface LinearState {
  sums: tf.Tensor4D | null;
}

/** phi(x) = elu(x) + 1: positive features. */
function featureMap<T extends tf.Tensor>(x: T): T {
  return tf.add(tf.elu(x), 1) as T;
}

/**
 * Linear attention after Katharopoulos et al. (architectures.md section 3):
 * o_t = phi(q_t)^T S_t / (phi(q_t)^T z_t + 1e-6) with S_t = sum_{s<=t} phi(k_s) v_s^T and
 * z_t = sum_{s<=t} phi(k_s). Values carry an extra constant feature 1, so one product gives the
 * numerator and the denominator: [S | z] = sum phi(k_s) [v_s, 1]^T. Computed chunkwise: a masked
 * (lower-triangular) product inside each chunk plus the sums carried from earlier chunks.
 */
export class LinearAttention implements CausalAttention<LinearState> {
  private readonly proj: AttentionProjections;
  private readonly heads: number;
  private readonly chunk: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    const D = config.hiddenDim;
    this.proj = new AttentionProjections(store, prefix, D);
    this.heads = config.numHeads;
    this.chunk = config.chunkSize;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => this.attendInGroups(x, mask, null).out);
  }

  initState(): LinearState {
    return { sums: null };
  }

  /** The m new tokens are attended chunkwise exactly as in forward, starting from the carried sums. */
  step(state: LinearState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const { out, carry } = this.attendInGroups(x, null, state.sums);
      state.sums = swapTensor(state.sums, carry);
      return out;
    });
  }

  disposeState(state: LinearState): void {
    disposeAll([state.sums]);
  }

  /**
   * attend over groups of whole chunks (about ROWS_PER_GROUP rows each), the sums carried from group
   * to group, so that only one group's q, k, v and chunk tensors are live at any length. Returns the
   * outputs after out_proj [b, n, D] and the sums after the last token.
   */
  private attendInGroups(x: tf.Tensor3D, mask: tf.Tensor2D | null, before: tf.Tensor4D | null): { out: tf.Tensor3D; carry: tf.Tensor4D } {
    const groupLength = chunksPerGroup(x.shape[0], this.chunk) * this.chunk;
    return scanChunkGroups<tf.Tensor4D | null>(x, mask, groupLength, before, (xg, maskg, sums) => {
      const { out, sums: after } = this.attend(xg, maskg, sums);
      return { out: this.proj.out.apply(out), carry: after };
    }) as { out: tf.Tensor3D; carry: tf.Tensor4D };
  }

  /**
   * x [b, n, D] with mask [b, n] or null, after the tokens summed in `before` [b, h, d, d+1] (null: none).
   * Returns the heads merged [b, n, D] (before out_proj) and the sums after the last token.
   */
  private attend(x: tf.Tensor3D, mask: tf.Tensor2D | null, before: tf.Tensor4D | null): { out: tf.Tensor3D; sums: tf.Tensor4D } {
    const [b, n] = x.shape;
    // Fewer tokens than a chunk (a decode step) make one chunk of their own size: no padded work.
    const B = Math.min(this.chunk, n);
    const C = Math.ceil(n / B);
    const pad = C * B - n;
    const xp = pad > 0 ? tf.pad(x, [[0, 0], [0, pad], [0, 0]]) : x;
    const chunked = (t: tf.Tensor4D) => tf.reshape(t, [b, this.heads, C, B, t.shape[3]]) as tf.Tensor5D;
    const q = chunked(featureMap(splitHeads(this.proj.q.apply(xp), this.heads)));
    const k = chunked(featureMap(splitHeads(this.proj.k.apply(xp), this.heads)));
    const v = splitHeads(this.proj.v.apply(xp), this.heads);
    let values = chunked(tf.concat([v, tf.ones([b, this.heads, C * B, 1])], 3));
    if (mask || pad > 0) {
      // Masked and padding positions add nothing to any sum: zeroing their [v, 1] zeroes every
      // product phi(k_s) [v_s, 1]^T they would contribute.
      values = tf.mul(values, tf.reshape(tf.pad(mask ?? tf.ones([b, n]), [[0, 0], [0, pad]]), [b, 1, C, B, 1]));
    }
    const d = k.shape[4];
    // Inside chunk c: sum_{s in c, s<=t} (phi(q_t) . phi(k_s)) [v_s, 1].
    const local = bmm(tf.mul(bmm(q, k, false, true), causalAllowed(B, B, 0)), values);
    // Each chunk's own [S | z] and, by an exclusive prefix sum, the sums over all earlier tokens.
    const chunkSums = bmm(k, values, true, false);
    let earlier = tf.cumsum(chunkSums, 2, true) as tf.Tensor5D;
    if (before) earlier = tf.add(earlier, tf.reshape(before, [b, this.heads, 1, d, d + 1])) as tf.Tensor5D;
    const both = tf.reshape(tf.add(local, bmm(q, earlier)), [b, this.heads, C * B, d + 1]);
    const numerator = tf.slice(both, [0, 0, 0, 0], [-1, -1, n, d]);
    const denominator = tf.slice(both, [0, 0, 0, d], [-1, -1, n, 1]);
    const out = mergeHeads(tf.div(numerator, tf.add(denominator, EPSILON)));
    const total = tf.sum(chunkSums, 2) as tf.Tensor4D;
    return { out, sums: before ? tf.add(before, total) : total };
  }
}

export class LinearModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('Linear', config, (store, prefix, cfg) => new LinearAttention(store, prefix, cfg));
  }
}
