/**
 * UnitLowerInverse for the wasm backend: X = (I + A)^-1 for every strictly lower-triangular A in
 * a [..., B, B] float32 tensor (entries on and above the diagonal are ignored).
 *
 * Done with tf ops it is B - 1 sequential steps of tiny batched products, which costs far more in
 * per-op overhead than in arithmetic. Here it is plain JS over views of the heap: forward
 * substitution, row i of X = e_i - sum_{j<i} A_ij (row j of X), where row j is zero past column j, so
 * each matrix takes about B^3/6 multiply-adds. Each row is summed in float64 and stored once. On
 * the threaded backend the matrices are split between its kernel workers (worker_pool.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmBackend } from './backend';
import { workerPoolOf } from './worker_pool';

import { UNIT_LOWER_INVERSE } from '../names';

/**
 * Matrices [first, last) of the [count, B, B] batch at float offset src of heap, inverted into the
 * one at dst: params = src, dst, B (runs in kernel workers too: self-contained).
 */
export function invertUnitLower(heap: Float32Array, params: ArrayLike<number>, first: number, last: number): void {
  const [src, dst, B] = Array.from(params);
  const row = new Float64Array(B);
  for (let matrix = first; matrix < last; matrix++) {
    const from = src + matrix * B * B;
    const to = dst + matrix * B * B;
    for (let i = 0; i < B; i++) {
      row.fill(0, 0, i);
      row[i] = 1;
      for (let j = 0; j < i; j++) {
        const aij = heap[from + i * B + j];
        const rowJ = to + j * B;
        for (let c = 0; c <= j; c++) row[c] -= aij * heap[rowJ + c];
      }
      const at = to + i * B;
      for (let c = 0; c <= i; c++) heap[at + c] = row[c];
      heap.fill(0, at + i + 1, at + B);
    }
  }
}

function unitLowerInverse({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { a } = inputs as { a: tf.TensorInfo };
  const B = a.shape[a.shape.length - 1];
  if (a.dtype !== 'float32' || a.shape.length < 2 || a.shape[a.shape.length - 2] !== B) {
    throw new Error(`${UNIT_LOWER_INVERSE}: expects float32 [..., B, B] (got ${a.dtype} [${a.shape}])`);
  }
  const out = wasm.makeOutput(a.shape, 'float32');
  const count = tf.util.sizeFromShape(a.shape) / (B * B);
  const params = [wasm.dataIdMap.get(a.dataId).memoryOffset / 4, wasm.dataIdMap.get(out.dataId).memoryOffset / 4, B];
  const pool = workerPoolOf(wasm.wasm);
  // The heap view only after makeOutput: growing the heap renews it.
  if (pool && count >= pool.size) pool.run(invertUnitLower, params, count);
  else invertUnitLower(wasm.wasm.HEAPF32, params, 0, count);
  return out;
}

/** Registers the kernel with TensorFlow.js (once); it runs only on the wasm backend. */
export function registerUnitLowerInverse(): void {
  if (!tf.getKernel(UNIT_LOWER_INVERSE, 'wasm')) {
    tf.registerKernel({ kernelName: UNIT_LOWER_INVERSE, backendName: 'wasm', kernelFunc: unitLowerInverse as unknown as tf.KernelFunc });
  }
}
