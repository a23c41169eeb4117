/**
 * Host work per call: for each model, the TensorFlow.js kernels (tf.profile's records: each costs
 * the engine's bookkeeping, most a GPU dispatch) and the GPU dispatches (programs the webgpu backend
 * runs) of a forward at --seq-len tokens and of one single-token decode step after a context of
 * --context tokens and, with --train, of a training step at --seq-len tokens (dropout at --dropout,
 * default the config's). The counts do not depend on the width, so a narrow model runs quickly on a
 * software adapter (lavapipe).
 *
 *   node dist/evals/dispatch_count.js [--backend webgpu] [--seq-len 4096] [--context 300] [--hidden-dim 32] [--ff-dim 64] [--models BSBR,GAU] [--train] [--dropout 0]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { createModel, MODEL_NAMES } from '../models/registry';
import { releaseBackend, setupBackend } from '../models/backends/setup';
import { trainingStep } from '../src/bench/measure';
import { dispatchesPerCall, TimedCall } from '../src/bench/timer';

/** tf.profile's kernel records for one call, its output read back. */
async function kernelCount(call: TimedCall): Promise<number> {
  const info = await tf.profile(async () => {
    const out = call();
    await out.data();
    out.dispose();
  });
  return info.kernels.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: 'string', default: 'webgpu' },
      'seq-len': { type: 'string', default: '4096' },
      context: { type: 'string', default: '300' },
      'hidden-dim': { type: 'string', default: '32' },
      'num-heads': { type: 'string', default: '4' },
      'num-layers': { type: 'string', default: '2' },
      'ff-dim': { type: 'string', default: '64' },
      'chunk-size': { type: 'string', default: '128' },
      'compression-factor': { type: 'string', default: '2' },
      models: { type: 'string', default: MODEL_NAMES.join(',') },
      train: { type: 'boolean', default: false },
      dropout: { type: 'string' },
    },
  });
  const backend = await setupBackend(values.backend as 'webgpu');
  const [n, context] = [Number(values['seq-len']), Number(values.context)];
  console.log(
    `backend ${backend.name}${backend.adapter ? ` (${backend.adapter.vendor} ${backend.adapter.device || backend.adapter.architecture})` : ''}; forward at ${n} tokens, decode step after ${context}`,
  );
  const train = values.train!;
  console.log(
    `| model | forward kernels | forward dispatches | decode kernels | decode dispatches |${train ? ' train kernels | train dispatches |' : ''}`,
  );
  console.log(`|---|---|---|---|---|${train ? '---|---|' : ''}`);
  for (const name of values.models!.split(',')) {
    const model = createModel(name, {
      vocabSize: 100,
      hiddenDim: Number(values['hidden-dim']),
      numHeads: Number(values['num-heads']),
      numLayers: Number(values['num-layers']),
      ffDim: Number(values['ff-dim']),
      chunkSize: Number(values['chunk-size']),
      compressionFactor: Number(values['compression-factor']),
      ...(values.dropout === undefined ? {} : { dropout: Number(values.dropout) }),
    });
    const ids = tf.randomUniform([1, n], 0, 100, 'int32', 1) as tf.Tensor2D;
    const forward = () => model.forward(ids);
    const state = model.initState(1);
    const prefix = tf.randomUniform([1, context], 0, 100, 'int32', 2) as tf.Tensor2D;
    const token = tf.tensor2d([[7]], [1, 1], 'int32');
    model.step(state, prefix).hidden.dispose();
    const step = () => model.step(state, token).hidden;
    const counts = [
      await kernelCount(forward),
      await dispatchesPerCall(forward),
      await kernelCount(step),
      await dispatchesPerCall(step),
    ];
    if (train) {
      const trainStep = () => trainingStep(model, ids, 0);
      counts.push(await kernelCount(trainStep), await dispatchesPerCall(trainStep));
    }
    console.log(`| ${name} | ${counts.map((c) => c ?? '-').join(' | ')} |`);
    model.disposeState(state);
    model.dispose();
    tf.dispose([ids, prefix, token]);
  }
  releaseBackend();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
