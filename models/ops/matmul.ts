import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import { BATCHED_MATMUL, hasKernel, runKernel } from '../kernels/names';

/**
 * BATCHED_MATMUL's gradient, products by bmm (the kernel again where the backend has it):
 * da = dy b^T, db = a^T dy, summed over the batch where that operand was broadcast (a batch of 1).
 */
registerGradientOnce({
  kernelName: BATCHED_MATMUL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => {
    const g = dy as tf.Tensor3D;
    const fit = (grad: tf.Tensor, operand: tf.Tensor) => (operand.shape[0] === grad.shape[0] ? grad : tf.sum(grad, 0, true));
    return { a: () => fit(bmm(g, b, false, true), a), b: () => fit(bmm(a, g, true, false), b) };
  },
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
      parts.push(bmm(tf.slice(fa, [i, 0, 0], [take, -1, -1]), tf.slice(fb, [i, 0, 0], [take, -1, -1]), transposeA, transposeB));
    }
    const out = tf.concat(parts, 0);
    return tf.reshape(out, [...lead, ...out.shape.slice(-2)]) as T;
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
  if (batch > MAX_BATCH && a.rank === b.rank && a.shape.slice(0, -2).every((s, i) => s === b.shape[i])) return bmmInSlices(a, b, transposeA, transposeB);
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
