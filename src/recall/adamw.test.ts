import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '../../models/backends/setup';
import { AdamW, ADAMW_DEFAULTS } from './adamw';
import { cosineLearningRate } from './schedule';

/** One update at learning rate lr, as the training loop makes it: the step's factors, then apply. */
function update(optimizer: AdamW, grads: tf.NamedTensorMap, lr: number): void {
  const factors = optimizer.next(lr);
  tf.tidy(() =>
    optimizer.apply(grads, {
      decay: tf.scalar(factors.decay),
      stepSize: tf.scalar(factors.stepSize),
      epsilon: tf.scalar(factors.epsilon),
    }),
  );
}

beforeAll(async () => {
  await setupBackend('cpu');
});

/** torch.optim.AdamW's update in float64 on plain arrays: decay first, then the bias-corrected Adam step. */
function referenceAdamW(w0: number[], grads: number[][], lrs: number[], wd: number): number[] {
  const { beta1, beta2, epsilon } = ADAMW_DEFAULTS;
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, i) => {
    const t = i + 1;
    for (let j = 0; j < w.length; j++) {
      w[j] *= 1 - lrs[i] * wd;
      m[j] = beta1 * m[j] + (1 - beta1) * g[j];
      v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
      w[j] -= (lrs[i] * (m[j] / (1 - beta1 ** t))) / (Math.sqrt(v[j] / (1 - beta2 ** t)) + epsilon);
    }
  });
  return w;
}

describe('AdamW', () => {
  it.each([0.1, 0])(
    'matches the float64 update of torch.optim.AdamW over four steps (weight decay %p)',
    async (weightDecay) => {
      const w0 = [0.5, -1.25, 2, 0.001, -3];
      const grads = [
        [0.1, -0.2, 0.3, 0, 5],
        [-0.4, 0.1, 0.2, 1e-3, 5],
        [0.3, 0.3, -0.3, -1e-3, -5],
        [0, 1, -1, 0.5, 0],
      ];
      const lrs = [1e-3, 3e-3, 2e-3, 5e-4];
      const w = tf.variable(tf.tensor1d(w0), true, 'adamw_test_w');
      const before = tf.memory().numTensors;
      const optimizer = new AdamW([w], { ...ADAMW_DEFAULTS, weightDecay });
      grads.forEach((g, i) => {
        const grad = tf.tensor1d(g);
        update(optimizer, { adamw_test_w: grad }, lrs[i]);
        grad.dispose();
      });
      const got = Array.from(await w.data());
      const want = referenceAdamW(w0, grads, lrs, weightDecay);
      got.forEach((x, j) => expect(x).toBeCloseTo(want[j], 5));
      // The decay moves the weights: with and without it they differ.
      if (weightDecay > 0) expect(Math.abs(want[4] - referenceAdamW(w0, grads, lrs, 0)[4])).toBeGreaterThan(1e-5);
      optimizer.dispose();
      expect(tf.memory().numTensors).toBe(before);
      w.dispose();
    },
  );

  it('updates weights of different shapes each by its own gradient, as if alone', async () => {
    const w0 = [
      [0.5, -1.25, 2, 0.001],
      [-3, 0.25, 1],
    ];
    const grads = [
      [
        [0.1, -0.2, 0.3, 0],
        [5, -1, 0.5],
      ],
      [
        [-0.4, 0.1, 0.2, 1e-3],
        [5, 2, -0.25],
      ],
    ];
    const lrs = [1e-3, 3e-3];
    const a = tf.variable(tf.tensor2d(w0[0], [2, 2]), true, 'adamw_test_a');
    const b = tf.variable(tf.tensor1d(w0[1]), true, 'adamw_test_b');
    const optimizer = new AdamW([a, b]);
    grads.forEach(([ga, gb], i) => {
      const named = { adamw_test_a: tf.tensor2d(ga, [2, 2]), adamw_test_b: tf.tensor1d(gb) };
      update(optimizer, named, lrs[i]);
      tf.dispose(Object.values(named));
    });
    expect(a.shape).toEqual([2, 2]);
    const wd = ADAMW_DEFAULTS.weightDecay;
    const wantA = referenceAdamW(
      w0[0],
      grads.map((g) => g[0]),
      lrs,
      wd,
    );
    const wantB = referenceAdamW(
      w0[1],
      grads.map((g) => g[1]),
      lrs,
      wd,
    );
    Array.from(await a.data()).forEach((x, j) => expect(x).toBeCloseTo(wantA[j], 5));
    Array.from(await b.data()).forEach((x, j) => expect(x).toBeCloseTo(wantB[j], 5));
    optimizer.dispose();
    tf.dispose([a, b]);
  });

  it('refuses a weight without a gradient', () => {
    const w = tf.variable(tf.zeros([2]), true, 'adamw_test_lonely');
    const optimizer = new AdamW([w]);
    expect(() => update(optimizer, {}, 1e-3)).toThrow("AdamW: no gradient for 'adamw_test_lonely'");
    optimizer.dispose();
    w.dispose();
  });
});

describe('cosineLearningRate', () => {
  it('warms up linearly to the peak, then decays along a cosine to 0 at the end', () => {
    const lr = (s: number) => cosineLearningRate(s, 110, 10, 1e-3);
    expect(lr(0)).toBeCloseTo(1e-4, 12);
    expect(lr(4)).toBeCloseTo(5e-4, 12);
    expect(lr(9)).toBeCloseTo(1e-3, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(60)).toBeCloseTo(5e-4, 12);
    expect(lr(110)).toBeCloseTo(0, 12);
    for (let s = 10; s < 110; s++) expect(lr(s + 1)).toBeLessThan(lr(s));
    expect(cosineLearningRate(3, 5, 5, 2)).toBeCloseTo(1.6, 12);
  });
});
