/**
 * UnitLowerInverse for the wasm backend: X = (I + A)^-1 for every strictly lower-triangular A in
 * a [..., B, B] float32 tensor (entries on and above the diagonal are ignored).
 *
 * Done with tf ops it is B - 1 sequential steps of tiny batched products, which costs far more in
 * per-op overhead than in arithmetic. Here it is plain JS over views of the heap: forward
 * substitution, row i of X = e_i - sum_{j<i} A_ij (row j of X), where row j is zero past column j, so
 * each matrix takes about B^3/6 multiply-adds. Each row is summed in float64 and stored once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmBackend } from './backend';

import { UNIT_LOWER_INVERSE } from '../names';

function unitLowerInverse({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { a } = inputs as { a: tf.TensorInfo };
  const B = a.shape[a.shape.length - 1];
  if (a.dtype !== 'float32' || a.shape.length < 2 || a.shape[a.shape.length - 2] !== B) {
    throw new Error(`${UNIT_LOWER_INVERSE}: expects float32 [..., B, B] (got ${a.dtype} [${a.shape}])`);
  }
  const out = wasm.makeOutput(a.shape, 'float32');
  // Views only after makeOutput: growing the heap would detach earlier ones.
  const src = wasm.typedArrayFromHeap(a) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const row = new Float64Array(B);
  for (let base = 0; base < src.length; base += B * B) {
    for (let i = 0; i < B; i++) {
      const at = base + i * B;
      row.fill(0, 0, i);
      row[i] = 1;
      for (let j = 0; j < i; j++) {
        const aij = src[at + j];
        const rowJ = base + j * B;
        for (let c = 0; c <= j; c++) row[c] -= aij * dst[rowJ + c];
      }
      for (let c = 0; c <= i; c++) dst[at + c] = row[c];
      dst.fill(0, at + i + 1, at + B);
    }
  }
  return out;
}

/** Registers the kernel with TensorFlow.js (once); it runs only on the wasm backend. */
export function registerUnitLowerInverse(): void {
  if (!tf.getKernel(UNIT_LOWER_INVERSE, 'wasm')) {
    tf.registerKernel({ kernelName: UNIT_LOWER_INVERSE, backendName: 'wasm', kernelFunc: unitLowerInverse as unknown as tf.KernelFunc });
  }
}
