/** The parts of @tensorflow/tfjs-backend-wasm's BackendWasm that the kernels here use. */
import * as tf from '@tensorflow/tfjs-core';
import { TfjsModule } from './xnn_products';

export interface WasmBackend {
  /** Its emscripten module; HEAPF32 is renewed when the heap grows. */
  wasm: TfjsModule;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a tensor's data on the wasm heap (no copy); invalid once the heap grows. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Replaces the wasm backend's kernel `kernelName` with `kernelFunc`, which may hand cases it does
 * not cover to the stock kernel it receives. Idempotent.
 */
export function overrideWasmKernel(
  kernelName: string,
  kernelFunc: (
    args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmBackend },
    stock: tf.KernelFunc,
  ) => tf.TensorInfo,
): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock)
    throw new Error(
      `the wasm backend has no ${kernelName} kernel to replace (is @tensorflow/tfjs-backend-wasm loaded?)`,
    );
  if ((stock.kernelFunc as { bsbr?: boolean }).bsbr) return;
  const replacement = ((args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmBackend }) =>
    kernelFunc(args, stock.kernelFunc)) as unknown as tf.KernelFunc & { bsbr?: boolean };
  replacement.bsbr = true;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: replacement });
}
