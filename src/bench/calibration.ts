import * as tf from '@tensorflow/tfjs-core';
import { Calibration } from '../results/schema';
import { summarize } from './stats';
import { timeCalls } from './timer';

/**
 * The yardstick of every run: one fixed, untransposed 2-D float32 matmul, timed on the run's
 * backend before the cases. `bsbr regress` divides case timings by it, so a slower machine is not
 * a regression. Fixed sizes and counts keep it comparable between runs; the description names the
 * backend's thread count (ActiveBackend.threads) where it is known.
 */
export const CALIBRATION = { size: 1024, warmup: 3, repeats: 15 } as const;

export async function measureCalibration(threads: number | null): Promise<Calibration> {
  const { size, warmup, repeats } = CALIBRATION;
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2) as tf.Tensor2D;
  try {
    const samples_ms = await timeCalls(() => tf.matMul(a, b), warmup, repeats);
    const flops = 2 * size * size * size;
    const median_ms = summarize(samples_ms).median;
    return {
      description: `matmul ${size}x${size}x${size} float32` + (threads === null ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`),
      flops,
      median_ms,
      gflops_per_s: flops / (median_ms * 1e6),
      samples_ms,
    };
  } finally {
    tf.dispose([a, b]);
  }
}
