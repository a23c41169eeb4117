/**
 * The scans that keep live tensors bounded at any length: position-wise work in groups of tokens,
 * chunkwise work in groups of whole chunks with a state carried from group to group, and streaming
 * steps split where a chunk fills. The group sizes come from the execution plan (models/plan.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Token ranges [start, end) that cover n tokens in groups of at most groupRows / batch. */
export function tokenGroups(batch: number, n: number, groupRows: number): Array<[number, number]> {
  const size = Math.max(1, Math.floor(groupRows / batch));
  const groups: Array<[number, number]> = [];
  for (let start = 0; start < n; start += size) groups.push([start, Math.min(n, start + size)]);
  return groups;
}

/**
 * Applies a position-wise `fn` to tensors [b, n, ...] group of tokens by group of tokens and joins
 * the results along the token axis; with a single group it is just fn(...inputs).
 */
export function mapTokenGroups(
  inputs: tf.Tensor[],
  groupRows: number,
  fn: (slices: tf.Tensor[], start: number) => tf.Tensor3D,
): tf.Tensor3D {
  const [b, n] = inputs[0].shape;
  const groups = tokenGroups(b, n, groupRows);
  if (groups.length === 1) return tf.tidy(() => fn(inputs, 0));
  const parts = groups.map(([start, end]) =>
    tf.tidy(() =>
      fn(
        inputs.map((t) => tf.slice(t, [0, start], [-1, end - start])),
        start,
      ),
    ),
  );
  const joined = tf.concat(parts, 1);
  tf.dispose(parts);
  return joined;
}

/** Whole chunks per group: about groupRows rows (batch x tokens), at most maxChunks, at least one. */
export function chunksPerGroup(groupRows: number, batch: number, chunk: number, maxChunks = Infinity): number {
  return Math.max(1, Math.min(maxChunks, Math.floor(groupRows / (batch * chunk))));
}

/**
 * Runs a chunkwise causal computation over x [b, n, D] (mask [b, n] or null) group of tokens by
 * group of tokens, `groupLength` tokens (whole chunks) at a time, passing a carried state from group
 * to group: fn(x_g, mask_g, carry) gives the group's outputs [b, L, D'] and the carry after it.
 * Only one group's temporaries are ever live. The carry given first stays the caller's; the ones in
 * between are freed. Returns the joined outputs and the carry after the last token. A carry is a
 * tensor container (tensors, numbers, arrays, objects) that may hold nulls for "nothing yet".
 */
export function scanChunkGroups<C>(
  x: tf.Tensor3D,
  mask: tf.Tensor2D | null,
  groupLength: number,
  carry: C,
  fn: (x: tf.Tensor3D, mask: tf.Tensor2D | null, carry: C) => { out: tf.Tensor3D; carry: C },
): { out: tf.Tensor3D; carry: C } {
  const [b, n] = x.shape;
  // tidy and dispose are typed for containers without nulls, which they skip anyway.
  const tidy = (run: () => { out: tf.Tensor3D; carry: C }) =>
    tf.tidy(run as unknown as () => tf.TensorContainer) as unknown as ReturnType<typeof run>;
  const dispose = (c: C) => tf.dispose(c as unknown as tf.TensorContainer);
  if (n <= groupLength) return tidy(() => fn(x, mask, carry));
  const parts: tf.Tensor3D[] = [];
  let current = carry;
  try {
    for (let start = 0; start < n; start += groupLength) {
      const length = Math.min(groupLength, n - start);
      const next = tidy(() =>
        fn(tf.slice(x, [0, start, 0], [b, length, -1]), mask ? tf.slice(mask, [0, start], [b, length]) : null, current),
      );
      if (current !== carry) dispose(current);
      current = next.carry;
      parts.push(next.out);
    }
    return { out: tf.concat(parts, 1), carry: current };
  } catch (err) {
    if (current !== carry) dispose(current);
    throw err;
  } finally {
    tf.dispose(parts);
  }
}

/**
 * Streaming over chunks: splits the m new tokens x [b, m, ...] where the current chunk fills
 * (state.filled of `chunk` tokens taken so far), runs `within` on each piece (which must advance
 * state.filled) and `close` after a piece that fills its chunk. Returns the pieces' outputs in order.
 */
export function stepThroughChunks<T extends tf.Tensor>(
  x: tf.Tensor,
  chunk: number,
  state: { filled: number },
  within: (piece: tf.Tensor, offset: number) => T,
  close: () => void,
): T[] {
  const m = x.shape[1]!;
  const outputs: T[] = [];
  for (let offset = 0; offset < m;) {
    const length = Math.min(chunk - state.filled, m - offset);
    const at = offset;
    outputs.push(tf.tidy(() => within(tf.slice(x, [0, at], [-1, length]), at)));
    offset += length;
    if (state.filled === chunk) tf.tidy(close);
  }
  return outputs;
}
