/**
 * The wasm backend on N threads under Node: @tensorflow/tfjs-backend-wasm's threaded SIMD build,
 * whose XNNPACK operators split their work over a pthread pool.
 *
 * The package turns that build off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false there, tfjs
 * issue #3830): its loader hands emscripten the pthread worker script as a blob: URL, which Node's
 * worker_threads refuses (ERR_WORKER_PATH). Here the same build is instantiated from the installed
 * package, with no network and no file of the package changed, through emscripten's Module hooks:
 * - locateFile: each pthread runs the package's own worker script (wasmWorkerContents) from a data:
 *   URL, given the `require` and `__filename` it expects;
 * - instantiateWasm: emscripten_num_logical_cores reports 2N, because the C++ side caps the pool at
 *   half the logical cores (it assumes hyper-threading); and emscripten's 8 pre-started workers are
 *   cut to the N - 1 that XNNPACK's pool uses beside the calling thread (each holds memory of its own);
 * - the pool's workers are unref'd, so that they do not keep the process alive.
 * The backend object is the package's own BackendWasm, so every kernel runs unchanged. One thread
 * is the package's single-threaded SIMD build. The C++ side uses at most MAX_WASM_THREADS.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { firstLine } from '../errors';
import { WORKER_KERNELS } from '../kernels/wasm/install';
import { attachWorkerPool, startWorkerPool, WorkerPool } from '../kernels/wasm/worker_pool';

/** The default thread count: every core this process may use. */
export const ALL_CORES = os.availableParallelism();

/** The most threads the threaded build's C++ side uses (its pool of workers has 8). */
export const MAX_WASM_THREADS = 8;

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
const BUILD = 'tfjs-backend-wasm-threaded-simd';
/** The package registers 'wasm' with this priority; so do we. */
const PRIORITY = 2;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}

/** The parts of the emscripten module that are used here. */
interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[] };
  wasmMemory: object;
  tfjs?: Record<string, unknown>;
}

/** The one WebAssembly call made here (the DOM lib, which declares WebAssembly, is not in this build). */
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: object): Promise<{ instance: object; module: object }> };
};

interface WasmPackage {
  BackendWasm: new (module: ThreadedModule) => tf.KernelBackend;
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** The threads the wasm backend runs on, and why fewer than asked for (one line), if so. */
export interface WasmThreads {
  threads: number;
  notice?: string;
}

/** The package's own factory (its single-threaded build under Node), kept for one thread and the fallback. */
let stockFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
/** The thread count 'wasm' was last registered for, and what it gave. */
let registered: { asked: number; result: WasmThreads } | undefined;
/** The kernel workers of the threaded backend registered last. */
let workers: WorkerPool | undefined;

/** The pthread script: the package's worker script, which expects CommonJS's require and __filename. */
function workerUrl(glue: string): URL {
  const { wasmWorkerContents } = require(`${PACKAGE}/wasm-out/${BUILD}.worker.js`) as { wasmWorkerContents: string };
  const source = [
    "import { createRequire } from 'node:module';",
    `const require = createRequire(${JSON.stringify(glue)});`,
    `const __filename = ${JSON.stringify(glue)};`,
    // The package keeps the script in a template literal, which turned its "\n" escapes into newlines.
    wasmWorkerContents.replace(/\n/g, '\\n'),
  ].join('\n');
  return new URL(`data:text/javascript,${encodeURIComponent(source)}`);
}

/** The threaded build's emscripten module, started with a pool for `threads` threads. */
function instantiate(threads: number): Promise<ThreadedModule> {
  const glue = require.resolve(`${PACKAGE}/wasm-out/${BUILD}.js`);
  const factory = require(glue) as (config: object) => Promise<ThreadedModule>;
  const binary = fs.readFileSync(path.join(path.dirname(glue), `${BUILD}.wasm`));
  const worker = workerUrl(glue);
  return new Promise((resolve, reject) => {
    // emscripten makes this object its Module: PThread is on it once the factory has run.
    const config = {
      PThread: undefined as unknown as ThreadedModule['PThread'],
      locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : path.join(path.dirname(glue), file)),
      instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: object, module: object) => void) {
        imports.env.emscripten_num_logical_cores = () => 2 * threads;
        wasmApi.instantiate(binary, imports).then(({ instance, module }) => {
          for (const idle of config.PThread.unusedWorkers.splice(threads - 1)) void idle.terminate();
          receive(instance, module);
        }, reject);
        return {};
      },
    };
    const before = new Set<unknown>([
      ...process.listeners('uncaughtException'),
      ...process.listeners('unhandledRejection'),
    ]);
    factory(config)
      .then(resolve, reject)
      .finally(() => {
        // emscripten's Node glue adds handlers that rethrow every uncaught error from inside the glue,
        // whose 100 kB line Node then prints as the error's source: Node's own handling is kept instead.
        for (const handler of process.listeners('uncaughtException'))
          if (!before.has(handler)) process.removeListener('uncaughtException', handler);
        for (const handler of process.listeners('unhandledRejection'))
          if (!before.has(handler)) process.removeListener('unhandledRejection', handler);
      });
  });
}

/** The JS side of the C API, as the package's own loader sets it up (BackendWasm calls these). */
function addTfjsApi(module: ThreadedModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
}

function registerWasm(factory: () => tf.KernelBackend | Promise<tf.KernelBackend>): void {
  workers?.stop();
  workers = undefined;
  if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, PRIORITY);
}

async function startThreaded(pkg: WasmPackage, threads: number): Promise<number> {
  const capped = Math.min(threads, MAX_WASM_THREADS);
  const module = await instantiate(capped);
  addTfjsApi(module);
  pkg.setThreadsCount(threads);
  const pool = await startWorkerPool(capped, module.wasmMemory, WORKER_KERNELS);
  attachWorkerPool(module, pool);
  registerWasm(() => {
    const backend = new pkg.BackendWasm(module);
    // The pool's threads have started (BackendWasm created it); they wait for work and need not keep Node running.
    for (const running of module.PThread.runningWorkers) running.unref();
    return backend;
  });
  workers = pool;
  if (!(await tf.setBackend('wasm'))) throw new Error('the threaded build failed to initialise');
  return pkg.getThreadsCount();
}

/**
 * Sets the wasm backend up on `threads` threads (the package must be loaded). Where the threaded
 * build cannot start, it falls back to the single-threaded one and says why in `notice`.
 */
export async function startWasm(threads: number): Promise<WasmThreads> {
  // The same count again keeps the backend that holds the tensors.
  if (registered?.asked === threads && (await tf.setBackend('wasm'))) return registered.result;
  registered = { asked: threads, result: await start(threads) };
  return registered.result;
}

async function start(threads: number): Promise<WasmThreads> {
  const pkg = require(PACKAGE) as WasmPackage;
  stockFactory ??= tf.findBackendFactory('wasm');
  let notice: string | undefined;
  if (threads > 1) {
    try {
      const started = await startThreaded(pkg, threads);
      if (started < threads)
        notice = `wasm: ${started} threads, not ${threads} (the threaded build uses at most ${MAX_WASM_THREADS})`;
      return { threads: started, notice };
    } catch (err) {
      notice = `wasm: ${threads} threads could not start (${firstLine(err)}); running on 1 thread`;
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasm(stockFactory!);
  if (!(await tf.setBackend('wasm'))) throw new Error('failed to initialise');
  return { threads: 1, notice };
}
