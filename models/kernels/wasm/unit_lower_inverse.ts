/**
 * UnitLowerInverse for the wasm backend: X = (I + A)^-1 for every strictly lower-triangular A in
 * a [..., B, B] float32 tensor (entries on and above the diagonal are ignored).
 *
 * Done with tf ops it is B - 1 sequential steps of tiny batched products, which costs far more in
 * per-op overhead than in arithmetic; forward substitution in plain JS costs B^3/6 scalar
 * multiply-adds per matrix (docs/performance.md, "How the wasm backend is kept on its fast path",
 * gives what each cost). Here each matrix is inverted
 * by halves, the way LAPACK's blocked trtri does it: for L = [[L11, 0], [L21, L22]],
 * L^-1 = [[X11, 0], [-X22 L21 X11, X22]] with X11, X22 the inverses of the halves, down to blocks of
 * 16 rows solved by forward substitution (summed in float64); the two products per split run on
 * XNNPACK (xnn_products.ts). On the threaded backend the matrices are split between its kernel
 * workers (worker_pool.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from '../register';
import { WasmBackend } from './backend';
import { workerPoolOf } from './worker_pool';
import { moduleProducts, XnnProducts } from './xnn_products';

import { KernelArgs, UNIT_LOWER_INVERSE } from '../names';

/**
 * Matrices [first, last) of the [count, B, B] batch at float offset src of the heap, inverted into
 * the one at dst: params = src, dst, B. Each matrix is copied to `local`'s heap, inverted there and
 * copied back (runs in kernel workers too: self-contained).
 */
export function invertUnitLower(
  heap: () => Float32Array,
  params: ArrayLike<number>,
  first: number,
  last: number,
  local: XnnProducts,
): void {
  const [src, dst, B] = Array.from(params);
  const BASE = 16;
  const half = Math.ceil(B / 2);
  // Local A and X, and three contiguous blocks for the products.
  const [la, lx, p1, p2, p3] = local.scratch([B * B, B * B, half * half, half * half, half * half]);
  const row = new Float64Array(BASE);
  const copyBlock = (from: number, r: number, c: number, rows: number, cols: number, to: number) => {
    const h = local.heap();
    for (let i = 0; i < rows; i++) h.copyWithin(to + i * cols, from + (r + i) * B + c, from + (r + i) * B + c + cols);
  };
  /** Forward substitution on the diagonal block [r0, r1): row i of X = e_i - sum_{j<i} A_ij (row j of X). */
  const substitute = (r0: number, r1: number) => {
    const h = local.heap();
    for (let i = r0; i < r1; i++) {
      row.fill(0);
      row[i - r0] = 1;
      for (let j = r0; j < i; j++) {
        const aij = h[la + i * B + j];
        for (let c = r0; c <= j; c++) row[c - r0] -= aij * h[lx + j * B + c];
      }
      for (let c = r0; c <= i; c++) h[lx + i * B + c] = row[c - r0];
    }
  };
  /** X[r0:r1, r0:r1] = (I + A[r0:r1, r0:r1])^-1. */
  const solve = (r0: number, r1: number): void => {
    if (r1 - r0 <= BASE) return substitute(r0, r1);
    const mid = r0 + Math.ceil((r1 - r0) / 2);
    solve(r0, mid);
    solve(mid, r1);
    const [q, p] = [mid - r0, r1 - mid];
    copyBlock(la, mid, r0, p, q, p1);
    copyBlock(lx, r0, r0, q, q, p2);
    local.multiply(p1, p2, p3, p, q, q, false); // T = A21 X11
    copyBlock(lx, mid, mid, p, p, p1);
    local.multiply(p1, p3, p2, p, p, q, false); // X22 T
    const h = local.heap();
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < q; j++) h[lx + (mid + i) * B + r0 + j] = -h[p2 + i * q + j];
    }
  };
  for (let matrix = first; matrix < last; matrix++) {
    local.heap().set(heap().subarray(src + matrix * B * B, src + (matrix + 1) * B * B), la);
    local.heap().fill(0, lx, lx + B * B);
    solve(0, B);
    heap().set(local.heap().subarray(lx, lx + B * B), dst + matrix * B * B);
  }
}

function unitLowerInverse({
  inputs: { a },
  backend: wasm,
}: KernelArgs<typeof UNIT_LOWER_INVERSE, WasmBackend>): tf.TensorInfo {
  const B = a.shape[a.shape.length - 1];
  if (a.dtype !== 'float32' || a.shape.length < 2 || a.shape[a.shape.length - 2] !== B) {
    throw new Error(`${UNIT_LOWER_INVERSE}: expects float32 [..., B, B] (got ${a.dtype} [${a.shape}])`);
  }
  const out = wasm.makeOutput(a.shape, 'float32');
  const count = tf.util.sizeFromShape(a.shape) / (B * B);
  const params = [wasm.dataIdMap.get(a.dataId).memoryOffset / 4, wasm.dataIdMap.get(out.dataId).memoryOffset / 4, B];
  const pool = workerPoolOf(wasm.wasm);
  if (pool && count >= pool.size) pool.run(invertUnitLower, params, count);
  else invertUnitLower(() => wasm.wasm.HEAPF32, params, 0, count, moduleProducts(wasm.wasm));
  return out;
}

/** Registers the kernel with TensorFlow.js (once); it runs only on the wasm backend. */
export function registerUnitLowerInverse(): void {
  registerOnce(UNIT_LOWER_INVERSE, 'wasm', unitLowerInverse);
}
