/**
 * Seeded dropout on every test backend: the masks applied (on the device where the backend has a
 * DROPOUT kernel) are the host's exactly, their gradient is dy times the mask, and a model's training
 * forward with dropout agrees across backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from './backends/setup';
import { Dropout, dropoutThreshold } from './dropout';
import { DROPOUT, hasKernel } from './kernels/names';
import { relativeError } from './ops/reference/arrays';
import {
  lcg,
  liveTensors,
  randomIds,
  readAndDispose,
  TEST_BACKENDS,
  testsOn,
  TINY,
  unusableHere,
  withModel,
} from './testing/harness';
import { randomTensor } from './testing/ops';
import { itOrSkip } from './testing/skip';

describe('dropoutThreshold', () => {
  it.each([0.1, 0.3, 1 / 3, 0.5, 0.25, 1e-12, 1 - 2 ** -40])(
    'is the integer T with h < T exactly where h < rate * 2^32 for integer h (rate %p)',
    (rate) => {
      const threshold = dropoutThreshold(rate);
      expect(Number.isInteger(threshold)).toBe(true);
      expect(threshold - 1 < rate * 2 ** 32).toBe(true);
      expect(threshold >= rate * 2 ** 32).toBe(true);
    },
  );
});

/** Shapes [b, L, F], first positions and rates: rate * 2^32 an integer (0.5) or not (0.3, 0.1, 0.9). */
const CASES = [
  { shape: [2, 5, 7], start: 0, rate: 0.3 },
  { shape: [1, 70, 33], start: 1000, rate: 0.1 },
  { shape: [3, 4, 64], start: 262140, rate: 0.5 },
  { shape: [2, 9, 5], start: 7, rate: 0.9 },
];
const SITE = 'layers.1.ff';

describe.each(TEST_BACKENDS)('dropout on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each(CASES)(
    'applies exactly the mask drawn on the host, and its gradient is dy times it: $shape from $start at $rate',
    async ({ shape, start, rate }) => {
      const dropout = Dropout.of(rate, { training: true, dropoutSeed: 11 })!;
      const mask = dropout.maskValues(SITE, shape[0], shape[1], shape[2], start);
      const [x, dy] = [randomTensor(shape, lcg(3)), randomTensor(shape, lcg(4))];
      const before = liveTensors();
      const applied = dropout.apply(x, SITE, start);
      const [grad] = tf.grads((input: tf.Tensor) => dropout.apply(input, SITE, start))([x], dy);
      const [got, gradient] = [await applied.data(), await grad.data()];
      tf.dispose([applied, grad]);
      expect(liveTensors()).toBe(before);
      const [xs, dys] = [await x.data(), await dy.data()];
      expect(Array.from(got)).toEqual(Array.from(xs, (v, j) => Math.fround(v * mask[j])));
      expect(Array.from(gradient)).toEqual(Array.from(dys, (v, j) => Math.fround(v * mask[j])));
      const dropped = mask.filter((m) => m === 0).length / mask.length;
      expect(Math.abs(dropped - rate)).toBeLessThan(0.1);
      tf.dispose([x, dy]);
    },
  );

  itOn('runs the DROPOUT kernel where the backend registered one, forward and backward', async () => {
    const dropout = Dropout.of(0.3, { training: true })!;
    const x = randomTensor([2, 3, 8], lcg(5));
    const { kernels } = await tf.profile(() =>
      tf.dispose(tf.grads((input: tf.Tensor) => dropout.apply(input, SITE, 0))([x])),
    );
    expect(kernels.filter(({ name }) => name === DROPOUT).length).toBe(hasKernel(DROPOUT) ? 2 : 0);
    expect(hasKernel(DROPOUT)).toBe(backend === 'webgpu');
    x.dispose();
  });
});

describe('a training forward with dropout', () => {
  const IDS = randomIds(2, 9, 50, 13);
  itOrSkip(unusableHere('webgpu'))(
    'gives the same result on wasm, cpu and webgpu for one seed, and another for another seed',
    async () => {
      const outputs = new Map<string, number[][][]>();
      for (const backend of TEST_BACKENDS) {
        await setupBackend(backend);
        await withModel('BSBR', { ...TINY, dropout: 0.3 }, async (model) => {
          outputs.set(backend, await readAndDispose(model.forward(IDS, null, { training: true, dropoutSeed: 5 })));
          if (backend === 'cpu')
            outputs.set(
              'other seed',
              await readAndDispose(model.forward(IDS, null, { training: true, dropoutSeed: 6 })),
            );
        });
      }
      const cpu = outputs.get('cpu')!;
      expect(relativeError(outputs.get('wasm')!, cpu)).toBeLessThan(1e-4);
      expect(relativeError(outputs.get('webgpu')!, cpu)).toBeLessThan(1e-4);
      expect(relativeError(outputs.get('other seed')!, cpu)).toBeGreaterThan(1e-2);
    },
  );
});
