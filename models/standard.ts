import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { headDim, ModelConfig } from './config';
import { mergeHeads, splitHeads } from './heads';
import { AttentionProjections } from './layers';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { causalAllowed, softmaxAttend } from './softmax';

/** Queries per block: the score tensor is [b, h, QUERY_BLOCK, keys], never [n, n] at once. */
export const QUERY_BLOCK = 256;

/** Key/value cache of the streaming form. */
export interface KVCacheState {
  keys: tf.Tensor4D | null;
  values: tf.Tensor4D | null;
}

/**
 * Causal softmax attention over all earlier keys (architectures.md section 1), O(n^2 d).
 * Also the base of Hopfield, which changes only how a query block is attended.
 */
export class StandardAttention implements CausalAttention<KVCacheState> {
  protected readonly proj: AttentionProjections;
  protected readonly heads: number;
  protected readonly scale: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    const D = config.hiddenDim;
    this.proj = new AttentionProjections(store, prefix, D);
    this.heads = config.numHeads;
    this.scale = 1 / Math.sqrt(headDim(config));
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    const n = x.shape[1];
    const [q, k, v] = this.project(x);
    const keyMask = mask ? tf.reshape(mask, [mask.shape[0], 1, 1, n]) as tf.Tensor4D : null;
    const blocks: tf.Tensor4D[] = [];
    for (let start = 0; start < n; start += QUERY_BLOCK) {
      const end = Math.min(n, start + QUERY_BLOCK);
      // Query block [start, end) sees keys [0, end) only.
      blocks.push(tf.tidy(() => this.attendBlock(
        tf.slice(q, [0, 0, start, 0], [-1, -1, end - start, -1]),
        tf.slice(k, [0, 0, 0, 0], [-1, -1, end, -1]),
        tf.slice(v, [0, 0, 0, 0], [-1, -1, end, -1]),
        start,
        keyMask ? tf.slice(keyMask, [0, 0, 0, 0], [-1, -1, -1, end]) : null,
      )));
    }
    const heads = blocks.length === 1 ? blocks[0] : tf.concat(blocks, 2);
    const result = tf.tidy(() => this.proj.out.apply(mergeHeads(heads)));
    disposeAll([q, k, v, keyMask, heads, ...blocks]);
    return result;
  }

  initState(): KVCacheState {
    return { keys: null, values: null };
  }

  step(state: KVCacheState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      const past = state.keys ? state.keys.shape[2] : 0;
      const keys: tf.Tensor4D = swapTensor(state.keys, state.keys ? tf.concat([state.keys, k], 2) : k);
      const values: tf.Tensor4D = swapTensor(state.values, state.values ? tf.concat([state.values, v], 2) : v);
      state.keys = keys;
      state.values = values;
      return this.proj.out.apply(mergeHeads(this.attendBlock(q, keys, values, past, null)));
    });
  }

  disposeState(state: KVCacheState): void {
    disposeAll([state.keys, state.values]);
  }

  /** q, k, v [b, h, n, d]. */
  protected project(x: tf.Tensor3D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
    return tf.tidy(() => [
      splitHeads(this.proj.q.apply(x), this.heads),
      splitHeads(this.proj.k.apply(x), this.heads),
      splitHeads(this.proj.v.apply(x), this.heads),
    ]);
  }

  /**
   * Queries q [b, h, L, d] at positions start .. start+L-1 over keys/values [b, h, S, d] at
   * positions 0 .. S-1; keyMask [b, 1, 1, S] or null.
   */
  protected attendBlock(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, start: number, keyMask: tf.Tensor4D | null): tf.Tensor4D {
    return tf.tidy(() => softmaxAttend(q, k, v, this.scale, causalAllowed(q.shape[2], k.shape[2], start), keyMask));
  }
}

export class StandardModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('Standard', config, (store, prefix, cfg) => new StandardAttention(store, prefix, cfg));
  }
}
