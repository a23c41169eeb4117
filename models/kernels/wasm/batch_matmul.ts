/**
 * A batched matmul for the wasm backend that keeps every product on XNNPACK's fast path.
 *
 * The stock wasm BatchMatMul uses XNNPACK only for batch 1 without transpose flags and otherwise
 * falls back to a scalar loop about 10x slower. This kernel, registered under its own name
 * (BatchMatMulXnn), calls the backend's own BatchMatMul once per batch element on views of
 * the operands: each view is registered with the backend's C++ side under a temporary tensor id
 * pointing into the middle of the batched buffer, so no data is copied and every call is a batch-1,
 * untransposed product. Operands must be float32 of rank 3 [batch, m, k] @ [batch, k, p] with equal
 * batches or a batch of 1 on either side (broadcast); transposes are done before calling it.
 *
 * On the threaded backend a batch of at least one element per thread is split between its kernel
 * workers instead (worker_pool.ts), each running its elements on its own single-threaded XNNPACK:
 * XNNPACK's pool would split every small product and wait for it, once per element.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmBackend } from './backend';
import { LocalXnn, workerPoolOf } from './worker_pool';

import { BATCHED_MATMUL } from '../names';

/**
 * Ids for the temporary views, far above the ids the backend hands out (it counts up from 1).
 * A view's id is disposed right after its call, which also frees the XNNPACK operator cached on it.
 */
const VIEW_A = 0x7ffffff0;
const VIEW_B = 0x7ffffff1;
const VIEW_OUT = 0x7ffffff2;

type WasmMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transposeA: boolean, transposeB: boolean, outId: number) => void;

const matMulOf = new WeakMap<object, WasmMatMul>();

function wasmMatMul(backend: WasmBackend): WasmMatMul {
  let fn = matMulOf.get(backend.wasm);
  if (!fn) {
    fn = backend.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as WasmMatMul;
    matMulOf.set(backend.wasm, fn);
  }
  return fn;
}

const shapeBytes = (shape: number[]) => new Uint8Array(new Int32Array(shape).buffer);

/**
 * A kernel worker's share of the products: params = float offsets of a, b and out, then m, k, n,
 * batchA, batchB. Each element is copied into the worker's own heap, multiplied there and copied
 * back (runs in a worker: self-contained).
 */
export function multiplyOnWorker(heap: Float32Array, params: ArrayLike<number>, first: number, last: number, local: LocalXnn): void {
  const [a, b, out, m, k, n, batchA, batchB] = Array.from(params);
  const [la, lb, lo] = local.scratch([m * k, k * n, m * n]);
  for (let i = first; i < last; i++) {
    const ai = a + (batchA === 1 ? 0 : i * m * k);
    const bi = b + (batchB === 1 ? 0 : i * k * n);
    const keepB = batchB === 1 && i > first;
    local.heap().set(heap.subarray(ai, ai + m * k), la);
    if (!keepB) local.heap().set(heap.subarray(bi, bi + k * n), lb);
    local.multiply(la, lb, lo, m, k, n, keepB);
    heap.set(local.heap().subarray(lo, lo + m * n), out + i * m * n);
  }
}

function batchMatMulXnn({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [batchA, m, k] = a.shape;
  const [batchB, k2, p] = b.shape;
  if (a.shape.length !== 3 || b.shape.length !== 3 || k !== k2 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    throw new Error(`${BATCHED_MATMUL}: cannot multiply [${a.shape}] by [${b.shape}]`);
  }
  const batch = Math.max(batchA, batchB);
  const out = wasm.makeOutput([batch, m, p], 'float32');
  const aBase = wasm.dataIdMap.get(a.dataId).memoryOffset;
  const bBase = wasm.dataIdMap.get(b.dataId).memoryOffset;
  const outBase = wasm.dataIdMap.get(out.dataId).memoryOffset;
  const pool = workerPoolOf(wasm.wasm);
  if (pool && batch >= pool.size) {
    pool.run(multiplyOnWorker, [aBase / 4, bBase / 4, outBase / 4, m, k, p, batchA, batchB], batch);
    return out;
  }
  const matMul = wasmMatMul(wasm);
  const aShape = shapeBytes([1, m, k]);
  const bShape = shapeBytes([1, k, p]);
  for (let i = 0; i < batch; i++) {
    // Byte offsets of batch element i (float32: 4 bytes each); a batch of 1 is reused for all.
    wasm.wasm.tfjs.registerTensor(VIEW_A, m * k, aBase + (batchA === 1 ? 0 : i * m * k * 4));
    wasm.wasm.tfjs.registerTensor(VIEW_B, k * p, bBase + (batchB === 1 ? 0 : i * k * p * 4));
    wasm.wasm.tfjs.registerTensor(VIEW_OUT, m * p, outBase + i * m * p * 4);
    try {
      matMul(VIEW_A, aShape, 3, VIEW_B, bShape, 3, false, false, VIEW_OUT);
    } finally {
      wasm.wasm.tfjs.disposeData(VIEW_A);
      wasm.wasm.tfjs.disposeData(VIEW_B);
      wasm.wasm.tfjs.disposeData(VIEW_OUT);
    }
  }
  return out;
}

/** Registers the kernel with TensorFlow.js (once); it runs only on the wasm backend. */
export function registerBatchMatMulXnn(): void {
  if (!tf.getKernel(BATCHED_MATMUL, 'wasm')) {
    tf.registerKernel({ kernelName: BATCHED_MATMUL, backendName: 'wasm', kernelFunc: batchMatMulXnn as unknown as tf.KernelFunc });
  }
}
