import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, chunkedRow } from './attention';
import { disposeAll, swapTensor } from './ops/state_tensors';
import { ModelConfig } from './config';
import { AttentionProjections } from './layers';
import { CausalLM } from './model';
import { linearAttention } from './ops/linear_attention';
import { chunksPerGroup, scanChunkGroups } from './ops/scan';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/** Streaming state: [S | z] summed over every token so far, [b, h, d, d+1], or null before any token. */
export interface LinearState {
  sums: tf.Tensor4D | null;
}

/**
 * Linear attention after Katharopoulos et al. (architectures.md section 3), computed chunkwise by
 * models/ops/linear_attention.ts over groups of whole chunks, the sums carried from group to group;
 * a decode step is the same computation on the new tokens from the carried sums.
 */
export class LinearAttention implements CausalAttention<LinearState> {
  private readonly proj: AttentionProjections;
  private readonly heads: number;
  private readonly chunk: number;

  constructor(
    store: ParamStore,
    prefix: string,
    config: ModelConfig,
    private readonly plan: ExecutionPlan,
  ) {
    this.proj = new AttentionProjections(store, prefix, config.hiddenDim);
    this.heads = config.numHeads;
    this.chunk = config.chunkSize;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => this.attendInGroups(x, mask, null).out);
  }

  initState(): LinearState {
    return { sums: null };
  }

  step(state: LinearState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const { out, carry } = this.attendInGroups(x, null, state.sums);
      state.sums = swapTensor(state.sums, carry);
      return out;
    });
  }

  disposeState(state: LinearState): void {
    disposeAll([state.sums]);
    state.sums = null;
  }

  /** Outputs after out_proj [b, n, D] and the sums after the last token. */
  private attendInGroups(
    x: tf.Tensor3D,
    mask: tf.Tensor2D | null,
    before: tf.Tensor4D | null,
  ): { out: tf.Tensor3D; carry: tf.Tensor4D } {
    const groupLength = chunksPerGroup(this.plan.groupRows, x.shape[0], this.chunk) * this.chunk;
    return scanChunkGroups<tf.Tensor4D | null>(x, mask, groupLength, before, (xg, maskg, sums) => {
      const { output, state } = linearAttention(
        this.proj.q.apply(xg),
        this.proj.k.apply(xg),
        this.proj.v.apply(xg),
        maskg,
        sums,
        this.heads,
        this.chunk,
        { fillOnHost: this.plan.fillOnHost, prefixSums: this.plan.prefixSums },
      );
      return { out: this.proj.out.apply(output), carry: state };
    }) as { out: tf.Tensor3D; carry: tf.Tensor4D };
  }
}

export class LinearModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('Linear', config, (store, prefix, cfg, plan) => new LinearAttention(store, prefix, cfg, plan), chunkedRow);
  }
}
