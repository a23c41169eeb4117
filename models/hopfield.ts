import { projectionRow } from './attention';
import { headDim, ModelConfig } from './config';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';
import { StandardAttention } from './standard';

/**
 * Modern Hopfield retrieval (architectures.md section 5), O(s n^2 d): the stored patterns of query t
 * are the keys/values at s <= t, with inverse temperature beta = 1 / (temperature * sqrt(d)) and
 * `updateSteps` retrieval passes (models/ops/softmax_attention.ts). Standard's projections and cache
 * are kept; with updateSteps = 1 this is softmax attention with a temperature.
 */
export class HopfieldAttention extends StandardAttention {
  constructor(store: ParamStore, prefix: string, config: ModelConfig, plan: ExecutionPlan) {
    super(store, prefix, config, plan, 1 / (config.temperature * Math.sqrt(headDim(config))), config.updateSteps);
  }
}

export class HopfieldModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super(
      'Hopfield',
      config,
      (store, prefix, cfg, plan) => new HopfieldAttention(store, prefix, cfg, plan),
      projectionRow,
    );
  }
}
