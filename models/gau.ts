import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { chunksPerGroup, scanChunkGroups, stepThroughChunks } from './chunk_groups';
import { ModelConfig } from './config';
import { Linear } from './layers';
import { bmm } from './matmul';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { causalAllowed, softmaxAttend } from './softmax';

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

/**
 * Chunks per group of the forward pass. A group holds its chunk states [b, G, E, E], and their
 * prefix sums cost G (G+1) E^2 multiply-adds, so G stays small.
 */
export const CHUNKS_PER_GROUP = 16;

/** What forward carries from group to group: sum of k_s v_s^T so far [b, 1, E*E] and its token count [b or 1, 1]. */
interface GroupCarry {
  sum: tf.Tensor3D | null;
  count: tf.Tensor | number;
}

/**
 * Exclusive prefix sums along axis 1 of chunk states [b, G, F] after a carried sum [b, 1, F] (null:
 * none): row c is carry + sum_{j<c} states_j. One product [L | 1] @ [states; carry] with L the
 * strictly lower-triangular all-ones G x G matrix, since a plain matmul runs on the fast path and a
 * cumsum on wasm does not.
 */
function exclusivePrefixSums(states: tf.Tensor3D, carry: tf.Tensor3D | null): tf.Tensor3D {
  const [b, G] = states.shape;
  const inputs = carry ? G + 1 : G;
  const weights = new Float32Array(G * inputs);
  for (let r = 0; r < G; r++) {
    weights.fill(1, r * inputs, r * inputs + r);
    if (carry) weights[r * inputs + G] = 1;
  }
  const left = tf.broadcastTo(tf.tensor3d(weights, [1, G, inputs]), [b, G, inputs]);
  return bmm(left, carry ? tf.concat([states, carry], 1) : states) as tf.Tensor3D;
}

/**
 * Gated attention unit, chunked (architectures.md section 6): one head of size E = expansionFactor * D;
 * causal softmax inside the chunk plus cross_t = q_t^T (mean over earlier chunks' unmasked k_s v_s^T),
 * gated by sigmoid(g_t). The earlier-chunk sums come from a prefix sum over chunk states.
 */
