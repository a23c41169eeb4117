/**
 * Learning MQAR on wasm: a tiny Standard model reaches the accuracy within a fixed number of steps,
 * the same way every run; the same model with its attention cut to one previous token (a
 * SlidingWindow of window 1, which cannot see the pairs from the queries) does not.
 */
import { setupBackend } from '../../models/backends/setup';
import { ModelConfig, resolveConfig } from '../../models/config';
import { createModel } from '../../models/registry';
import { TrainSpec, trainRecall } from './train';

beforeAll(async () => {
  await setupBackend('wasm', { threads: 1 });
});

const CONFIG: ModelConfig = resolveConfig({
  vocabSize: 32,
  hiddenDim: 32,
  numLayers: 2,
  numHeads: 2,
  ffDim: 64,
  dropout: 0,
  seed: 0,
});

const SPEC: TrainSpec = {
  seqLen: 16,
  kvPairs: 2,
  trainExamples: 4000,
  testExamples: 100,
  batchSize: 64,
  steps: 600,
  warmupSteps: 20,
  learningRate: 1e-2,
  evalEvery: 100,
  targetAccuracy: 0.9,
  seed: 0,
  filler: 'zeros',
};

async function train(name: string, config: ModelConfig, spec: TrainSpec) {
  const model = createModel(name, config);
  try {
    return await trainRecall(model, config, spec);
  } finally {
    model.dispose();
  }
}

describe('MQAR training', () => {
  it('gives the same losses and accuracy when run again with the same seed', async () => {
    const short = { ...SPEC, steps: 3, evalEvery: 1, targetAccuracy: 1 };
    const [a, b] = [await train('Standard', CONFIG, short), await train('Standard', CONFIG, short)];
    expect(a.evaluations).toHaveLength(3);
    expect(b.evaluations).toEqual(a.evaluations);
  });

  it('a two-layer Standard model (d 32, L 16, kv 2) reaches 0.9 test accuracy within 600 steps', async () => {
    const outcome = await train('Standard', CONFIG, SPEC);
    expect(outcome.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(outcome.steps).toBeLessThanOrEqual(600);
    // It stopped at the first evaluation at or above the target.
    expect(outcome.evaluations.slice(0, -1).every((e) => e.accuracy < 0.9)).toBe(true);
  }, 600_000);

  it('the control, attention cut to the previous token (SlidingWindow, window 1), stays far below', async () => {
    const outcome = await train('SlidingWindow', { ...CONFIG, windowSize: 1 }, { ...SPEC, steps: 300, evalEvery: 300 });
    expect(outcome.steps).toBe(300);
    expect(outcome.accuracy).toBeLessThan(0.5);
  }, 600_000);
});
