import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { chunksPerGroup, scanChunkGroups } from './chunk_groups';
import { headDim, ModelConfig } from './config';
import { mergeHeads, splitHeads } from './heads';
import { UNIT_LOWER_INVERSE } from './kernels/wasm/unit_lower_inverse';
import { AttentionProjections, Linear } from './layers';
import { bmm } from './matmul';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { causalAllowed } from './softmax';

/** Streaming state: S_t^T per batch row and head [b, h, d, d] (rows index key features, columns value features). */
export interface DeltaNetState {
  memory: tf.Tensor4D;
}

/** x / max(|x|, 1e-12) over the last axis (architectures.md section 4). */
function l2Normalize<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), -1, true)), 1e-12)) as T);
}

/**
 * (I + A)^-1 for strictly lower-triangular A [..., B, B] (entries on and above the diagonal are
 * ignored), by forward substitution: exact up to rounding, unlike a Neumann/doubling product, which
 * loses float32 accuracy. On wasm this is one UnitLowerInverse kernel call; elsewhere tf ops.
 */
export function unitLowerInverse<T extends tf.Tensor>(a: T): T {
  if (tf.getBackend() === 'wasm' && tf.getKernel(UNIT_LOWER_INVERSE, 'wasm')) {
    return tf.engine().runKernel(UNIT_LOWER_INVERSE, { a }) as T;
  }
  return unitLowerInverseByRows(a);
}

/**
 * unitLowerInverse in tf ops, one row at a time (row i = e_i - sum_{j<i} A_ij row j), vectorised over
 * the leading axes.
 */
export function unitLowerInverseByRows<T extends tf.Tensor>(a: T): T {
  return tf.tidy(() => {
    const B = a.shape[a.rank - 1];
    const flat = tf.reshape(a, [-1, B, B]) as tf.Tensor3D;
    const N = flat.shape[0];
    const eye = tf.eye(B);
    let rows = tf.broadcastTo(tf.slice(eye, [0, 0], [1, B]), [N, 1, B]) as tf.Tensor3D;
    for (let i = 1; i < B; i++) {
      // Each step's rows are freed as soon as the next step has copied them.
      const next: tf.Tensor3D = tf.tidy(() => {
        const row = tf.sub(tf.slice(eye, [i, 0], [1, B]), bmm(tf.slice(flat, [0, i, 0], [N, 1, i]), rows));
        return tf.concat([rows, row], 1) as tf.Tensor3D;
      });
      rows.dispose();
      rows = next;
    }
    return tf.reshape(rows, a.shape) as T;
  });
}

/**
 * The delta rule S_t = S_{t-1} + beta_t (v_t - S_{t-1} k_t) k_t^T, o_t = S_t q_t, chunkwise
 * (Yang et al. 2024). q, k, v [b, h, n, d] with q, k normalised; beta [b, h, n] (0 where a token must
 * not write, with its k zeroed as well); memory [b, h, d, d] holds S^T of the state before the first
 * token. Returns the outputs [b, h, n, d] and S^T after the last token.
 *
 * Per chunk of B tokens (rows of Q, K, V), with M = S_prev^T:
 *   T = (I + tril(diag(beta) K K^T, -1))^-1 diag(beta),  W = T K,  U = T V   (the WY/UT form)
 *   Delta = U - W M                 (row s: beta_s (v_s - S_{s-1} k_s)^T, the state's write at s)
 *   O = Q M + tril(Q K^T) Delta     (inclusive causal mask)
 *   M_next = M + K^T Delta
 */
export function deltaRuleChunkwise(
  q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, beta: tf.Tensor3D, memory: tf.Tensor4D, chunkSize: number,
): { output: tf.Tensor4D; memory: tf.Tensor4D } {
  return tf.tidy(() => {
    const [b, h, n, d] = q.shape;
    const B = Math.min(chunkSize, n);
    const C = Math.ceil(n / B);
    const pad = C * B - n;
    // The padded tail has beta = 0 and k = 0, so it writes nothing; its outputs are cropped.
    const chunked = (t: tf.Tensor4D) => tf.reshape(pad > 0 ? tf.pad(t, [[0, 0], [0, 0], [0, pad], [0, 0]]) : t, [b * h, C, B, d]) as tf.Tensor4D;
    const qc = chunked(q);
    const kc = chunked(k);
    const kt = tf.transpose(kc, [0, 1, 3, 2]);
    const betaRows = tf.reshape(pad > 0 ? tf.pad(beta, [[0, 0], [0, 0], [0, pad]]) : beta, [b * h, C, B, 1]);
    const a = tf.mul(tf.mul(bmm(kc, kt), betaRows), causalAllowed(B, B, -1));
    const t = tf.mul(unitLowerInverse(a), tf.reshape(betaRows, [b * h, C, 1, B]));
    const w = bmm(t, kc) as tf.Tensor4D;
    const u = bmm(t, chunked(v)) as tf.Tensor4D;
    // The state passes from chunk to chunk: the only sequential part, which computes just Delta and
    // M_next. O of every chunk follows in two batched products from the kept Deltas and the states M
    // at each chunk's start ([b*h, C, B, d] and [b*h, C, d, d]: about the size of the inputs).
    const chunk = (x: tf.Tensor4D, c: number) => tf.reshape(tf.slice(x, [0, c, 0, 0], [-1, 1, -1, -1]), [b * h, x.shape[2], x.shape[3]]) as tf.Tensor3D;
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
    const o = tf.add(bmm(qc, tf.stack(starts, 1)), bmm(tf.mul(bmm(qc, kt), causalAllowed(B, B, 0)), tf.stack(deltas, 1)));
    const all = tf.reshape(o, [b, h, C * B, d]) as tf.Tensor4D;
    return {
      output: pad > 0 ? tf.slice(all, [0, 0, 0, 0], [-1, -1, n, -1]) : all,
      memory: tf.reshape(m, [b, h, d, d]) as tf.Tensor4D,
    };
  });
}

