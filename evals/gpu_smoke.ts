/**
 * The webgpu smoke check: all seven models' forward and decode at a short and a long length on the
 * webgpu backend, compared on identical weights (same seed) with a CPU backend: cpu at the short
 * length, wasm at the long one (the cpu backend's plain-JS matmul would take minutes there; wasm is
 * itself checked against the float64 references in the test suite). Prints one JSON line per case
 * and writes them all to the file given.
 *
 * usage: node dist/evals/gpu_smoke.js [--short 512] [--long 4096] [--out smoke.json]
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs-core';
import { BackendName, setupBackend, releaseBackend } from '../models/backends/setup';
import { throwDeviceError } from '../models/backends/webgpu';
import { ModelConfig } from '../models/config';
import { CausalLM } from '../models/model';
import { createModel, MODEL_NAMES } from '../models/registry';

/** The config of the GPU figures in docs/performance.md (hidden 256, 4 heads, 2 layers, ff 512, chunk 128, cf 2). */
const CONFIG: Partial<ModelConfig> = {
  vocabSize: 10000,
  hiddenDim: 256,
  numHeads: 4,
  numLayers: 2,
  ffDim: 512,
  chunkSize: 128,
  compressionFactor: 2,
  seed: 0,
};

interface Outputs {
  forward: Float32Array;
  /** The hidden state of one single-token step after a prefill of n tokens. */
  step: Float32Array;
  forwardMs: number;
  stepMs: number;
}

function ids(n: number, seed: number): tf.Tensor2D {
  return tf.randomUniform([1, n], 0, CONFIG.vocabSize!, 'int32', seed) as tf.Tensor2D;
}

async function timed(run: () => tf.Tensor): Promise<{ values: Float32Array; ms: number }> {
  const start = performance.now();
  const out = run();
  const values = (await out.data()) as Float32Array;
  const ms = performance.now() - start;
  out.dispose();
  return { values, ms };
}

async function run(model: CausalLM, n: number): Promise<Outputs> {
  const input = ids(n, 1);
  const forward = await timed(() => model.forward(input));
  const state = model.initState(1);
  const prefill = model.plan.prefillStep;
  for (let start = 0; start < n; start += prefill) {
    const part = tf.slice(input, [0, start], [-1, Math.min(prefill, n - start)]);
    const { hidden } = model.step(state, part);
    await hidden.data();
    tf.dispose([hidden, part]);
  }
  const token = ids(1, 2);
  const step = await timed(() => model.step(state, token).hidden);
  model.disposeState(state);
  tf.dispose([input, token]);
  return { forward: forward.values, step: step.values, forwardMs: forward.ms, stepMs: step.ms };
}

async function outputsOn(backend: BackendName, name: string, n: number): Promise<Outputs> {
  await setupBackend(backend);
  const model = createModel(name, CONFIG);
  try {
    const outputs = await run(model, n);
    if (backend === 'webgpu') await throwDeviceError();
    return outputs;
  } finally {
    model.dispose();
  }
}

/** max |a - b| / max |b|. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    ref = Math.max(ref, Math.abs(b[i]));
  }
  return diff / ref;
}

async function main(): Promise<void> {
  const arg = (flag: string, fallback: string) => {
    const at = process.argv.indexOf(flag);
    return at >= 0 ? process.argv[at + 1] : fallback;
  };
  const lengths: Array<[number, BackendName]> = [
    [Number(arg('--short', '512')), 'cpu'],
    [Number(arg('--long', '4096')), 'wasm'],
  ];
  const lines: object[] = [];
  const gpu = await setupBackend('webgpu');
  console.error(`webgpu on ${gpu.adapter?.vendor} ${gpu.adapter?.device} (${gpu.adapter?.description})`);
  for (const [n, reference] of lengths) {
    for (const name of MODEL_NAMES) {
      let line: object;
      try {
        const onGpu = await outputsOn('webgpu', name, n);
        const onCpu = await outputsOn(reference, name, n);
        line = {
          model: name,
          n,
          reference,
          forward_rel_diff: relativeDifference(onGpu.forward, onCpu.forward),
          step_rel_diff: relativeDifference(onGpu.step, onCpu.step),
          webgpu_forward_ms: onGpu.forwardMs,
          webgpu_step_ms: onGpu.stepMs,
          finite: onGpu.forward.every(Number.isFinite) && onGpu.step.every(Number.isFinite),
        };
      } catch (err) {
        line = { model: name, n, reference, error: String((err as Error).message).split('\n')[0] };
      }
      console.log(JSON.stringify(line));
      lines.push(line);
    }
  }
  fs.writeFileSync(
    arg('--out', 'smoke.json'),
    JSON.stringify({ adapter: gpu.adapter, config: CONFIG, cases: lines }, null, 1),
  );
  releaseBackend();
}

void main();