export class GAUAttention implements CausalAttention<GAUState> {
  private readonly q: Linear;
  private readonly k: Linear;
  private readonly v: Linear;
  private readonly gate: Linear;
  private readonly out: Linear;
  private readonly chunk: number;
  private readonly scale: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    const D = config.hiddenDim;
    const E = config.expansionFactor * D;
    this.q = new Linear(store, `${prefix}.q_proj`, D, E);
    this.k = new Linear(store, `${prefix}.k_proj`, D, E);
    this.v = new Linear(store, `${prefix}.v_proj`, D, E);
    this.gate = new Linear(store, `${prefix}.gate_proj`, D, E);
    this.out = new Linear(store, `${prefix}.out_proj`, E, D);
    this.chunk = config.chunkSize;
    this.scale = 1 / Math.sqrt(E);
  }

  /**
   * Works through the sequence in groups of at most CHUNKS_PER_GROUP chunks, carrying the sum of the
   * chunk states k_s v_s^T and their token count from group to group, so that only one group's
   * states (not C of them) are live at any length.
   */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    const groupLength = chunksPerGroup(x.shape[0], this.chunk, CHUNKS_PER_GROUP) * this.chunk;
    const start: GroupCarry = { sum: null, count: 0 };
    return tf.tidy(() => scanChunkGroups(x, mask, groupLength, start, (xg, maskg, carry) => this.attendGroup(xg, maskg, carry)).out);
  }

  /** One group of chunks x [b, L, D] (L <= G*B; a short tail is padded) after the chunks in `carry`. */
  private attendGroup(x: tf.Tensor3D, mask: tf.Tensor2D | null, carry: GroupCarry): { out: tf.Tensor3D; carry: GroupCarry } {
    const [b, n] = x.shape;
    const B = this.chunk;
    const G = Math.ceil(n / B);
    const pad = G * B - n;
    // The padded tail only ever follows the real tokens of the last chunk: causal masking hides it
    // from real queries, and the last chunk's state feeds no later chunk.
    const xp = pad > 0 ? tf.pad(x, [[0, 0], [0, pad], [0, 0]]) : x;
    const chunked = (t: tf.Tensor3D) => tf.reshape(t, [b, G, B, t.shape[2]]) as tf.Tensor4D;
    const q = chunked(this.q.apply(xp));
    const k = chunked(this.k.apply(xp));
    let v = chunked(this.v.apply(xp));
    const E = v.shape[3];
    let keyMask: tf.Tensor4D | null = null;
    // Tokens in each chunk [b or 1, G], for the divisor of the cross term.
    let counts: tf.Tensor2D = tf.fill([1, G], B);
    if (mask) {
      const real = tf.reshape(tf.pad(mask, [[0, 0], [0, pad]]), [b, G, B]) as tf.Tensor3D;
      // Zeroed values drop masked tokens out of the chunk states (k_s v_s^T = 0); the key mask hides them locally.
      v = tf.mul(v, tf.expandDims(real, 3));
      keyMask = tf.expandDims(real, 2) as tf.Tensor4D;
      counts = tf.sum(real, 2);
    }
    const local = softmaxAttend(q, k, v, this.scale, causalAllowed(B, B, 0), keyMask);
    // Sums over all earlier chunks of K_j^T V_j, carried ones included.
    const states = tf.reshape(bmm(k, v, true, false), [b, G, E * E]) as tf.Tensor3D;
    const sums = exclusivePrefixSums(states, carry.sum);
    const earlier = tf.reshape(sums, [b, G, E, E]);
    const earlierCount = tf.add(tf.cumsum(counts, 1, true), carry.count);
    const cross = tf.div(bmm(q, earlier), tf.reshape(tf.maximum(earlierCount, 1), [-1, G, 1, 1]));
    const o = tf.reshape(tf.mul(tf.add(local, cross), tf.sigmoid(chunked(this.gate.apply(xp)))), [b, G * B, -1]) as tf.Tensor3D;
    return {
      out: this.out.apply(pad > 0 ? tf.slice(o, [0, 0, 0], [-1, n, -1]) : o),
      carry: {
        sum: tf.add(tf.slice(sums, [0, G - 1, 0], [-1, 1, -1]), tf.slice(states, [0, G - 1, 0], [-1, 1, -1])) as tf.Tensor3D,
        count: tf.add(carry.count, tf.sum(counts, 1, true)),
      },
    };
  }

  initState(): GAUState {
    return { chunkKeys: null, chunkValues: null, filled: 0, pastSum: null, pastCount: 0 };
  }

  step(state: GAUState, x: tf.Tensor3D): tf.Tensor3D {
    const outputs = stepThroughChunks(x, this.chunk, state, (piece) => this.stepWithinChunk(state, piece), () => this.closeChunk(state));
    const result = tf.tidy(() => this.out.apply(outputs.length === 1 ? outputs[0] : tf.concat(outputs, 1)));
    tf.dispose(outputs);
    return result;
  }

  disposeState(state: GAUState): void {
    disposeAll([state.chunkKeys, state.chunkValues, state.pastSum]);
  }

  /** Tokens x [b, L, D] that all fall in the current chunk: gated local attention plus the cross term. */
  private stepWithinChunk(state: GAUState, x: tf.Tensor3D): tf.Tensor3D {
    const L = x.shape[1];
    const q = this.q.apply(x);
    const keys = state.chunkKeys ? tf.concat([state.chunkKeys, this.k.apply(x)], 1) : this.k.apply(x);
    const values = state.chunkValues ? tf.concat([state.chunkValues, this.v.apply(x)], 1) : this.v.apply(x);
    let o = softmaxAttend(q, keys, values, this.scale, causalAllowed(L, keys.shape[1], state.filled), null);
    if (state.pastSum) o = tf.add(o, tf.div(bmm(q, state.pastSum), state.pastCount));
    state.chunkKeys = swapTensor(state.chunkKeys, keys);
    state.chunkValues = swapTensor(state.chunkValues, values);
    state.filled += L;
    return tf.mul(o, tf.sigmoid(this.gate.apply(x)));
  }

  /** The current chunk is full: add its K^T V to the running sum, start an empty chunk. */
  private closeChunk(state: GAUState): void {
    const chunkSum = bmm(state.chunkKeys!, state.chunkValues!, true, false);
    state.pastSum = swapTensor(state.pastSum, state.pastSum ? tf.add(state.pastSum, chunkSum) as tf.Tensor3D : chunkSum);
    state.pastCount += state.filled;
    state.chunkKeys = swapTensor(state.chunkKeys, null);
    state.chunkValues = swapTensor(state.chunkValues, null);
    state.filled = 0;
  }
}

export class GAUModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('GAU', config, (store, prefix, cfg) => new GAUAttention(store, prefix, cfg));
  }
}
