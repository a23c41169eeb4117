import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, disposeAll, swapTensor } from './attention';
import { headDim, ModelConfig } from './config';
import { mergeHeads, splitHeads } from './heads';
import { AttentionProjections } from './layers';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { blockedSoftmaxAttend, causalAllowed, softmaxAttend } from './softmax';

/** Queries per block: the score tensor is [b, h, QUERY_BLOCK, keys], never [n, n] at once. */
export const QUERY_BLOCK = 256;

/**
 * Tokens per block of the decode cache. The cache grows block by block: only the last block is ever
 * re-allocated (at most CACHE_BLOCK tokens), because a cache re-allocated whole at every step
 * fragments the wasm heap until it runs out (docs/performance.md, streaming decode).
 */
export const CACHE_BLOCK = 1024;

/** Key/value cache of the streaming form: blocks of CACHE_BLOCK tokens, the last one partial. */
export interface KVCacheState {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
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
    return { keys: [], values: [] };
  }

  step(state: KVCacheState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      const past = state.keys.reduce((total, block) => total + block.shape[2], 0);
      appendToBlocks(state.keys, k);
      appendToBlocks(state.values, v);
      return this.proj.out.apply(mergeHeads(this.attendCache(q, state, past)));
    });
  }

  disposeState(state: KVCacheState): void {
    disposeAll([...state.keys, ...state.values]);
  }

  /** Queries q [b, h, m, d] at positions start .. start+m-1 over the whole cache (the new tokens included). */
  protected attendCache(q: tf.Tensor4D, cache: KVCacheState, start: number): tf.Tensor4D {
    return blockedSoftmaxAttend(q, cache.keys, cache.values, this.scale, start);
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

/** Appends x [b, h, m, d] to a list of cache blocks, filling the last block before starting new ones. */
function appendToBlocks(blocks: tf.Tensor4D[], x: tf.Tensor4D): void {
  const m = x.shape[2];
  for (let offset = 0; offset < m;) {
    const last = blocks.length ? blocks[blocks.length - 1] : null;
    const room = last ? CACHE_BLOCK - last.shape[2] : 0;
    const take = Math.min(room > 0 ? room : CACHE_BLOCK, m - offset);
    const piece = tf.slice(x, [0, 0, offset, 0], [-1, -1, take, -1]);
    if (last && room > 0) blocks[blocks.length - 1] = swapTensor(last, tf.concat([last, piece], 2));
    else blocks.push(tf.keep(piece));
    offset += take;
  }
}

export class StandardModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('Standard', config, (store, prefix, cfg) => new StandardAttention(store, prefix, cfg));
  }
}
