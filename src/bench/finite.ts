import * as tf from '@tensorflow/tfjs-core';
import { TimedCall } from './timer';

/** How many of the output's values are NaN or +-Infinity, of how many. */
export interface OutputCheck {
  non_finite: number;
  values: number;
}

/** Counts the non-finite values of a tensor, reading it once, asynchronously (webgpu cannot read synchronously). */
export async function countNonFinite(tensor: tf.Tensor): Promise<OutputCheck> {
  const values = await tensor.data();
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) nonFinite++;
  return { non_finite: nonFinite, values: values.length };
}

/** One more untimed call, whose output is checked for values that are not finite. */
export async function checkOutput(call: TimedCall): Promise<OutputCheck> {
  const out = call();
  try {
    return await countNonFinite(out);
  } finally {
    out.dispose();
  }
}
