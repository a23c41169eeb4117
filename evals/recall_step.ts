/**
 * What one MQAR training step of `bsbr recall` costs on a backend: trains a model (vocab 512, 2
 * layers, 2 heads, ff 2 x d_model, no dropout) on (L, L/16) MQAR for 5 warm-up steps, counts one
 * step's TensorFlow.js kernels (tf.profile; the step ends with a test evaluation), then times
 * --steps steps (on webgpu the second and third captured, the rest replays; with --op-by-op every
 * step through TensorFlow.js) and prints one JSON line. Several at once on one GPU show how the
 * cases of `bsbr recall --jobs N` share it.
 *
 *   node dist/evals/recall_step.js [--backend webgpu] [--model Standard] [--steps 40] [--hidden-dim 64] [--seq-len 64] [--op-by-op]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { setupBackend } from '../models/backends/setup';
import { resolveConfig } from '../models/config';
import { createModel } from '../models/registry';
import { TrainSpec, trainRecall } from '../src/recall/train';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'webgpu' },
      model: { type: 'string', default: 'Standard' },
      steps: { type: 'string', default: '40' },
      'hidden-dim': { type: 'string', default: '64' },
      'seq-len': { type: 'string', default: '64' },
      'op-by-op': { type: 'boolean', default: false },
    },
  });
  const backend = await setupBackend(values.backend as 'auto', {});
  const d = Number(values['hidden-dim']);
  const L = Number(values['seq-len']);
  const config = resolveConfig({
    vocabSize: 512,
    hiddenDim: d,
    numLayers: 2,
    numHeads: 2,
    ffDim: 2 * d,
    dropout: 0,
    seed: 0,
  });
  const model = createModel(values.model!, config);
  const spec: TrainSpec = {
    seqLen: L,
    kvPairs: L / 16,
    trainExamples: 25600,
    testExamples: 256,
    batchSize: 256,
    steps: Number(values.steps),
    warmupSteps: 5,
    learningRate: 1e-2,
    evalEvery: Number.MAX_SAFE_INTEGER,
    targetAccuracy: 1,
    seed: 0,
    filler: 'zeros',
    replay: !values['op-by-op'],
  };
  let begin = performance.now();
  await trainRecall(model, config, { ...spec, steps: 5 });
  const warmMs = performance.now() - begin;
  const info = await tf.profile(async () => {
    await trainRecall(model, config, { ...spec, steps: 1 });
  });
  begin = performance.now();
  const { replayed } = await trainRecall(model, config, spec);
  const msPerStep = (performance.now() - begin) / spec.steps;
  model.dispose();
  console.log(
    JSON.stringify({
      backend: backend.name,
      model: values.model,
      hidden_dim: d,
      seq_len: L,
      batch: spec.batchSize,
      warm5_ms: warmMs,
      kernels_per_step: info.kernels.length,
      ms_per_step: msPerStep,
      replayed,
    }),
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
