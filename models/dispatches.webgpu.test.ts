/**
 * Host work on a GPU: the TensorFlow.js kernels one call runs (each a dispatch or at least the
 * engine's bookkeeping, about 0.1-0.2 ms of host time on webgpu), counted with tf.profile on the
 * webgpu backend (lavapipe in CI), for a forward at 4,096 tokens and a single-token decode step.
 * The target is at most 50 for each; a model not there yet is held to its count today, which the
 * test's title says, so that no change adds kernels unnoticed. A DeltaNet training step runs its
 * backward kernel, and as many kernels at one length as at another; a Standard one runs LayerNorm's
and GELU's backward kernels rather than their composites' op-by-op gradients. A training step builds no
 * tensor of an activation's size on the host: each such array is filled in JavaScript and uploaded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from './config';
import { DELTA_RULE_GRAD, GELU_GRAD, LAYER_NORM_GRAD } from './kernels/names';
import { CausalLM } from './model';
import { createModel, MODEL_NAMES } from './registry';
import { randomIds, testsOn } from './testing/harness';
import { trainingStep } from '../src/bench/measure';

const TARGET = 50;
const N = 4096;
/** The decode step runs at this context: inside a chunk (chunk 128), past the first. */
const CONTEXT = 300;

/** The benchmarks' GPU settings (chunk 128, cf 2, two layers of four heads), at a width lavapipe runs quickly. */
const CONFIG: Partial<ModelConfig> = {
  vocabSize: 100,
  hiddenDim: 32,
  numHeads: 4,
  ffDim: 64,
  numLayers: 2,
  chunkSize: 128,
  compressionFactor: 2,
  seed: 3,
};

/** Per model, the most kernels a forward at N and a decode step may run: TARGET, or today's count where it is above. */
const LIMITS: Record<string, { forward: number; decode: number }> = {
  BSBR: { forward: TARGET, decode: 56 },
  Standard: { forward: TARGET, decode: TARGET },
  Linear: { forward: TARGET, decode: TARGET },
  DeltaNet: { forward: TARGET, decode: TARGET },
  SlidingWindow: { forward: TARGET, decode: TARGET },
  Hopfield: { forward: TARGET, decode: TARGET },
  GAU: { forward: 94, decode: 66 },
};

/** The kernels tf.profile records while `call` runs and its output is read. */
async function kernelsOf(call: () => tf.Tensor): Promise<string[]> {
  const info = await tf.profile(async () => {
    const out = call();
    await out.data();
    out.dispose();
  });
  return info.kernels.map((k) => k.name);
}

/** "Reshape x 16, Transpose x 8, ..." */
function tally(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} x ${count}`)
    .join(', ');
}

const itOn = testsOn('webgpu');

describe.each(MODEL_NAMES)('webgpu: %s', (name) => {
  const limit = LIMITS[name];
  const title = (mode: string, count: number) =>
    count <= TARGET
      ? `a ${mode} runs at most ${TARGET} kernels`
      : `a ${mode} runs at most ${count} kernels (today's count; the target is ${TARGET})`;
  let model: CausalLM | undefined;
  afterAll(() => model?.dispose());
  const built = () => (model ??= createModel(name, CONFIG));

  itOn(
    title(`forward at ${N} tokens`, limit.forward),
    async () => {
      const ids = tf.tensor2d(randomIds(1, N, CONFIG.vocabSize!, 5), [1, N], 'int32');
      const kernels = await kernelsOf(() => built().forward(ids));
      ids.dispose();
      expect({ count: kernels.length, kernels: tally(kernels) }).toEqual({
        count: Math.min(kernels.length, limit.forward),
        kernels: tally(kernels),
      });
    },
    600_000,
  );

  itOn(
    title(`decode step at a context of ${CONTEXT}`, limit.decode),
    async () => {
      const state = built().initState(1);
      const context = tf.tensor2d(randomIds(1, CONTEXT, CONFIG.vocabSize!, 6), [1, CONTEXT], 'int32');
      const token = tf.tensor2d([[7]], [1, 1], 'int32');
      built().step(state, context).hidden.dispose();
      const kernels = await kernelsOf(() => built().step(state, token).hidden);
      built().disposeState(state);
      tf.dispose([context, token]);
      expect({ count: kernels.length, kernels: tally(kernels) }).toEqual({
        count: Math.min(kernels.length, limit.decode),
        kernels: tally(kernels),
      });
    },
    300_000,
  );
});

