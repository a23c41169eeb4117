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
export type AttentionFactory = (store: ParamStore, prefix: string, config: ModelConfig, plan: ExecutionPlan) => CausalAttention<unknown>;

/** Replaces a state tensor: keeps the new one alive past tidy and disposes the old one. */
export function swapTensor<T extends tf.Tensor>(old: T | null, next: T): T;
export function swapTensor<T extends tf.Tensor>(old: T | null, next: null): null;
export function swapTensor<T extends tf.Tensor>(old: T | null, next: T | null): T | null {
  if (next) tf.keep(next);
  if (old && old !== next) old.dispose();
  return next;
}

/** Disposes every tensor given, skipping the empty slots of a state. */
export function disposeAll(tensors: ReadonlyArray<tf.Tensor | null | undefined>): void {
  for (const t of tensors) t?.dispose();
}
