import { performance } from 'perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from '../../models/backends/setup';

/** One measured call: runs the work and returns the tensor whose data marks the end of it. */
export type TimedCall = () => tf.Tensor;

/**
 * Waits until the backend has finished computing `out`: reads back its first element. A read waits
 * for all work queued before it, so this marks the end of the call without copying the whole output
 * off a GPU (a caller of forward keeps its hidden states on the device; the PyTorch peer likewise
 * only synchronises).
 */
async function finished(out: tf.Tensor): Promise<void> {
  if (out.rank === 0) {
    await out.data();
    return;
  }
  const first = tf.slice(out, new Array(out.rank).fill(0), new Array(out.rank).fill(1));
  try {
    await first.data();
  } finally {
    first.dispose();
  }
}

/** Runs the call and waits until the backend has produced its output, then frees the output. */
export async function runToCompletion(call: TimedCall): Promise<void> {
  const out = call();
  await finished(out);
  out.dispose();
}

/**
 * One timed call in ms. The clock stops once the backend has finished the call (see finished);
 * disposing the output is outside the timed region.
 */
export async function timeOnce(call: TimedCall): Promise<number> {
  const start = performance.now();
  const out = call();
  await finished(out);
  const elapsed = performance.now() - start;
  out.dispose();
  return elapsed;
}

/**
 * The GPU's own time for the call's kernels, where the backend measures it (webgpu with
 * timestamp-query: tf.time's kernelMs): the median of three untimed calls, or null. Beside the wall
 * clock it shows how much of a call is GPU work and how much is dispatch and synchronisation.
 */
export async function gpuKernelMs(call: TimedCall): Promise<number | null> {
  const active = activeBackend();
  if (active?.name !== 'webgpu' || !active.adapter?.timestampQuery) return null;
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    let out: tf.Tensor | undefined;
    const info = await tf.time(() => {
      out = call();
    });
    await finished(out!);
    out!.dispose();
    if (typeof info.kernelMs !== 'number') return null;
    times.push(info.kernelMs);
  }
  return times.sort((a, b) => a - b)[1];
}

/** The webgpu backend's entry point for one dispatch (tfjs-backend-webgpu's WebGPUBackend, pinned version). */
interface DispatchingBackend {
  runWebGPUProgram: (...args: unknown[]) => unknown;
}

/**
 * The GPU dispatches of one more untimed call: the programs the webgpu backend runs for it (a
 * reshape or a kernel that runs on the host dispatches nothing); null on other backends.
 */
export async function dispatchesPerCall(call: TimedCall): Promise<number | null> {
  if (activeBackend()?.name !== 'webgpu') return null;
  const backend = tf.backend() as unknown as DispatchingBackend;
  const own = Object.prototype.hasOwnProperty.call(backend, 'runWebGPUProgram');
  const runWebGPUProgram = backend.runWebGPUProgram;
  let count = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    count++;
    return runWebGPUProgram.apply(this, args);
  };
  let out: tf.Tensor;
  try {
    out = call();
  } finally {
    if (own) backend.runWebGPUProgram = runWebGPUProgram;
    else delete (backend as Partial<DispatchingBackend>).runWebGPUProgram;
  }
  // The read that waits for the call (a slice of one element) is not the call's.
  await finished(out);
  out.dispose();
  return count;
}

/** The device bytes the backend holds now (webgpu's numBytesAllocatedInGPU), or null on a backend without device memory. */
export function deviceBytesHeld(): number | null {
  const held = (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
  return typeof held === 'number' ? held : null;
}

/** The engine internals the peak tracker reads (@tensorflow/tfjs-core's Engine, pinned version). */
interface TrackedEngine {
  runKernelFunc: (...args: unknown[]) => unknown;
  state: { numBytes: number };
}

/**
 * The call's own peak tensor memory: one extra untimed call during which TensorFlow.js's count of
 * live tensor bytes is read after every kernel (what tf.profile's peakBytes reports), minus the bytes
 * already live before the call. Weights, inputs and any streaming state that existed before are
 * excluded. Not tf.profile itself: it keeps a record per kernel and its final Math.max(...records)
 * overflows the call stack once a call runs enough kernels (DeltaNet at 262k tokens does).
 */
export async function peakTensorBytes(call: TimedCall): Promise<number> {
  const engine = tf.engine() as unknown as TrackedEngine;
  const before = engine.state.numBytes;
  let peak = before;
  const runKernelFunc = engine.runKernelFunc;
  engine.runKernelFunc = function (this: unknown, ...args: unknown[]) {
    const result = runKernelFunc.apply(this, args);
    peak = Math.max(peak, engine.state.numBytes);
    return result;
  };
  try {
    await runToCompletion(call);
  } finally {
    engine.runKernelFunc = runKernelFunc;
  }
  return peak - before;
}
