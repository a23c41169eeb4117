/**
 * A batched matmul for the wasm backend that keeps every product on XNNPACK's fast path.
 *
 * The stock wasm BatchMatMul uses XNNPACK only for batch 1 without transpose flags and otherwise
 * falls back to a scalar loop (docs/performance.md, "How the wasm backend is kept on its fast path").
 * This kernel, registered as this package's BATCHED_MATMUL (models/kernels/names.ts), runs one
 * batch-1, untransposed XNNPACK product per batch element on the
 * operands where they lie (xnn_products.ts: nothing is copied). Operands must be float32 of rank 3
 * [batch, m, k] @ [batch, k, p] with equal batches or a batch of 1 on either side (broadcast);
 * transposes are done before calling it.
 *
 * Products too small to pay for a call into XNNPACK are computed in a plain loop instead.
 *
 * On the threaded backend a batch of at least one element per thread is split between its kernel
 * workers instead (worker_pool.ts), each running its elements on its own single-threaded XNNPACK:
 * XNNPACK's pool would split every small product and wait for it, once per element.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { WasmBackend } from './backend';
import { workerPoolOf } from './worker_pool';
import { moduleProducts, XnnProducts } from './xnn_products';

import { BATCHED_MATMUL, KernelArgs } from '../names';

/**
 * A kernel worker's share of the products: params = float offsets of a, b and out, then m, k, n,
 * batchA, batchB. Each element is copied into the worker's own heap, multiplied there and copied
 * back (runs in a worker: self-contained).
 */
export function multiplyOnWorker(
  heap: () => Float32Array,
  params: ArrayLike<number>,
  first: number,
  last: number,
  local: XnnProducts,
): void {
  const [a, b, out, m, k, n, batchA, batchB] = Array.from(params);
  const [la, lb, lo] = local.scratch([m * k, k * n, m * n]);
  const shared = heap();
  for (let i = first; i < last; i++) {
    const ai = a + (batchA === 1 ? 0 : i * m * k);
    const bi = b + (batchB === 1 ? 0 : i * k * n);
    const keepB = batchB === 1 && i > first;
    local.heap().set(shared.subarray(ai, ai + m * k), la);
    if (!keepB) local.heap().set(shared.subarray(bi, bi + k * n), lb);
    local.multiply(la, lb, lo, m, k, n, keepB);
    shared.set(local.heap().subarray(lo, lo + m * n), out + i * m * n);
  }
}

/**
 * Products of at most this many multiply-adds are computed in a plain loop: a call into XNNPACK
 * costs more than the product itself (a banded attention of window 1 makes thousands of 1 x 2 score
 * products per head).
 */
const SMALL_PRODUCT = 1024;

/** All the products in a loop over the heap; params as for multiplyOnWorker. */
function multiplySmall(heap: Float32Array, params: number[], batch: number): void {
  const [a, b, out, m, k, n, batchA, batchB] = params;
  for (let i = 0; i < batch; i++) {
    const ai = a + (batchA === 1 ? 0 : i * m * k);
    const bi = b + (batchB === 1 ? 0 : i * k * n);
    const oi = out + i * m * n;
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let sum = 0;
        for (let j = 0; j < k; j++) sum += heap[ai + r * k + j] * heap[bi + j * n + c];
        heap[oi + r * n + c] = sum;
      }
    }
  }
}

function batchedMatMul({
  inputs: { a, b },
  backend: wasm,
}: KernelArgs<typeof BATCHED_MATMUL, WasmBackend>): tf.TensorInfo {
  const [batchA, m, k] = a.shape;
  const [batchB, k2, p] = b.shape;
  if (a.shape.length !== 3 || b.shape.length !== 3 || k !== k2 || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    throw new Error(`${BATCHED_MATMUL}: cannot multiply [${a.shape}] by [${b.shape}]`);
  }
  const batch = Math.max(batchA, batchB);
  const out = wasm.makeOutput([batch, m, p], 'float32');
  // Float offsets of the operands in the heap.
  const [aAt, bAt, outAt] = [a, b, out].map((t) => wasm.dataIdMap.get(t.dataId).memoryOffset / 4);
  if (m * k * p <= SMALL_PRODUCT) {
    multiplySmall(wasm.wasm.HEAPF32, [aAt, bAt, outAt, m, k, p, batchA, batchB], batch);
    return out;
  }
  const pool = workerPoolOf(wasm.wasm);
  if (pool && batch >= pool.size) {
    pool.run(multiplyOnWorker, [aAt, bAt, outAt, m, k, p, batchA, batchB], batch);
    return out;
  }
  const products = moduleProducts(wasm.wasm);
  try {
    for (let i = 0; i < batch; i++) {
      products.multiply(
        aAt + (batchA === 1 ? 0 : i * m * k),
        bAt + (batchB === 1 ? 0 : i * k * p),
        outAt + i * m * p,
        m,
        k,
        p,
        batchB === 1 && i > 0,
      );
    }
  } finally {
    products.forgetB();
  }
  return out;
}

/** Registers the kernel with TensorFlow.js (once); it runs only on the wasm backend. */
export function registerBatchedMatMul(): void {
  registerOnce(BATCHED_MATMUL, 'wasm', batchedMatMul);
}
