import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
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

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    const [b, n] = x.shape;
    const B = this.chunk;
    const C = Math.ceil(n / B);
    const pad = C * B - n;
    return tf.tidy(() => {
      // The padded tail only ever follows the real tokens of the last chunk: causal masking hides it
      // from real queries, and the last chunk's state feeds no later chunk.
      const xp = pad > 0 ? tf.pad(x, [[0, 0], [0, pad], [0, 0]]) : x;
      const chunked = (t: tf.Tensor3D) => tf.reshape(t, [b, C, B, t.shape[2]]) as tf.Tensor4D;
      const q = chunked(this.q.apply(xp));
      const k = chunked(this.k.apply(xp));
      let v = chunked(this.v.apply(xp));
      let keyMask: tf.Tensor4D | null = null;
      // Tokens in the chunks before each chunk [b or 1, C]: the divisor of the cross term.
      let earlierCount: tf.Tensor = tf.mul(tf.range(0, C, 1, 'float32'), B);
      if (mask) {
        const real = tf.reshape(tf.pad(mask, [[0, 0], [0, pad]]), [b, C, B]) as tf.Tensor3D;
        // Zeroed values drop masked tokens out of the chunk states (k_s v_s^T = 0); the key mask hides them locally.
        v = tf.mul(v, tf.expandDims(real, 3));
        keyMask = tf.expandDims(real, 2) as tf.Tensor4D;
        earlierCount = tf.cumsum(tf.sum(real, 2), 1, true);
      }
      const local = softmaxAttend(q, k, v, this.scale, causalAllowed(B, B, 0), keyMask);
      // sum over earlier chunks of K_j^T V_j: an exclusive prefix sum of the chunk states [b, C, E, E].
      const earlier = tf.cumsum(bmm(k, v, true, false), 1, true);
      const cross = tf.div(bmm(q, earlier), tf.reshape(tf.maximum(earlierCount, 1), [-1, C, 1, 1]));
      const o = tf.reshape(tf.mul(tf.add(local, cross), tf.sigmoid(chunked(this.gate.apply(xp)))), [b, C * B, -1]) as tf.Tensor3D;
      return this.out.apply(pad > 0 ? tf.slice(o, [0, 0, 0], [-1, n, -1]) : o);
    });
  }

  initState(): GAUState {
    return { chunkKeys: null, chunkValues: null, filled: 0, pastSum: null, pastCount: 0 };
  }

  step(state: GAUState, x: tf.Tensor3D): tf.Tensor3D {
    const [b, m] = x.shape;
    const outputs: tf.Tensor3D[] = [];
    for (let offset = 0; offset < m;) {
      const length = Math.min(this.chunk - state.filled, m - offset);
      outputs.push(tf.tidy(() => this.stepWithinChunk(state, tf.slice(x, [0, offset, 0], [b, length, -1]))));
      offset += length;
      if (state.filled === this.chunk) tf.tidy(() => this.closeChunk(state));
    }
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
