/** The kernel workers: a batch split into ranges over a shared heap, products on their own XNNPACK, failures. */
import { startWorkerPool, WorkerKernel, WorkerPool } from './worker_pool';

const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { Memory: new (d: object) => { buffer: ArrayBufferLike } };
};

/** heap[at + i] = scale * i + worker's first, for i in its range: shows which elements each worker ran. */
const mark: WorkerKernel = (heap, params, first, last) => {
  const [at, scale] = Array.from(params);
  for (let i = first; i < last; i++) heap()[at + i] = scale * i + first / 1000;
};

/** out = a @ b for [m, k] @ [k, n] matrices at float offsets (one element, on the worker's XNNPACK). */
const product: WorkerKernel = (heap, params, _first, _last, local) => {
  const [a, b, out, m, k, n] = Array.from(params);
  const [la, lb, lo] = local.scratch([m * k, k * n, m * n]);
  local.heap().set(heap().subarray(a, a + m * k), la);
  local.heap().set(heap().subarray(b, b + k * n), lb);
  local.multiply(la, lb, lo, m, k, n, false);
  heap().set(local.heap().subarray(lo, lo + m * n), out);
};

const boom: WorkerKernel = () => {
  throw new Error('nothing to do');
};

describe('the kernel worker pool', () => {
  const memory = new wasmApi.Memory({ initial: 1, maximum: 1, shared: true });
  const heap = new Float32Array(memory.buffer);
  let pool: WorkerPool;

  beforeAll(async () => {
    pool = await startWorkerPool(3, memory, [mark, product, boom]);
  });
  afterAll(() => pool.stop());

  it('splits [0, count) into one contiguous range per worker and runs every element once', () => {
    heap.fill(-1);
    pool.run(mark, [100, 2], 7);
    // Ranges of 7 over 3 workers: [0, 2), [2, 4), [4, 7).
    expect(Array.from(heap.subarray(100, 108))).toEqual(
      [0, 2, 4.002, 6.002, 8.004, 10.004, 12.004, -1].map(Math.fround),
    );
    expect(heap[99]).toBe(-1);
  });

  it('leaves workers without elements idle when the batch is smaller than the pool', () => {
    heap.fill(-1);
    pool.run(mark, [0, 1], 2);
    // Ranges of 2 over 3 workers: [0, 0), [0, 1), [1, 2).
    expect(Array.from(heap.subarray(0, 3))).toEqual([0, 1.001, -1].map(Math.fround));
  });

  it("multiplies on each worker's own single-threaded XNNPACK", () => {
    const [a, b, out] = [0, 100, 200];
    heap.set([1, 2, 3, 4, 5, 6], a); // [2, 3]
    heap.set([1, 0, 0, 1, 1, 1], b); // [3, 2]
    pool.run(product, [a, b, out, 2, 3, 2], 1);
    expect(Array.from(heap.subarray(out, out + 4))).toEqual([4, 5, 10, 11]);
  });

  it('reports a kernel that throws, and keeps working afterwards', () => {
    expect(() => pool.run(boom, [], 3)).toThrow('boom: a kernel worker failed (its error is on stderr)');
    pool.run(mark, [0, 1], 3);
    expect(Array.from(heap.subarray(0, 3))).toEqual([0, 1.001, 2.002].map(Math.fround));
  });

  it('refuses a kernel it was not started with', () => {
    const other: WorkerKernel = () => undefined;
    expect(() => pool.run(other, [], 1)).toThrow(
      'worker pool: other is not one of its kernels or has too many parameters',
    );
  });
});