describe('webgpu: a DeltaNet training step', () => {
  let model: CausalLM | undefined;
  afterAll(() => model?.dispose());

  itOn(
    `runs ${DELTA_RULE_GRAD} once per layer, and no more kernels at 1,024 tokens than at 128 (no loop over chunks)`,
    async () => {
      model = createModel('DeltaNet', CONFIG);
      const counts: Record<number, { kernels: number; grads: number }> = {};
      for (const n of [128, 1024]) {
        const ids = tf.tensor2d(randomIds(1, n, CONFIG.vocabSize!, 7), [1, n], 'int32');
        const kernels = await kernelsOf(() => trainingStep(model!, ids, 1));
        ids.dispose();
        counts[n] = { kernels: kernels.length, grads: kernels.filter((name) => name === DELTA_RULE_GRAD).length };
      }
      expect(counts[1024]).toEqual(counts[128]);
      expect(counts[128].grads).toBe(CONFIG.numLayers);
    },
    600_000,
  );
});

describe('webgpu: a Standard training step', () => {
  let model: CausalLM | undefined;
  afterAll(() => model?.dispose());

  itOn(
    `runs ${LAYER_NORM_GRAD} once per LayerNorm and ${GELU_GRAD} once per feed-forward, and no kernel of their composites' gradients`,
    async () => {
      model = createModel('Standard', CONFIG);
      const ids = tf.tensor2d(randomIds(1, 256, CONFIG.vocabSize!, 8), [1, 256], 'int32');
      const kernels = await kernelsOf(() => trainingStep(model!, ids, 1));
      ids.dispose();
      const count = (name: string) => kernels.filter((k) => k === name).length;
      // Two LayerNorms per layer and the final one; one GELU per layer.
      expect({
        layerNorms: count(LAYER_NORM_GRAD),
        gelus: count(GELU_GRAD),
        erf: count('Erf'),
        rsqrt: count('Rsqrt'),
      }).toEqual({
        layerNorms: 2 * CONFIG.numLayers! + 1,
        gelus: CONFIG.numLayers!,
        erf: 0,
        rsqrt: 0,
      });
    },
    600_000,
  );
});

/** The webgpu backend's upload of a tensor's host values, which the test below watches. */
interface UploadingBackend {
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { values?: ArrayBufferView | null; resource?: unknown } };
}

describe.each(MODEL_NAMES)('webgpu: a %s training step', (name) => {
  // Longer than the positions' fine table (1,024 rows, models/positional.ts), which is uploaded.
  const n = 2048;
  const activation = n * CONFIG.hiddenDim! * 4;
  itOn(
    `uploads no tensor from the host as large as one activation ([1, ${n}, ${CONFIG.hiddenDim}])`,
    async () => {
      const model = createModel(name, CONFIG);
      const ids = tf.tensor2d(randomIds(1, n, CONFIG.vocabSize!, 8), [1, n], 'int32');
      const backend = tf.backend() as unknown as UploadingBackend;
      const upload = backend.uploadToGPU;
      const sizes: number[] = [];
      backend.uploadToGPU = function (dataId: object) {
        const data = this.tensorMap.get(dataId);
        if (data.values && !data.resource) sizes.push(data.values.byteLength);
        upload.call(this, dataId);
      };
      try {
        const out = trainingStep(model, ids, 1);
        await out.data();
        out.dispose();
      } finally {
        backend.uploadToGPU = upload;
        ids.dispose();
        model.dispose();
      }
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.max(...sizes)).toBeLessThan(activation);
    },
    300_000,
  );
});
