import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from './config';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { blockedSoftmaxAttend, causalAllowed, softmaxAttend } from './softmax';
import { KVCacheState, StandardAttention } from './standard';

/**
 * Modern Hopfield retrieval (architectures.md section 5), O(s n^2 d): the stored patterns of query t
 * are the keys/values at s <= t. Standard's query blocks and KV cache are kept; only how a query
 * block is attended changes. With updateSteps = 1 this is softmax attention with a temperature.
 */
export class HopfieldAttention extends StandardAttention {
  /** beta_h = 1 / (temperature * sqrt(d)). */
  private readonly inverseTemperature: number;
  private readonly updateSteps: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    super(store, prefix, config);
    this.inverseTemperature = this.scale / config.temperature;
    this.updateSteps = config.updateSteps;
  }

  /**
   * xi_0 = q; xi_i = sum_s softmax_s(beta_h xi_{i-1} . k_s) k_s for i < updateSteps;
   * o = sum_s softmax_s(beta_h xi_last . k_s) v_s, over the keys each query may see.
   */
  protected attendBlock(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, start: number, keyMask: tf.Tensor4D | null): tf.Tensor4D {
    return tf.tidy(() => {
      const allowed = causalAllowed(q.shape[2], k.shape[2], start);
      let xi = q;
      for (let i = 1; i < this.updateSteps; i++) xi = softmaxAttend(xi, k, k, this.inverseTemperature, allowed, keyMask);
      return softmaxAttend(xi, k, v, this.inverseTemperature, allowed, keyMask);
    });
  }

  /** The same update steps over the decode cache's blocks (keys as the values of the xi updates). */
  protected attendCache(q: tf.Tensor4D, cache: KVCacheState, start: number): tf.Tensor4D {
    return tf.tidy(() => {
      let xi = q;
      for (let i = 1; i < this.updateSteps; i++) xi = blockedSoftmaxAttend(xi, cache.keys, cache.keys, this.inverseTemperature, start);
      return blockedSoftmaxAttend(xi, cache.keys, cache.values, this.inverseTemperature, start);
    });
  }
}

export class HopfieldModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('Hopfield', config, (store, prefix, cfg) => new HopfieldAttention(store, prefix, cfg));
  }
}
