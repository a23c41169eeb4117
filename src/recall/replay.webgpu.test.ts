/**
 * MQAR training on webgpu replays its captured step (models/backends/webgpu_replay.ts) for every
 * model, and a replayed run's losses and accuracies are those of the same run with every step
 * through TensorFlow.js.
 */
import { ModelConfig, resolveConfig } from '../../models/config';
import { createModel, MODEL_NAMES } from '../../models/registry';
import { testsOn } from '../../models/testing/harness';
import { TrainSpec, trainRecall } from './train';

const itOn = testsOn('webgpu');

const CONFIG: ModelConfig = resolveConfig({
  vocabSize: 64,
  hiddenDim: 32,
  numLayers: 2,
  numHeads: 2,
  ffDim: 64,
  dropout: 0,
  chunkSize: 8,
  compressionFactor: 2,
  seed: 0,
});

const SPEC: TrainSpec = {
  seqLen: 32,
  kvPairs: 4,
  trainExamples: 320,
  testExamples: 32,
  batchSize: 16,
  steps: 8,
  warmupSteps: 2,
  learningRate: 1e-2,
  evalEvery: 4,
  targetAccuracy: 1,
  seed: 0,
  filler: 'zeros',
};

async function train(name: string, replay: boolean) {
  const model = createModel(name, CONFIG);
  try {
    return await trainRecall(model, CONFIG, { ...SPEC, replay });
  } finally {
    model.dispose();
  }
}

describe('MQAR training on webgpu', () => {
  itOn.each(MODEL_NAMES)(
    '%s: steps 4-8 are replays, and the run equals one with every step through TensorFlow.js',
    async (name) => {
      const plain = await train(name, false);
      const replayed = await train(name, true);
      expect([plain.replayed, replayed.replayed]).toEqual([false, true]);
      expect(replayed.evaluations.map((e) => [e.step, e.accuracy])).toEqual(
        plain.evaluations.map((e) => [e.step, e.accuracy]),
      );
      replayed.evaluations.forEach((e, i) => expect(e.loss).toBeCloseTo(plain.evaluations[i].loss, 5));
    },
    120_000,
  );
});
