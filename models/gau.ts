import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention } from './attention';
import { disposeAll } from './ops/state_tensors';
import { ModelConfig } from './config';
import { Linear } from './layers';
import { CausalLM } from './model';
import {
  GAUCarry,
  gauAttentionChunkwise,
  gauAttentionStep,
  gauCloseChunk,
  gauInitialState,
  GAUState,
} from './ops/gau_attention';
import { chunksPerGroup, scanChunkGroups, stepThroughChunks } from './ops/scan';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/**
 * Gated attention unit, chunked (architectures.md section 6): one head of size
 * E = expansionFactor * D; the attention of models/ops/gau_attention.ts, gated by sigmoid(g_t).
 * Forward works through groups of at most plan.gauChunksPerGroup chunks, carrying the sum of the
 * chunk states k_s v_s^T and their token count, so only one group's states are live at any length.
 */
export class GAUAttention implements CausalAttention<GAUState> {
  private readonly q: Linear;
  private readonly k: Linear;
  private readonly v: Linear;
  private readonly gate: Linear;
  private readonly out: Linear;
  private readonly chunk: number;

  constructor(
    store: ParamStore,
    prefix: string,
    config: ModelConfig,
    private readonly plan: ExecutionPlan,
  ) {
    const D = config.hiddenDim;
    const E = config.expansionFactor * D;
    this.q = new Linear(store, `${prefix}.q_proj`, D, E);
    this.k = new Linear(store, `${prefix}.k_proj`, D, E);
    this.v = new Linear(store, `${prefix}.v_proj`, D, E);
    this.gate = new Linear(store, `${prefix}.gate_proj`, D, E);
    this.out = new Linear(store, `${prefix}.out_proj`, E, D);
    this.chunk = config.chunkSize;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    // Fewer tokens than a chunk are one chunk of their own length: the same output (one chunk has
    // no earlier chunks; architectures.md section 6) at the cost of n, not of the chunk size.
    const chunk = Math.min(this.chunk, x.shape[1]);
    const groupLength = chunksPerGroup(this.plan.groupRows, x.shape[0], chunk, this.plan.gauChunksPerGroup) * chunk;
    const start: GAUCarry = { sum: null, count: 0 };
    const options = { chunkSize: chunk, fillOnHost: this.plan.fillOnHost, prefixSums: this.plan.prefixSums };
    return tf.tidy(
      () =>
        scanChunkGroups<GAUCarry>(x, mask, groupLength, start, (xg, maskg, carry) => {
          const { output, carry: after } = gauAttentionChunkwise(
            this.q.apply(xg),
            this.k.apply(xg),
            this.v.apply(xg),
            maskg,
            carry,
            options,
          );
          return { out: this.out.apply(tf.mul(output, tf.sigmoid(this.gate.apply(xg))) as tf.Tensor3D), carry: after };
        }).out,
    );
  }

  initState(): GAUState {
    return gauInitialState();
  }

  step(state: GAUState, x: tf.Tensor3D): tf.Tensor3D {
    const outputs = stepThroughChunks(
      x,
      this.chunk,
      state,
      (piece) => {
        const xp = piece as tf.Tensor3D;
        const o = gauAttentionStep(state, this.q.apply(xp), this.k.apply(xp), this.v.apply(xp), this.plan.fillOnHost);
        return tf.mul(o, tf.sigmoid(this.gate.apply(xp))) as tf.Tensor3D;
      },
      () => gauCloseChunk(state),
    );
    const result = tf.tidy(() => this.out.apply(outputs.length === 1 ? outputs[0] : tf.concat(outputs, 1)));
    tf.dispose(outputs);
    return result;
  }

  disposeState(state: GAUState): void {
    disposeAll([state.chunkKeys, state.chunkValues, state.pastSum]);
    Object.assign(state, gauInitialState());
  }
}

export class GAUModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    // Its four projections of E = expansionFactor * D per token.
    super(
      'GAU',
      config,
      (store, prefix, cfg, plan) => new GAUAttention(store, prefix, cfg, plan),
      (c) => 4 * c.expansionFactor * c.hiddenDim,
    );
  }
}
