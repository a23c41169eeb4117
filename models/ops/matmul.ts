import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import { BATCHED_MATMUL, hasKernel, runKernel } from '../kernels/names';

/** grad summed over the leading axes along which `operand` was broadcast to it. */
function unbroadcastBatch(grad: tf.Tensor, operand: tf.Tensor): tf.Tensor {
  const lead = grad.rank - operand.rank;
  const axes = grad.shape
    .slice(0, -2)
    .map((s, i) => (i < lead || operand.shape[i - lead] !== s ? i : -1))
    .filter((i) => i >= 0);
  return axes.length ? tf.reshape(tf.sum(grad, axes), operand.shape) : grad;
}

/**
 * The gradients of a product op(a) @ op(b) (op: transposed or not) from dy, by bmm (where the
 * backend has BATCHED_MATMUL, transposes materialised and the product on its fast path; the wasm
 * backend's own BatchMatMul is slow with a transposed operand), summed over broadcast batch axes.
 */
function productGradients(
  dy: tf.Tensor,
  a: tf.Tensor,
  b: tf.Tensor,
  ta: boolean,
  tb: boolean,
): { a: () => tf.Tensor; b: () => tf.Tensor } {
  const [da, db] =
    !ta && !tb
      ? [() => bmm(dy, b, false, true), () => bmm(a, dy, true, false)]
      : !ta && tb
        ? [() => bmm(dy, b), () => bmm(dy, a, true, false)]
        : ta && !tb
          ? [() => bmm(b, dy, false, true), () => bmm(a, dy)]
          : [() => bmm(b, dy, true, true), () => bmm(dy, a, true, true)];
  return { a: () => unbroadcastBatch(da(), a), b: () => unbroadcastBatch(db(), b) };
}

/** BATCHED_MATMUL's gradient: da = dy b^T, db = a^T dy (each summed where its batch of 1 was broadcast). */
registerGradientOnce({
  kernelName: BATCHED_MATMUL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => productGradients(dy as tf.Tensor, a, b, false, false),
});

/** TensorFlow.js's BatchMatMul's gradient, by the same products. */
registerGradientOnce({
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b], attrs) =>
    productGradients(dy as tf.Tensor, a, b, attrs.transposeA as boolean, attrs.transposeB as boolean),
});

/**
 * The most products one batched matmul takes: the webgpu backend dispatches one workgroup row per
 * batch element, and a dispatch has at most 65535 in that dimension.
 */
const MAX_BATCH = 65535;

/** bmm of operands with the same leading axes whose batch exceeds MAX_BATCH: flattened to one batch axis, in slices of it. */
function bmmInSlices<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA: boolean, transposeB: boolean): T {
  return tf.tidy(() => {
    const lead = a.shape.slice(0, -2);
    const batch = lead.reduce((x, y) => x * y, 1);
    const flat = (t: tf.Tensor) => tf.reshape(t, [batch, ...t.shape.slice(-2)]);
    const [fa, fb] = [flat(a), flat(b)];
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < batch; i += MAX_BATCH) {
      const take = Math.min(MAX_BATCH, batch - i);
      parts.push(
        bmm(tf.slice(fa, [i, 0, 0], [take, -1, -1]), tf.slice(fb, [i, 0, 0], [take, -1, -1]), transposeA, transposeB),
      );
    }
    const out = tf.concat(parts, 0);
    return tf.reshape(out, [...lead, ...out.shape.slice(-2)]) as T;
  });
}

/**
 * Rows of the contracted axis per block when a^T b contracts a long one (a weight's gradient sums
 * over every token): one product per block, the blocks' products summed. As one product, each
 * output tile is one workgroup that walks all the rows, and most of a GPU idles.
 */
const ROW_BLOCK = 1024;

/** The row block for a^T b over `rows` rows, or null where one product is as good. */
function rowBlock(rows: number): number | null {
  let block = ROW_BLOCK;
  while (rows % block !== 0) block /= 2;
  return block >= ROW_BLOCK / 4 && rows >= 4 * block ? block : null;
}

/** a^T b for a [..., rows, m], b [..., rows, p] with the same leading axes, in blocks of rows: [..., m, p]. */
function bmmInRowBlocks<T extends tf.Tensor>(a: T, b: tf.Tensor, block: number): T {
  return tf.tidy(() => {
    const lead = a.shape.slice(0, -2);
    const [rows, m] = a.shape.slice(-2);
    const p = b.shape[b.rank - 1];
    const batch = lead.reduce((x, y) => x * y, 1);
    const blocks = rows / block;
    const partial = bmm(tf.reshape(a, [batch * blocks, block, m]), tf.reshape(b, [batch * blocks, block, p]), true);
    return tf.reshape(tf.sum(tf.reshape(partial, [batch, blocks, m, p]), 1), [...lead, m, p]) as T;
  });
}

/**
 * Batched matmul over the leading axes: op(a) [..., m, k] @ op(b) [..., k, p], where op transposes
 * the last two axes when asked. Every attention routes its batched products through here. Where the
 * backend registered BATCHED_MATMUL (wasm: models/kernels/wasm/batch_matmul.ts), transposes are
 * materialised (one cheap copy) and the product runs as that kernel; elsewhere it is tf.matMul.
 */
export function bmm<T extends tf.Tensor>(a: T, b: tf.Tensor, transposeA = false, transposeB = false): T {
  const batch = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const sameLead = a.rank === b.rank && a.shape.slice(0, -2).every((s, i) => s === b.shape[i]);
  if (batch > MAX_BATCH && sameLead) return bmmInSlices(a, b, transposeA, transposeB);
  const rows = a.shape[a.rank - 2];
  const block = transposeA && !transposeB && sameLead ? rowBlock(rows) : null;
  if (block !== null && batch * (rows / block) <= MAX_BATCH) return bmmInRowBlocks(a, b, block);
  if (!hasKernel(BATCHED_MATMUL) || a.rank < 3 || a.rank !== b.rank) {
    return tf.matMul(a, b, transposeA, transposeB) as unknown as T;
  }
  return tf.tidy(() => {
    const lastTwo = (x: tf.Tensor) => [...x.shape.keys()].map((i) => (i < x.rank - 2 ? i : 2 * x.rank - 3 - i));
    const left = transposeA ? tf.transpose(a, lastTwo(a)) : a;
    const right = transposeB ? tf.transpose(b, lastTwo(b)) : b;
    const [m, k] = left.shape.slice(-2);
    const p = right.shape[right.rank - 1];
    const lead = left.shape.slice(0, -2);
    const rightLead = right.shape.slice(0, -2);
    if (!lead.every((s, i) => s === rightLead[i])) return tf.matMul(a, b, transposeA, transposeB) as unknown as T;
    const batch = lead.reduce((x, y) => x * y, 1);
    const out = runKernel(BATCHED_MATMUL, { a: tf.reshape(left, [batch, m, k]), b: tf.reshape(right, [batch, k, p]) });
    return tf.reshape(out, [...lead, m, p]) as T;
  });
}