/**
 * DeltaNet (architectures.md section 4): the plain delta rule with a fixed or learned write strength
 * beta, computed chunkwise in O(n B d + n d^2); no clipping, noise or rescaling of the state.
 */
export class DeltaNetAttention implements CausalAttention<DeltaNetState> {
  private readonly proj: AttentionProjections;
  /** Linear(D, h) giving beta_t = sigmoid(.) per head, when config.learnedBeta. */
  private readonly betaProj: Linear | null;
  private readonly beta: number;
  private readonly heads: number;
  private readonly d: number;
  private readonly chunk: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    const D = config.hiddenDim;
    this.heads = config.numHeads;
    this.d = headDim(config);
    this.chunk = config.chunkSize;
    this.beta = config.beta;
    this.proj = new AttentionProjections(store, prefix, D);
    this.betaProj = config.learnedBeta ? new Linear(store, `${prefix}.beta_proj`, D, this.heads) : null;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => this.attendInGroups(x, mask, tf.zeros([x.shape[0], this.heads, this.d, this.d])).out);
  }

  initState(batchSize: number): DeltaNetState {
    return { memory: tf.keep(tf.zeros([batchSize, this.heads, this.d, this.d])) };
  }

  step(state: DeltaNetState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const { out, carry } = this.attendInGroups(x, null, state.memory);
      state.memory = swapTensor(state.memory, carry);
      return out;
    });
  }

  /**
   * The delta rule over groups of whole chunks (about ROWS_PER_GROUP rows each), the state carried
   * from group to group, so that only one group's q, k, v and chunk tensors are live at any length.
   * Returns the outputs after out_proj [b, n, D] and S^T after the last token.
   */
  private attendInGroups(x: tf.Tensor3D, mask: tf.Tensor2D | null, memory: tf.Tensor4D): { out: tf.Tensor3D; carry: tf.Tensor4D } {
    const groupLength = chunksPerGroup(x.shape[0], this.chunk) * this.chunk;
    return scanChunkGroups(x, mask, groupLength, memory, (xg, maskg, before) => {
      const [q, k, v, beta] = this.project(xg, maskg);
      const { output, memory: after } = deltaRuleChunkwise(q, k, v, beta, before, this.chunk);
      return { out: this.proj.out.apply(mergeHeads(output)), carry: after };
    });
  }

  disposeState(state: DeltaNetState): void {
    disposeAll([state.memory]);
  }

  /** q, k, v [b, h, n, d] (q, k normalised) and beta [b, h, n]; masked tokens get k = 0 and beta = 0. */
  private project(x: tf.Tensor3D, mask: tf.Tensor2D | null): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor3D] {
    return tf.tidy(() => {
      const [b, n] = x.shape;
      const q = l2Normalize(splitHeads(this.proj.q.apply(x), this.heads));
      let k = l2Normalize(splitHeads(this.proj.k.apply(x), this.heads));
      const v = splitHeads(this.proj.v.apply(x), this.heads);
      let beta: tf.Tensor3D = this.betaProj
        ? tf.transpose(tf.sigmoid(this.betaProj.apply(x)), [0, 2, 1])
        : tf.fill([b, this.heads, n], this.beta);
      if (mask) {
        beta = tf.mul(beta, tf.reshape(mask, [b, 1, n]));
        k = tf.mul(k, tf.reshape(mask, [b, 1, n, 1]));
      }
      return [q, k, v, beta];
    });
  }
}

export class DeltaNetModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('DeltaNet', config, (store, prefix, cfg) => new DeltaNetAttention(store, prefix, cfg));
  }
}
