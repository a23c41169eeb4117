/**
 * Where a forward pass (or a training step, --mode train) spends its time: runs it under tf.profile
 * and prints the kernel time summed per kernel name, with the share of the total and the call count.
 *
 *   node dist/evals/profile.js --model BSBR --seq-len 16384 [--mode train] [--chunk-size 32] [--compression-factor 2] [--dropout 0] [--threads 2] ...
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import { createModel } from '../models/registry';
import { releaseBackend, setupBackend } from '../models/backends/setup';
import { trainingStep } from '../src/bench/measure';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'BSBR' },
      'seq-len': { type: 'string', default: '4096' },
      'hidden-dim': { type: 'string', default: '256' },
      'num-heads': { type: 'string', default: '4' },
      'num-layers': { type: 'string', default: '2' },
      'ff-dim': { type: 'string', default: '512' },
      'chunk-size': { type: 'string', default: '32' },
      'window-size': { type: 'string', default: '32' },
      'compression-factor': { type: 'string' },
      dropout: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      mode: { type: 'string', default: 'forward' },
      threads: { type: 'string' },
    },
  });
  const backend = await setupBackend(values.backend as 'auto', {
    threads: values.threads ? Number(values.threads) : undefined,
  });
  const n = Number(values['seq-len']);
  const model = createModel(values.model!, {
    hiddenDim: Number(values['hidden-dim']),
    numHeads: Number(values['num-heads']),
    numLayers: Number(values['num-layers']),
    ffDim: Number(values['ff-dim']),
    chunkSize: Number(values['chunk-size']),
    windowSize: Number(values['window-size']),
    compressionFactor: values['compression-factor'] ? Number(values['compression-factor']) : undefined,
    ...(values.dropout === undefined ? {} : { dropout: Number(values.dropout) }),
  });
  const ids = tf.randomUniform([1, n], 0, model.config.vocabSize, 'int32') as tf.Tensor2D;
  const call = values.mode === 'train' ? () => trainingStep(model, ids, 0) : () => model.forward(ids);
  // The first call compiles; the next three give the unprofiled wall time (to one element read back).
  const walls: number[] = [];
  for (let i = 0; i < 4; i++) {
    const begin = performance.now();
    const out = call();
    await tf.slice(out, new Array(out.rank).fill(0), new Array(out.rank).fill(1)).data();
    out.dispose();
    if (i > 0) walls.push(performance.now() - begin);
  }
  const unprofiled = walls.sort((a, b) => a - b)[1];
  const start = performance.now();
  const info = await tf.profile(async () => {
    const out = call();
    await out.data();
    out.dispose();
  });
  const wall = performance.now() - start;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs);
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  console.log(
    `${model.name} ${values.mode} n=${n} on ${backend.name} (${backend.threads ?? 'default'} threads): wall ${unprofiled.toFixed(1)} ms (median of 3), profiled wall ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms, peak tensor bytes ${(info.peakBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(
      `${name.padEnd(24)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}% ${String(e.calls).padStart(7)} calls`,
    );
  }
  ids.dispose();
  model.dispose();
  releaseBackend();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
