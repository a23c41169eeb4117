/** UnitLowerInverse on wasm against DeltaNet's tf-op forward substitution (unitLowerInverseByRows). */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../backends/setup';
import { unitLowerInverse, unitLowerInverseByRows } from '../../deltanet';
import { lcg } from '../../testing/harness';
import { UNIT_LOWER_INVERSE } from './unit_lower_inverse';

beforeAll(async () => {
  // The threaded build (a shared heap, XNNPACK's pool), as compare runs it by default.
  const { threads } = await setupBackend('wasm', { threads: 2 });
  expect(threads).toBe(2);
});

/** Entries in [-scale, scale) everywhere (for matrices: including on and above the diagonal). */
function randomTensor(shape: number[], scale: number, seed: number): tf.Tensor {
  const next = lcg(seed);
  const size = shape.reduce((a, s) => a * s, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * (2 * next() - 1)), shape);
}

describe('UnitLowerInverse on wasm', () => {
  it('is installed with the wasm backend, so unitLowerInverse uses it', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel(UNIT_LOWER_INVERSE, 'wasm')).toBeTruthy();
  });

  it.each([
    [[1], 1], [[3], 2], [[2, 3], 5], [[4], 64], [[2, 1, 3], 7],
  ])('agrees with the tf-op version for lead %j, B = %i (only the strict lower triangle counts)', (lead, B) => {
    const a = randomTensor([...(lead as number[]), B as number, B as number], 0.3, 11);
    const fast = unitLowerInverse(a);
    expect(fast.shape).toEqual(a.shape);
    const strictlyLower = tf.tidy(() => tf.sub(tf.linalg.bandPart(tf.ones([B as number, B as number]), -1, 0), tf.eye(B as number)));
    const reference = tf.tidy(() => unitLowerInverseByRows(tf.mul(a, strictlyLower)));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(fast, reference))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([a, fast, reference, strictlyLower]);
  });

  it.each([[64, 16], [128, 64], [100, 32]])('is exact to float32 accuracy at B = %i (head size %i): (I + A) X = I within 1e-5', (B, d) => {
    const N = 3;
    // A = 0.9 tril(K K^T, -1) for unit keys, as DeltaNet builds it with beta = 0.9.
    const a = tf.tidy(() => {
      const k = randomTensor([N, B, d], 1, 5);
      const unit = tf.div(k, tf.norm(k, 'euclidean', -1, true));
      return tf.mul(tf.mul(tf.matMul(unit, unit, false, true), 0.9), tf.linalg.bandPart(tf.ones([B, B]), -1, 0));
    });
    const x = tf.engine().runKernel(UNIT_LOWER_INVERSE, { a }) as tf.Tensor;
    const av = a.arraySync() as number[][][];
    const xv = x.arraySync() as number[][][];
    let worst = 0;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < B; j++) {
          // ((I + A) X)_ij - I_ij in float64, with A strictly lower.
          let sum = xv[n][i][j];
          for (let l = 0; l < i; l++) sum += av[n][i][l] * xv[n][l][j];
          worst = Math.max(worst, Math.abs(sum - (i === j ? 1 : 0)));
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([a, x]);
  });

  it('split between the kernel workers (2 threads), gives exactly the single-threaded inverses', async () => {
    const inverses = () => tf.tidy(() => Array.from((tf.engine().runKernel(UNIT_LOWER_INVERSE, { a: randomTensor([5, 24, 24], 0.3, 3) }) as tf.Tensor).dataSync()));
    await setupBackend('wasm', { threads: 1 });
    const single = inverses();
    await setupBackend('wasm', { threads: 2 });
    expect(inverses()).toEqual(single);
  });

  it('refuses a non-square input', () => {
    const a = tf.zeros([2, 3, 4]);
    expect(() => tf.engine().runKernel(UNIT_LOWER_INVERSE, { a })).toThrow(`${UNIT_LOWER_INVERSE}: expects float32 [..., B, B]`);
    a.dispose();
  });
});
