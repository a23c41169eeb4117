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

/**
 * The call's own peak tensor memory: one extra untimed call under tf.profile, whose peakBytes
 * (TensorFlow.js's count of live tensor bytes after each kernel) minus the bytes already live
 * before the call. Weights, inputs and any streaming state that existed before are excluded.
 */
export async function peakTensorBytes(call: TimedCall): Promise<number> {
  const before = tf.memory().numBytes;
  const info = await tf.profile(() => runToCompletion(call));
  return Number.isFinite(info.peakBytes) ? Math.max(0, info.peakBytes - before) : 0;
}
