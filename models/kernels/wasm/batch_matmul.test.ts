import * as tf from '@tensorflow/tfjs-core';
import { bmm } from '../../matmul';
import { setupBackend } from '../../backends/setup';
import { BATCH_MATMUL_XNN } from './batch_matmul';

beforeAll(async () => {
  // The threaded build (a shared heap, XNNPACK's pool), as compare runs it by default.
  const { threads } = await setupBackend('wasm', { threads: 2 });
  expect(threads).toBe(2);
});

/** max |x - y| / max |y|. */
function relDiff(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0] / tf.max(tf.abs(y)).dataSync()[0]);
}

describe('bmm on wasm (BatchMatMulXnn) agrees with the stock matMul kernel', () => {
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['rank 3', [5, 7, 3], [5, 3, 4], false, false],
    ['rank 5 (b, h, chunks, B, d)', [2, 3, 4, 8, 5], [2, 3, 4, 5, 8], false, false],
    ['transposed b (q k^T)', [2, 3, 4, 8, 5], [2, 3, 4, 8, 5], false, true],
    ['transposed a (k^T v)', [2, 3, 4, 8, 5], [2, 3, 4, 8, 6], true, false],
    ['both transposed', [3, 4, 6], [3, 5, 4], true, true],
    ['a single row and a single column', [6, 1, 9], [6, 9, 1], false, false],
    ['different batch shapes (falls back to the stock kernel)', [4, 2, 3], [1, 3, 2], false, false],
  ];
  it.each(cases)('%s', (_, aShape, bShape, ta, tb) => {
    const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
    const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const fast = bmm(a, b, ta, tb);
    expect(tf.memory().numTensors).toBe(before + 1);
    const stock = tf.matMul(a, b, ta, tb);
    expect(fast.shape).toEqual(stock.shape);
    expect(relDiff(fast, stock)).toBeLessThan(1e-6);
    tf.dispose([a, b, fast, stock]);
  });

  it('broadcasts a batch of one on either side', () => {
    const a = tf.randomNormal([1, 4, 3], 0, 1, 'float32', 3);
    const b = tf.randomNormal([5, 3, 2], 0, 1, 'float32', 4);
    const left = tf.engine().runKernel(BATCH_MATMUL_XNN, { a, b }) as tf.Tensor;
    const right = tf.engine().runKernel(BATCH_MATMUL_XNN, { a: tf.tile(a, [5, 1, 1]), b: tf.slice(b, [2, 0, 0], [1, 3, 2]) }) as tf.Tensor;
    expect(relDiff(left, tf.matMul(tf.tile(a, [5, 1, 1]), b))).toBeLessThan(1e-6);
    expect(relDiff(right, tf.matMul(tf.tile(a, [5, 1, 1]), tf.tile(tf.slice(b, [2, 0, 0], [1, 3, 2]), [5, 1, 1])))).toBeLessThan(1e-6);
    tf.dispose([a, b, left, right]);
  });

  it('split between the kernel workers (2 threads), gives exactly the single-threaded products', async () => {
    const values = (shape: number[], seed: number) => tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync());
    const products = () => tf.tidy(() => ['left', 'right', 'none'].map((broadcast) => {
      const a = tf.tensor(values([broadcast === 'left' ? 1 : 6, 33, 17], 5), [broadcast === 'left' ? 1 : 6, 33, 17]);
      const b = tf.tensor(values([broadcast === 'right' ? 1 : 6, 17, 9], 6), [broadcast === 'right' ? 1 : 6, 17, 9]);
      return Array.from((tf.engine().runKernel(BATCH_MATMUL_XNN, { a, b }) as tf.Tensor).dataSync());
    }));
    await setupBackend('wasm', { threads: 1 });
    const single = products();
    const { threads } = await setupBackend('wasm', { threads: 2 });
    expect(threads).toBe(2);
    expect(products()).toEqual(single);
  });

  it('refuses shapes it cannot multiply', () => {
    const a = tf.zeros([2, 3, 4]);
    const b = tf.zeros([3, 4, 5]);
    expect(() => tf.engine().runKernel(BATCH_MATMUL_XNN, { a, b })).toThrow(`${BATCH_MATMUL_XNN}: cannot multiply [2,3,4] by [3,4,5]`);
    tf.dispose([a, b]);
  });
});
