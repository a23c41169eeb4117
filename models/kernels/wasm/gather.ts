/**
 * GatherV2 along axis 0 for the wasm backend, as whole-row copies.
 *
 * The stock wasm Gather moves one element at a time, which makes the embedding lookup of a long
 * sequence cost more than the matmuls around it (docs/performance.md, "How the wasm backend is kept
 * on its fast path", gives the measurement). Gathering rows of a
 * float32 table along axis 0 is a copy of contiguous rows, done here through views of the heap; every
 * other case goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, WasmBackend } from './backend';

function gatherRows(
  { inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmBackend },
  stock: tf.KernelFunc,
): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  const indices = inputs.indices as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  if (axis !== 0 || (attrs.batchDims as number) !== 0 || x.dtype !== 'float32' || indices.dtype !== 'int32') {
    return stock({ inputs, attrs, backend: backend as unknown as tf.KernelBackend }) as tf.TensorInfo;
  }
  const rows = x.shape[0];
  const rowSize = x.shape.slice(1).reduce((a, s) => a * s, 1);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
  const table = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(indices);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < rows)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
    dst.set(table.subarray(id * rowSize, (id + 1) * rowSize), i * rowSize);
  }
  return out;
}

export function installWasmGather(): void {
  overrideWasmKernel('GatherV2', gatherRows);
}
