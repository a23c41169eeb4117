import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from './config';
import { ParamStore } from './params';
import { ExecutionPlan } from './plan';

/**
 * The attention block of one layer. Every architecture implements this; the shared skeleton
 * (models/model.ts) does the rest.
 */
export interface CausalAttention<State> {
  /**
   * x [b, n, D]: the attention input (after LayerNorm1). mask [b, n]: 1 real, 0 padding, or null
   * when every token is real. Returns [b, n, D]; the output at t depends only on positions <= t.
   */
  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D;
  /** The streaming state before any token. */
  initState(batchSize: number): State;
  /**
   * Consumes the next m >= 1 tokens' inputs x [b, m, D] and returns their outputs [b, m, D].
   * Updates `state` in place, disposing the tensors it replaces.
   */
  step(state: State, x: tf.Tensor3D): tf.Tensor3D;
  disposeState(state: State): void;
}

/** Builds one layer's attention, registering its weights under `prefix` in the store, scheduled by `plan`. */
export type AttentionFactory = (
  store: ParamStore,
  prefix: string,
  config: ModelConfig,
  plan: ExecutionPlan,
) => CausalAttention<unknown>;

/**
 * The widest row (floats per token) of an attention's work over a group of tokens: its projections,
 * and for the chunked ones a chunk's scores. With the feed-forward's it sizes the plan's groups.
 */
export type WidestRow = (config: ModelConfig) => number;

/** Projections of D per token, and a chunk's scores over h heads (h B per token). */
export const chunkedRow: WidestRow = ({ hiddenDim, numHeads, chunkSize }) => Math.max(hiddenDim, numHeads * chunkSize);

/** Projections of D per token (the softmax attentions' scores are blocked by the plan's query and key blocks). */
export const projectionRow: WidestRow = ({ hiddenDim }) => hiddenDim;
