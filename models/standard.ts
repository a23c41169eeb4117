import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, projectionRow } from './attention';
import { disposeAll } from './ops/state_tensors';
import { headDim, ModelConfig } from './config';
import { AttentionProjections } from './layers';
import { CausalLM } from './model';
import { mergeHeads, splitHeads } from './ops/heads';
import {
  appendToBlocks,
  SoftmaxAttentionOptions,
  softmaxAttentionBlocked,
  softmaxAttentionCached,
} from './ops/softmax_attention';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/** Key/value cache of the streaming form: blocks of plan.cacheBlock tokens, the last one partial. */
export interface KVCacheState {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
}

/**
 * Causal softmax attention over all earlier keys (architectures.md section 1), O(n^2 d); with
 * another scale and more passes, Hopfield retrieval (section 5). The math is in
 * models/ops/softmax_attention.ts; here are the projections and the cache.
 */
export class StandardAttention implements CausalAttention<KVCacheState> {
  protected readonly proj: AttentionProjections;
  protected readonly heads: number;
  private readonly options: SoftmaxAttentionOptions;

  constructor(
    store: ParamStore,
    prefix: string,
    config: ModelConfig,
    protected readonly plan: ExecutionPlan,
    scale = 1 / Math.sqrt(headDim(config)),
    updateSteps = 1,
  ) {
    this.proj = new AttentionProjections(store, prefix, config.hiddenDim);
    this.heads = config.numHeads;
    this.options = { scale, updateSteps, fillOnHost: plan.fillOnHost };
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      return this.proj.out.apply(
        mergeHeads(softmaxAttentionBlocked(q, k, v, mask, this.plan.queryBlock, this.plan.keyBlock, this.options)),
      );
    });
  }

  initState(): KVCacheState {
    return { keys: [], values: [] };
  }

  step(state: KVCacheState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      const past = state.keys.reduce((total, block) => total + block.shape[2], 0);
      appendToBlocks(state.keys, k, this.plan.cacheBlock);
      appendToBlocks(state.values, v, this.plan.cacheBlock);
      return this.proj.out.apply(mergeHeads(softmaxAttentionCached(q, state.keys, state.values, past, this.options)));
    });
  }

  disposeState(state: KVCacheState): void {
    disposeAll([...state.keys, ...state.values]);
    state.keys = [];
    state.values = [];
  }

  /** q, k, v [b, h, n, d]. */
  protected project(x: tf.Tensor3D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
    return tf.tidy(() => [
      splitHeads(this.proj.q.apply(x), this.heads),
      splitHeads(this.proj.k.apply(x), this.heads),
      splitHeads(this.proj.v.apply(x), this.heads),
    ]);
  }
}

export class StandardModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super(
      'Standard',
      config,
      (store, prefix, cfg, plan) => new StandardAttention(store, prefix, cfg, plan),
      projectionRow,
    );
  }
}
