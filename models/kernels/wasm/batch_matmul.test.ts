/** BATCHED_MATMUL's own checks on wasm; its products are compared with tf.matMul by models/ops/matmul.test.ts and models/kernels/kernels.test.ts. */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../backends/setup';
import { BATCHED_MATMUL } from '../names';

beforeAll(async () => {
  // The threaded build (a shared heap, XNNPACK's pool), as compare runs it by default.
  const { threads } = await setupBackend('wasm', { threads: 2 });
  expect(threads).toBe(2);
});

describe('BATCHED_MATMUL on wasm', () => {
  it('split between the kernel workers (2 threads), gives exactly the single-threaded products', async () => {
    const values = (shape: number[], seed: number) =>
      tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync());
    const products = () =>
      tf.tidy(() =>
        ['left', 'right', 'none'].map((broadcast) => {
          const a = tf.tensor(values([broadcast === 'left' ? 1 : 6, 33, 17], 5), [
            broadcast === 'left' ? 1 : 6,
            33,
            17,
          ]);
          const b = tf.tensor(values([broadcast === 'right' ? 1 : 6, 17, 9], 6), [
            broadcast === 'right' ? 1 : 6,
            17,
            9,
          ]);
          return Array.from((tf.engine().runKernel(BATCHED_MATMUL, { a, b }) as tf.Tensor).dataSync());
        }),
      );
    await setupBackend('wasm', { threads: 1 });
    const single = products();
    const { threads } = await setupBackend('wasm', { threads: 2 });
    expect(threads).toBe(2);
    expect(products()).toEqual(single);
  });

  it('gives small products (computed in a loop, not by XNNPACK) to float32 rounding of the plain sums', () => {
    for (const [batchA, batchB] of [
      [5, 5],
      [1, 5],
      [5, 1],
    ]) {
      const a = tf.randomNormal([batchA, 3, 4], 0, 1, 'float32', 1);
      const b = tf.randomNormal([batchB, 4, 2], 0, 1, 'float32', 2);
      const [av, bv] = [a.dataSync(), b.dataSync()];
      const out = tf.engine().runKernel(BATCHED_MATMUL, { a, b }) as tf.Tensor;
      expect(out.shape).toEqual([5, 3, 2]);
      const got = out.dataSync();
      for (let i = 0; i < 5; i++) {
        for (let r = 0; r < 3; r++) {
          for (let c = 0; c < 2; c++) {
            let sum = 0;
            for (let j = 0; j < 4; j++)
              sum += av[(batchA === 1 ? 0 : i) * 12 + r * 4 + j] * bv[(batchB === 1 ? 0 : i) * 8 + j * 2 + c];
            expect(got[i * 6 + r * 2 + c]).toBeCloseTo(sum, 5);
          }
        }
      }
      tf.dispose([a, b, out]);
    }
  });

  it('refuses shapes it cannot multiply', () => {
    const a = tf.zeros([2, 3, 4]);
    const b = tf.zeros([3, 4, 5]);
    expect(() => tf.engine().runKernel(BATCHED_MATMUL, { a, b })).toThrow(
      `${BATCHED_MATMUL}: cannot multiply [2,3,4] by [3,4,5]`,
    );
    tf.dispose([a, b]);
  });
});
