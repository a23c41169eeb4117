import * as tf from '@tensorflow/tfjs-core';
import { CausalLM, DecodeState, TokenIds } from '../../models/model';
import { createModel } from '../../models/registry';
import { TINY, useDefaultBackend } from '../../models/testing/harness';
import { CaseSpec, measureModel } from './measure';
import { fixedSampling, sampleCalls } from './sampling';
import { peakTensorBytes } from './timer';

useDefaultBackend();

describe('timing', () => {
  test('the clock stops only when the output data is ready, and warm-up calls are not timed', async () => {
    let calls = 0;
    const slow = () => {
      calls += 1;
      const out = tf.scalar(1);
      // A backend that finishes 30 ms after the call returns.
      const ready = new Promise<Float32Array>((resolve) => setTimeout(() => resolve(new Float32Array(1)), 30));
      return Object.assign(out, { data: () => ready }) as tf.Tensor;
    };
    const samples = await sampleCalls(slow, 2, fixedSampling(3));
    expect(calls).toBe(5);
    expect(samples).toHaveLength(3);
    for (const s of samples) expect(s).toBeGreaterThanOrEqual(29);
  });

  test("peak tensor bytes count the call's own tensors, not what was live before", async () => {
    const resident = tf.zeros([100000]);
    const peak = await peakTensorBytes(() => tf.tidy(() => tf.add(tf.ones([1000]), tf.ones([1000]))));
    resident.dispose();
    // Two inputs and the output of 1000 floats each were alive at once; the 400 kB tensor is excluded.
    expect(peak).toBe(3 * 4000);
  });

  test("peak tensor bytes agree with tf.profile's peakBytes on a model forward", async () => {
    const model = createModel('BSBR', { ...TINY, compressionFactor: 2 });
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]], undefined, 'int32');
    const call = () => model.forward(ids);
    const before = tf.memory().numBytes;
    const profiled = await tf.profile(async () => {
      const out = call();
      await out.data();
      out.dispose();
    });
    expect(await peakTensorBytes(call)).toBe(profiled.peakBytes - before);
    tf.dispose(ids);
    model.dispose();
  });
});

describe('measureModel', () => {
  const spec = (mode: 'forward' | 'decode', seqLen: number): CaseSpec => ({
    model: 'BSBR',
    mode,
    seqLen,
    batchSize: 2,
    warmup: 2,
    sampling: fixedSampling(3),
    seed: 0,
  });
  let model: CausalLM;
  beforeAll(() => {
    model = createModel('BSBR', TINY);
  });
  afterAll(() => model.dispose());

  test('forward: warm-up, timed, one profiled and one checked call over [batch, n] ids, leaking no tensor', async () => {
    const shapes: number[][] = [];
    const forward = model.forward.bind(model);
    const spy = jest.spyOn(model, 'forward').mockImplementation((ids: TokenIds) => {
      shapes.push((ids as tf.Tensor).shape);
      return forward(ids);
    });
    const before = tf.memory().numTensors;
    const m = await measureModel(model, spec('forward', 12));
    spy.mockRestore();
    expect(tf.memory().numTensors).toBe(before);
    expect(shapes).toEqual(Array(2 + 3 + 1 + 1).fill([2, 12]));
    expect(m.samples_ms).toHaveLength(3);
    expect(m.peak_tensor_bytes).toBeGreaterThanOrEqual(2 * 12 * TINY.hiddenDim! * 4);
    // The checked call's output: [2, 12, D] hidden states, all finite.
    expect(m.output).toEqual({ non_finite: 0, values: 2 * 12 * TINY.hiddenDim! });
  });

  test('decode: an untimed prefill of n tokens, then single-token steps at context n, n + 1, ...', async () => {
    const PREFILL_STEP = model.plan.prefillStep;
    const n = PREFILL_STEP + 10;
    const steps: Array<[number, number]> = [];
    const step = model.step.bind(model);
    const spy = jest.spyOn(model, 'step').mockImplementation((state: DecodeState, ids: TokenIds) => {
      steps.push([state.position, (ids as tf.Tensor2D).shape[1]]);
      return step(state, ids);
    });
    const before = tf.memory().numTensors;
    const m = await measureModel(model, spec('decode', n));
    spy.mockRestore();
    expect(tf.memory().numTensors).toBe(before);
    expect(steps).toEqual([[0, PREFILL_STEP], [PREFILL_STEP, 10], ...[0, 1, 2, 3, 4, 5, 6].map((i) => [n + i, 1])]);
    expect(m.samples_ms).toHaveLength(3);
    expect(m.peak_tensor_bytes).toBeGreaterThan(0);
  });
});
