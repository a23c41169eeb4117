import * as tf from '@tensorflow/tfjs-core';
import { CausalAttention, chunkedRow } from './attention';
import { disposeAll, swapTensor } from './ops/state_tensors';
import { headDim, ModelConfig } from './config';
import { AttentionProjections, Linear } from './layers';
import { CausalLM } from './model';
import { deltaRule } from './ops/delta_rule';
import { chunksPerGroup, scanChunkGroups } from './ops/scan';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/** Streaming state: S_t^T per batch row and head [b, h, d, d] (rows index key features, columns value features). */
export interface DeltaNetState {
  memory: tf.Tensor4D;
}

/**
 * DeltaNet (architectures.md section 4): the plain delta rule with a fixed or learned write strength
 * beta, computed chunkwise (models/ops/delta_rule.ts) in O(n B d + n d^2) over groups of whole
 * chunks, the state carried from group to group; no clipping, noise or rescaling of the state.
 */
export class DeltaNetAttention implements CausalAttention<DeltaNetState> {
  private readonly proj: AttentionProjections;
  /** Linear(D, h) giving beta_t = sigmoid(.) per head, when config.learnedBeta. */
  private readonly betaProj: Linear | null;
  private readonly beta: number;
  private readonly heads: number;
  private readonly d: number;
  private readonly chunk: number;

  constructor(
    store: ParamStore,
    prefix: string,
    config: ModelConfig,
    private readonly plan: ExecutionPlan,
  ) {
    const D = config.hiddenDim;
    this.heads = config.numHeads;
    this.d = headDim(config);
    this.chunk = config.chunkSize;
    this.beta = config.beta;
    this.proj = new AttentionProjections(store, prefix, D);
    this.betaProj = config.learnedBeta ? new Linear(store, `${prefix}.beta_proj`, D, this.heads) : null;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => this.attendInGroups(x, mask, tf.zeros([x.shape[0], this.heads, this.d, this.d])).out);
  }

  initState(batchSize: number): DeltaNetState {
    return { memory: tf.keep(tf.zeros([batchSize, this.heads, this.d, this.d])) };
  }

  step(state: DeltaNetState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const { out, carry } = this.attendInGroups(x, null, state.memory);
      state.memory = swapTensor(state.memory, carry);
      return out;
    });
  }

  /**
   * The delta rule over groups of whole chunks (about plan.groupRows rows each), the state carried
   * from group to group, so that only one group's q, k, v and chunk tensors are live at any length.
   * Returns the outputs after out_proj [b, n, D] and S^T after the last token.
   */
  private attendInGroups(
    x: tf.Tensor3D,
    mask: tf.Tensor2D | null,
    memory: tf.Tensor4D,
  ): { out: tf.Tensor3D; carry: tf.Tensor4D } {
    const groupLength = chunksPerGroup(this.plan.groupRows, x.shape[0], this.chunk) * this.chunk;
    return scanChunkGroups(x, mask, groupLength, memory, (xg, maskg, before) => {
      const [q, k, v, beta] = this.project(xg, maskg);
      const { output, memory: after } = deltaRule(q, k, v, beta, before, this.heads, this.chunk, this.plan.fillOnHost);
      return { out: this.proj.out.apply(output), carry: after };
    });
  }

  disposeState(state: DeltaNetState): void {
    disposeAll([state.memory]);
  }

  /** The projections q, k, v [b, n, h*d] and beta [b, n, h]; masked tokens get beta = 0 (they write nothing). */
  private project(x: tf.Tensor3D, mask: tf.Tensor2D | null): [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D] {
    return tf.tidy(() => {
      const [b, n] = x.shape;
      let beta: tf.Tensor3D = this.betaProj
        ? tf.sigmoid(this.betaProj.apply(x))
        : tf.fill([b, n, this.heads], this.beta);
      if (mask) beta = tf.mul(beta, tf.reshape(mask, [b, n, 1]));
      return [this.proj.q.apply(x), this.proj.k.apply(x), this.proj.v.apply(x), beta];
    });
  }
}

export class DeltaNetModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super(
      'DeltaNet',
      config,
      (store, prefix, cfg, plan) => new DeltaNetAttention(store, prefix, cfg, plan),
      chunkedRow,
    );
  }
}
