import * as tf from '@tensorflow/tfjs-core';
import { throwDeviceError } from '../../models/backends/webgpu';
import { CausalLM } from '../../models/model';
import { Mode } from '../results/schema';
import { caseFlops } from '../sweep/flops';
import { checkOutput, OutputCheck } from './finite';
import { sampleCalls, Sampling } from './sampling';
import { deviceBytesHeld, dispatchesPerCall, gpuKernelMs, peakTensorBytes, TimedCall } from './timer';

/** What one (model, mode, length) case measures. */
export interface CaseSpec {
  model: string;
  mode: Mode;
  seqLen: number;
  batchSize: number;
  warmup: number;
  sampling: Sampling;
  /** Seed of the random input ids. */
  seed: number;
}

export interface ModelMeasurement {
  samples_ms: number[];
  peak_tensor_bytes: number;
  peak_device_bytes: number | null;
  gpu_kernel_ms: number | null;
  /** webgpu: the GPU dispatches of one call. */
  dispatches: number | null;
  /** The analytic flops of one measured call under the model's execution plan (null: no cost model). */
  flops: number | null;
  /** The output of one more call, after the timed ones: are its values finite? */
  output: OutputCheck;
}

function randomIds(spec: CaseSpec, length: number, vocabSize: number, seed: number): tf.Tensor2D {
  return tf.randomUniform([spec.batchSize, length], 0, vocabSize, 'int32', seed) as tf.Tensor2D;
}

async function measureCall(model: CausalLM, call: TimedCall, spec: CaseSpec): Promise<ModelMeasurement> {
  const deviceBefore = deviceBytesHeld();
  const samples_ms = await sampleCalls(call, spec.warmup, spec.sampling);
  const deviceAfter = deviceBytesHeld();
  const measurement: ModelMeasurement = {
    samples_ms,
    peak_tensor_bytes: await peakTensorBytes(call),
    peak_device_bytes: deviceBefore === null || deviceAfter === null ? null : deviceAfter - deviceBefore,
    gpu_kernel_ms: await gpuKernelMs(call),
    dispatches: await dispatchesPerCall(call),
    // Decode: the mean over the steps actually timed (an adaptive case chooses how many).
    flops: caseFlops(
      model.name,
      spec.mode,
      model.config,
      spec.seqLen,
      spec.batchSize,
      spec.warmup,
      samples_ms.length,
      model.plan,
    ),
    output: await checkOutput(call),
  };
  // A GPU reports an invalid kernel or a failed allocation asynchronously, and the work it dropped
  // left its outputs unwritten: the case fails rather than record figures of work not done.
  await throwDeviceError();
  return measurement;
}

/** Forward mode: one forward pass over [batch, n] random ids (built before any timing). */
async function measureForward(model: CausalLM, spec: CaseSpec): Promise<ModelMeasurement> {
  const ids = randomIds(spec, spec.seqLen, model.config.vocabSize, spec.seed);
  try {
    return await measureCall(model, () => model.forward(ids), spec);
  } finally {
    ids.dispose();
  }
}

/**
 * Decode mode: prefill n tokens with step() (untimed), then time single-token steps. Every call
 * (warm-up, timed, profiled, checked) advances the context by one token, so timed repeat i runs at
 * context n + warmup + i.
 */
async function measureDecode(model: CausalLM, spec: CaseSpec): Promise<ModelMeasurement> {
  const state = model.initState(spec.batchSize);
  const context = randomIds(spec, spec.seqLen, model.config.vocabSize, spec.seed);
  const token = randomIds(spec, 1, model.config.vocabSize, spec.seed + 1);
  try {
    const prefillStep = model.plan.prefillStep;
    for (let start = 0; start < spec.seqLen; start += prefillStep) {
      const length = Math.min(prefillStep, spec.seqLen - start);
      const part = tf.slice(context, [0, start], [-1, length]);
      const { hidden } = model.step(state, part);
      await hidden.data();
      tf.dispose([hidden, part]);
    }
    return await measureCall(model, () => model.step(state, token).hidden, spec);
  } finally {
    model.disposeState(state);
    tf.dispose([context, token]);
  }
}

/**
 * One training step of `model` on ids: the loss with dropout (seeded) and every weight's gradient.
 * Returns the loss followed by the first entry of each gradient (a read of it waits for all).
 */
export function trainingStep(model: CausalLM, ids: tf.Tensor2D, seed: number): tf.Tensor1D {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(ids, null, { training: true, dropoutSeed: seed }));
    const firsts = Object.values(grads).map((g) =>
      tf.reshape(tf.slice(g, new Array(g.rank).fill(0), new Array(g.rank).fill(1)), [1]),
    );
    return tf.concat([tf.reshape(value, [1]), ...firsts]) as tf.Tensor1D;
  });
}

/**
 * Train mode: one training step over [batch, n] random ids: the forward with dropout, the tied head's
 * next-token loss and the backward to every weight (tf.variableGrads; no optimizer update). The call
 * ends when every gradient is computed: its output gathers the loss and the first entry of each
 * gradient, so reading it waits for them all, as reading the forward's output waits for the forward.
 */
async function measureTrain(model: CausalLM, spec: CaseSpec): Promise<ModelMeasurement> {
  const ids = randomIds(spec, spec.seqLen, model.config.vocabSize, spec.seed);
  try {
    return await measureCall(model, () => trainingStep(model, ids, spec.seed), spec);
  } finally {
    ids.dispose();
  }
}

/** Times one case on a built model; the caller owns (and disposes) the model. */
export function measureModel(model: CausalLM, spec: CaseSpec): Promise<ModelMeasurement> {
  if (spec.mode === 'train') return measureTrain(model, spec);
  return spec.mode === 'forward' ? measureForward(model, spec) : measureDecode(model, spec);
}
