import * as tf from '@tensorflow/tfjs-core';
import { useDefaultBackend } from '../../models/testing/harness';
import { fixedSampling, sampleCalls, samplingDone, samplingOf, Sampling } from './sampling';

useDefaultBackend();

const adaptive = (overrides: Partial<Sampling> = {}): Sampling => ({
  minRepeats: 6,
  maxRepeats: 50,
  targetCi: 0.05,
  budgetMs: 1e6,
  ...overrides,
});

describe('samplingDone', () => {
  test('a fixed sampling stops at exactly its count, however noisy', () => {
    expect(samplingDone([1, 9, 1, 9], fixedSampling(5))).toBe(false);
    expect(samplingDone([1, 9, 1, 9, 1], fixedSampling(5))).toBe(true);
  });

  test('adaptive: not before minRepeats, then once the interval is within the target', () => {
    const steady = [10, 10.1, 9.9, 10, 10.2, 9.8];
    expect(samplingDone(steady.slice(0, 5), adaptive())).toBe(false);
    expect(samplingDone(steady, adaptive())).toBe(true);
    // The same samples with a stray slow one: the interval [x(1), x(6)] reaches 20 ms.
    expect(samplingDone([...steady.slice(0, 5), 20], adaptive())).toBe(false);
  });

  test('adaptive: no interval exists below 6 samples, so a lower minimum still waits for 6', () => {
    expect(samplingDone([10, 10, 10, 10, 10], adaptive({ minRepeats: 3 }))).toBe(false);
  });

  test('adaptive: stops at maxRepeats or when the budget is spent, whatever the interval', () => {
    const noisy = [1, 20, 1, 20, 1, 20, 1, 20];
    expect(samplingDone(noisy, adaptive({ maxRepeats: 9 }))).toBe(false);
    expect(samplingDone([...noisy, 1], adaptive({ maxRepeats: 9 }))).toBe(true);
    expect(samplingDone(noisy, adaptive({ budgetMs: 85 }))).toBe(false); // the samples sum to 84: the budget is not spent
    expect(samplingDone(noisy, adaptive({ budgetMs: 84 }))).toBe(true);
  });
});

test('samplingOf: repeats is the fixed count, or the minimum of the adaptive settings (seconds to ms, percent as a fraction)', () => {
  const sweep = {
    models: [],
    seq_lengths: [],
    modes: [],
    batch_size: 1,
    warmup: 0,
    repeats: 7,
    time_limit_s: null,
    max_memory_mb: null,
    weights_file: null,
  };
  expect(samplingOf(sweep)).toEqual(fixedSampling(7));
  expect(samplingOf({ ...sweep, adaptive: { target_ci: 0.02, max_repeats: 40, budget_s: 3 } })).toEqual({
    minRepeats: 7,
    maxRepeats: 40,
    targetCi: 0.02,
    budgetMs: 3000,
  });
});

test('sampleCalls: warm-up calls untimed, then timed calls until the sampling is met, each timed until its data is ready', async () => {
  const delays = [0, 0, 200, ...Array(20).fill(20)];
  let calls = 0;
  const call = () => {
    const delay = delays[calls++];
    const out = tf.scalar(1);
    const ready = new Promise<Float32Array>((resolve) => setTimeout(() => resolve(new Float32Array(1)), delay));
    return Object.assign(out, { data: () => ready }) as tf.Tensor;
  };
  const samples = await sampleCalls(call, 2, adaptive({ targetCi: 0.5 }));
  // One slow repeat, then steady ones: up to 8 samples the interval [x(1), x(n)] holds the slow one; at 9
  // it is [x(2), x(8)], which leaves it out.
  expect(calls).toBe(2 + samples.length);
  expect(samples[0]).toBeGreaterThanOrEqual(199);
  expect(samples.length).toBeGreaterThanOrEqual(9);
  expect(samplingDone(samples, adaptive({ targetCi: 0.5 }))).toBe(true);
  expect(samplingDone(samples.slice(0, -1), adaptive({ targetCi: 0.5 }))).toBe(false);
});
