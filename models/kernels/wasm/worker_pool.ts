/**
 * Worker threads that split a batch of independent pieces of work (products, solves) between them,
 * reading and writing the threaded wasm backend's shared heap directly.
 *
 * Why: XNNPACK's own pool splits each operator, so a kernel that makes one small XNNPACK call per
 * batch element (the batched matmul of batch_matmul.ts) hands work to the pool and waits for it once
 * per call; on a busy machine each wait can last a scheduler time slice, and threads made such models
 * slower than one thread (docs/performance.md, "The wasm backend on every core"). Here a batch is
 * split once: each worker takes a contiguous range of elements and runs them one after another, and
 * the calling thread waits once (Atomics.wait) for all.
 *
 * Each worker runs the kernels given to startWorkerPool (self-contained functions, sent as source)
 * and has its own instance of the package's single-threaded SIMD build (`local`, xnn_products.ts),
 * so that products run on XNNPACK without touching the backend's pool. The workers are unref'd: they do not keep
 * the process alive.
 */
import { Worker } from 'worker_threads';
import * as path from 'path';
import { TfjsModule, XnnProducts, xnnProducts } from './xnn_products';

/**
 * A kernel's share of a batch: elements [first, last) of the job in `params` (float offsets into
 * the backend's heap, sizes). `heap` gives the backend's heap as float32 and `local` runs products
 * on the worker's own XNNPACK. It runs in a worker from its source text, so it may use nothing but
 * its arguments and globals.
 */
export type WorkerKernel = (
  heap: () => Float32Array,
  params: ArrayLike<number>,
  first: number,
  last: number,
  local: XnnProducts,
) => void;

/** A job's slot in the shared parameters: kernel, first, last, then the kernel's own parameters. */
const SLOT = 16;
const HEADER = 3;

/** A worker's state (Int32, one per worker): the calling thread sets RUN or STOP, the worker DONE or FAILED. */
const STATES = { IDLE: 0, RUN: 1, DONE: 2, FAILED: 3, STOP: 4 } as const;

export interface WorkerPool {
  readonly size: number;
  /** Runs `kernel` over elements [0, count) of the job `params`, split between the workers; returns when all are done. */
  run(kernel: WorkerKernel, params: number[], count: number): void;
  stop(): void;
}

/** The body of each worker (sent as source with the kernels and xnnProducts: self-contained). */
function workerMain(kernels: WorkerKernel[], products: typeof xnnProducts): void {
  const { workerData, parentPort } = require('worker_threads');
  const { memory, states, params, index, glue, binary, slot, header, STATE } = workerData as {
    memory: { buffer: ArrayBufferLike };
    states: Int32Array;
    params: Float64Array;
    index: number;
    glue: string;
    binary: string;
    slot: number;
    header: number;
    STATE: typeof STATES;
  };
  const factory = require(glue) as (config: object) => Promise<TfjsModule>;
  const heap = () => new Float32Array(memory.buffer);
  factory({ locateFile: () => binary }).then((module) => {
    module.cwrap('init_with_threads_count', null, ['number'])(1);
    const local = products(module);
    parentPort.postMessage('ready');
    for (;;) {
      let state = Atomics.load(states, index);
      while (state !== STATE.RUN && state !== STATE.STOP) {
        Atomics.wait(states, index, state);
        state = Atomics.load(states, index);
      }
      if (state === STATE.STOP) return;
      const job = params.subarray(index * slot, (index + 1) * slot);
      try {
        kernels[job[0]](heap, job.subarray(header), job[1], job[2], local);
        Atomics.store(states, index, STATE.DONE);
      } catch (err) {
        process.stderr.write(`kernel worker ${index}: ${(err as Error)?.stack ?? err}\n`);
        Atomics.store(states, index, STATE.FAILED);
      } finally {
        local.forgetB();
      }
      Atomics.notify(states, index);
    }
  });
}

/**
 * Starts `size` workers on the shared `memory` of the threaded backend, each able to run `kernels`;
 * resolves once every worker has loaded its local XNNPACK.
 */
export async function startWorkerPool(size: number, memory: object, kernels: WorkerKernel[]): Promise<WorkerPool> {
  const source = `(${workerMain.toString()})([${kernels.map((k) => k.toString()).join(', ')}], ${xnnProducts.toString()});`;
  const states = new Int32Array(new SharedArrayBuffer(4 * size));
  const params = new Float64Array(new SharedArrayBuffer(8 * SLOT * size));
  const glue = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js');
  const binary = path.join(path.dirname(glue), 'tfjs-backend-wasm-simd.wasm');
  const workers = Array.from(
    { length: size },
    (_, index) =>
      new Worker(source, {
        eval: true,
        workerData: { memory, states, params, index, glue, binary, slot: SLOT, header: HEADER, STATE: STATES },
      }),
  );
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', (code) => reject(new Error(`a kernel worker exited with code ${code} while starting`)));
          }),
      ),
    );
  } catch (err) {
    for (const w of workers) void w.terminate();
    throw err;
  }
  for (const w of workers) {
    w.removeAllListeners();
    w.unref();
  }
  return {
    size,
    run(kernel: WorkerKernel, job: number[], count: number): void {
      const kind = kernels.indexOf(kernel);
      if (kind < 0 || HEADER + job.length > SLOT)
        throw new Error(`worker pool: ${kernel.name} is not one of its kernels or has too many parameters`);
      const busy: number[] = [];
      for (let w = 0; w < size; w++) {
        const first = Math.floor((w * count) / size);
        const last = Math.floor(((w + 1) * count) / size);
        if (first === last) continue;
        params.set([kind, first, last, ...job], w * SLOT);
        Atomics.store(states, w, STATES.RUN);
        Atomics.notify(states, w);
        busy.push(w);
      }
      let failed = false;
      for (const w of busy) {
        while (Atomics.load(states, w) === STATES.RUN) Atomics.wait(states, w, STATES.RUN);
        failed ||= Atomics.load(states, w) === STATES.FAILED;
        Atomics.store(states, w, STATES.IDLE);
      }
      if (failed) throw new Error(`${kernel.name}: a kernel worker failed (its error is on stderr)`);
    },
    stop(): void {
      for (let w = 0; w < size; w++) {
        Atomics.store(states, w, STATES.STOP);
        Atomics.notify(states, w);
      }
    },
  };
}

const pools = new WeakMap<object, WorkerPool>();

/** Makes `pool` the workers of the backend whose emscripten module is `module`. */
export function attachWorkerPool(module: object, pool: WorkerPool): void {
  pools.set(module, pool);
}

/** The workers of the backend whose emscripten module is `module` (the threaded one only). */
export function workerPoolOf(module: object): WorkerPool | undefined {
  return pools.get(module);
}
