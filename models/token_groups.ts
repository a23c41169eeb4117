import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows (batch x tokens) that position-wise work handles at once. Bounds the temporaries of
 * LayerNorm, the feed-forward and the like to a few tens of MB whatever the sequence length, which
 * keeps long sequences inside the wasm backend's 4 GiB heap.
 */
export const ROWS_PER_GROUP = 8192;

/** Token ranges [start, end) that cover n tokens in groups of at most ROWS_PER_GROUP / batch. */
export function tokenGroups(batch: number, n: number): Array<[number, number]> {
  const size = Math.max(1, Math.floor(ROWS_PER_GROUP / batch));
  const groups: Array<[number, number]> = [];
  for (let start = 0; start < n; start += size) groups.push([start, Math.min(n, start + size)]);
  return groups;
}

/**
 * Applies a position-wise `fn` to tensors [b, n, ...] group of tokens by group of tokens and joins
 * the results along the token axis; with a single group it is just fn(...inputs).
 */
export function mapTokenGroups(inputs: tf.Tensor[], fn: (slices: tf.Tensor[], start: number) => tf.Tensor3D): tf.Tensor3D {
  const [b, n] = inputs[0].shape;
  const groups = tokenGroups(b, n);
  if (groups.length === 1) return tf.tidy(() => fn(inputs, 0));
  const parts = groups.map(([start, end]) => tf.tidy(() => fn(
    inputs.map((t) => tf.slice(t, [0, start], [-1, end - start])),
    start,
  )));
  const joined = tf.concat(parts, 1);
  tf.dispose(parts);
  return joined;
}
