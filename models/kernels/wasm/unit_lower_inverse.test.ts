/**
 * UnitLowerInverse's own checks on wasm; its results are compared with unitLowerInverseByBlocks by
 * models/kernels/kernels.test.ts and checked at B = 64 by models/ops/triangular.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../backends/setup';
import { UNIT_LOWER_INVERSE } from '../names';

beforeAll(async () => {
  // The threaded build (a shared heap, XNNPACK's pool), as compare runs it by default.
  const { threads } = await setupBackend('wasm', { threads: 2 });
  expect(threads).toBe(2);
});

describe('UnitLowerInverse on wasm', () => {
  it('is installed with the wasm backend, so unitLowerInverse uses it', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel(UNIT_LOWER_INVERSE, 'wasm')).toBeTruthy();
  });

  it('split between the kernel workers (2 threads), gives exactly the single-threaded inverses', async () => {
    const inverses = () =>
      tf.tidy(() =>
        Array.from(
          (
            tf
              .engine()
              .runKernel(UNIT_LOWER_INVERSE, { a: tf.randomUniform([5, 24, 24], -0.3, 0.3, 'float32', 3) }) as tf.Tensor
          ).dataSync(),
        ),
      );
    await setupBackend('wasm', { threads: 1 });
    const single = inverses();
    await setupBackend('wasm', { threads: 2 });
    expect(inverses()).toEqual(single);
  });

  it('refuses a non-square input', () => {
    const a = tf.zeros([2, 3, 4]);
    expect(() => tf.engine().runKernel(UNIT_LOWER_INVERSE, { a })).toThrow(
      `${UNIT_LOWER_INVERSE}: expects float32 [..., B, B]`,
    );
    a.dispose();
  });
});
