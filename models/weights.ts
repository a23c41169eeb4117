import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';
import { InputError } from './errors';

/** A model's weights by state-dict name: a Map or a plain record of tensors. */
export type WeightMap = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

/** Buffers of the original package's state dict that are not weights here (positions are computed). */
export const IGNORED_WEIGHT_NAMES: readonly string[] = ['pos_encoding.pe'];

/** Weights that do not fit a model: every problem found, one per entry of `problems`. */
export class WeightsError extends InputError {
  constructor(readonly problems: readonly string[]) {
    super(
      'weights',
      `weights do not fit the model (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`,
    );
  }
}

const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** A parameter's shape in the state dict: an nn.Linear weight is [out, in] there, [in, out] here. */
function stateDictShape(store: ParamStore, name: string): number[] {
  const shape = store.get(name).shape;
  return store.layout(name) === 'linear' ? [...shape].reverse() : shape;
}

/** Every weight of the store as a new tensor the caller owns, in state-dict names and shapes. */
export function exportWeights(store: ParamStore): Map<string, tf.Tensor> {
  const weights = new Map<string, tf.Tensor>();
  for (const name of store.names()) {
    const held = store.get(name);
    weights.set(name, store.layout(name) === 'linear' ? tf.transpose(held) : tf.clone(held));
  }
  return weights;
}

/**
 * Loads state-dict weights into the store. Every name, dtype and shape is checked first and all
 * problems are thrown together as one WeightsError, leaving the store untouched; only then are the
 * tensors copied in (the caller keeps its own). Names in IGNORED_WEIGHT_NAMES are skipped.
 */
export function importWeights(store: ParamStore, weights: WeightMap): void {
  if (!(weights instanceof Map) && (typeof weights !== 'object' || weights === null || Array.isArray(weights))) {
    throw new InputError(
      'weights',
      `weights must be a Map or an object of tensors by name (got ${weights === null ? 'null' : Array.isArray(weights) ? 'an array' : typeof weights})`,
    );
  }
  const given = weights instanceof Map ? weights : new Map(Object.entries(weights));
  const known = new Set(store.names());
  const problems: string[] = [];
  for (const name of known) {
    if (!given.has(name)) problems.push(`missing ${name} ${formatShape(stateDictShape(store, name))}`);
  }
  for (const [name, tensor] of given) {
    if (IGNORED_WEIGHT_NAMES.includes(name)) continue;
    if (!known.has(name)) {
      problems.push(`unexpected ${name}${tensor instanceof tf.Tensor ? ` ${formatShape(tensor.shape)}` : ''}`);
    } else if (!(tensor instanceof tf.Tensor) || tensor.isDisposed) {
      problems.push(`${name} is not a live tensor`);
    } else if (tensor.dtype !== 'float32') {
      problems.push(`wrong dtype ${name}: expected float32, got ${tensor.dtype}`);
    } else if (!tf.util.arraysEqual(tensor.shape, stateDictShape(store, name))) {
      problems.push(
        `wrong shape ${name}: expected ${formatShape(stateDictShape(store, name))}, got ${formatShape(tensor.shape)}`,
      );
    }
  }
  if (problems.length) throw new WeightsError(problems);
  const held = new Map<string, tf.Tensor>();
  for (const name of known) {
    const tensor = given.get(name)!;
    held.set(name, store.layout(name) === 'linear' ? tf.transpose(tensor) : tf.clone(tensor));
  }
  store.replaceAll(held);
}
