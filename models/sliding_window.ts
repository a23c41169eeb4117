import * as tf from '@tensorflow/tfjs-core';
import { projectionRow } from './attention';
import { disposeAll } from './ops/state_tensors';
import { headDim, ModelConfig } from './config';
import { CausalLM } from './model';
import { mergeHeads } from './ops/heads';
import { slidingWindowAttention } from './ops/band_attention';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';
import { KVCacheState, StandardAttention } from './standard';

/**
 * Sliding-window softmax attention (architectures.md section 2), O(n w d): Standard's projections,
 * the band-blocked attention of models/ops/band_attention.ts, and as streaming state a rolling cache
 * of the last w keys/values.
 */
export class SlidingWindowAttention extends StandardAttention {
  private readonly window: number;
  private readonly scale: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig, plan: ExecutionPlan) {
    super(store, prefix, config, plan);
    this.window = config.windowSize;
    this.scale = 1 / Math.sqrt(headDim(config));
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      return this.proj.out.apply(mergeHeads(this.attend(q, k, v, mask)));
    });
  }

  step(state: KVCacheState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      // The cache is one block: the last w keys/values, all a later token can see.
      const keys = tf.concat([...state.keys, k], 2);
      const values = tf.concat([...state.values, v], 2);
      const o = this.attend(q, keys, values, null);
      const total = keys.shape[2];
      const kept = Math.min(this.window, total);
      const last = (t: tf.Tensor4D) => tf.keep(tf.slice(t, [0, 0, total - kept, 0], [-1, -1, kept, -1]));
      disposeAll([...state.keys, ...state.values]);
      state.keys = [last(keys)];
      state.values = [last(values)];
      return this.proj.out.apply(mergeHeads(o));
    });
  }

  private attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, keyValid: tf.Tensor2D | null): tf.Tensor4D {
    return slidingWindowAttention(q, k, v, keyValid, this.window, this.scale, this.plan.fillOnHost);
  }
}

export class SlidingWindowModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super(
      'SlidingWindow',
      config,
      (store, prefix, cfg, plan) => new SlidingWindowAttention(store, prefix, cfg, plan),
      projectionRow,
    );
  }
}
