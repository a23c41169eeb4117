/**
 * Slice for the wasm backend without the whole-input copy.
 *
 * The stock wasm Slice reads its input through backend.readSync, which copies the entire tensor off
 * the heap before taking the slice: slicing one group of tokens out of a long sequence costs as much
 * as copying the sequence, and a loop over groups turns linear work quadratic. This kernel reads the
 * input through a view of the heap and copies only the slice, in runs as long as the layout allows
 * (the trailing axes that are taken whole join one contiguous run).
 */
import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, WasmBackend } from './backend';

function sliceView(
  { inputs, attrs, backend }: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmBackend },
  stock: tf.KernelFunc,
): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  if (x.dtype === 'string')
    return stock({ inputs, attrs, backend: backend as unknown as tf.KernelBackend }) as tf.TensorInfo;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
  const out = backend.makeOutput(size, x.dtype);
  const total = size.reduce((a, s) => a * s, 1);
  if (total === 0) return out;
  // Views only after makeOutput: growing the heap would detach earlier ones.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    strides[i] = s;
    s *= x.shape[i];
  }
  // Axis k is the last one not taken whole; everything from k on is one contiguous run.
  let k = rank - 1;
  while (k > 0 && size[k] === x.shape[k]) k--;
  const run = size[k] * strides[k];
  let base = 0;
  for (let i = 0; i <= k; i++) base += begin[i] * strides[i];
  const index = new Array<number>(k).fill(0);
  for (let written = 0; written < total; written += run) {
    let offset = base;
    for (let i = 0; i < k; i++) offset += index[i] * strides[i];
    dst.set(src.subarray(offset, offset + run), written);
    // Odometer over the axes before k.
    for (let i = k - 1; i >= 0 && ++index[i] === size[i]; i--) index[i] = 0;
  }
  return out;
}

export function installWasmSlice(): void {
  overrideWasmKernel('Slice', sliceView);
}
