import { performance } from 'perf_hooks';
import * as tf from '@tensorflow/tfjs-core';

/** One measured call: runs the work and returns the tensor whose data marks the end of it. */
export type TimedCall = () => tf.Tensor;

/** Runs the call and waits until the backend has produced its output, then frees the output. */
async function runToCompletion(call: TimedCall): Promise<void> {
  const out = call();
  await out.data();
  out.dispose();
}

/**
 * `warmup` untimed calls, then `repeats` timed ones. The clock stops only after the output's data
 * has been read back (the backend has finished); disposing the output is outside the timed region.
 */
export async function timeCalls(call: TimedCall, warmup: number, repeats: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await runToCompletion(call);
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const out = call();
    await out.data();
    samples.push(performance.now() - start);
    out.dispose();
  }
  return samples;
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
 * overflows the call stack past about 120k kernels (DeltaNet at 262k tokens).
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
