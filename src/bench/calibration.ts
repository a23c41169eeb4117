import * as tf from '@tensorflow/tfjs-core';
import { activeBackend } from '../../models/backends/setup';
import { Calibration } from '../results/schema';
import { fixedSampling, sampleCalls } from './sampling';
import { relativeSpread, summarize } from '../results/stats';

/**
 * The yardstick of every run: one fixed, untransposed 2-D float32 matmul, timed on the run's
 * backend before the cases. `bsbr regress` divides case timings by it, so a slower machine is not
 * a regression. Fixed sizes and counts keep it comparable between runs of a backend: 1024^3 on a
 * CPU (and a software GPU adapter); 4096^3 on a hardware GPU, where a 1024^3 product is shorter
 * than its own readback. The description names the backend's thread count (ActiveBackend.threads)
 * where it is known.
 */
export const CALIBRATION = { size: 1024, gpuSize: 4096, warmup: 3, repeats: 15 } as const;

/**
 * The same matmul timed again in every case's worker, on the case's threads, right after its timed
 * calls: fewer calls, so that each case has a yardstick taken when and where it ran
 * (docs/measurement.md, "Calibration", gives its cost).
 */
export const CASE_CALIBRATION = { warmup: 1, repeats: 5 } as const;

/** The calibration worker's wall-clock bound: its work is fixed (--case-timeout bounds the cases), and slow backends need minutes. */
export const CALIBRATION_TIMEOUT_S = 600;

export async function measureCalibration({
  warmup,
  repeats,
}: { warmup: number; repeats: number } = CALIBRATION): Promise<Calibration> {
  const active = activeBackend();
  const adapter = active?.adapter;
  const threads = active?.threads ?? null;
  const size = adapter && !adapter.software ? CALIBRATION.gpuSize : CALIBRATION.size;
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2) as tf.Tensor2D;
  try {
    const samples_ms = await sampleCalls(() => tf.matMul(a, b), warmup, fixedSampling(repeats));
    const flops = 2 * size * size * size;
    const median_ms = summarize(samples_ms).median;
    return {
      description:
        `matmul ${size}x${size}x${size} float32` +
        (threads === null ? '' : `, ${threads} thread${threads === 1 ? '' : 's'}`),
      flops,
      median_ms,
      gflops_per_s: flops / (median_ms * 1e6),
      spread: relativeSpread(samples_ms),
      samples_ms,
    };
  } finally {
    tf.dispose([a, b]);
  }
}
