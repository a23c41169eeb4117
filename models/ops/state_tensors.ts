/** The lifetime of the tensors a decode state holds between calls (outside any tidy). */
import * as tf from '@tensorflow/tfjs-core';

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
