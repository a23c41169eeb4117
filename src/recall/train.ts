/**
 * Trains one model on MQAR and measures its test accuracy (docs/recall.md, "Recipe"): the model as a
 * small causal LM (embedding, its layers, the head tied to the embedding), the cross-entropy only at
 * the query positions (their hidden rows gathered, then the head), AdamW with a warm-up and a cosine
 * decay to 0, the test set scored every `evalEvery` steps and training stopped once it reaches
 * `targetAccuracy`. The batches' order comes from the seed alone, so every backend sees the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from '../../models/config';
import { crossEntropy } from '../../models/loss';
import { CausalLM } from '../../models/model';
import { mulberry32 } from '../../models/params';
import { captureStep, replayable, StepCapture, StepReplay } from '../../models/backends/webgpu_replay';
import { AdamW, ADAMW_DEFAULTS, AdamWFactors } from './adamw';
import { Filler, generateMqar, MqarData, splitSeeds } from './mqar';
import { cosineLearningRate } from './schedule';

/** What one training run needs besides the model. */
export interface TrainSpec {
  seqLen: number;
  kvPairs: number;
  trainExamples: number;
  testExamples: number;
  batchSize: number;
  /** Optimizer steps at most (an early stop ends sooner). */
  steps: number;
  warmupSteps: number;
  learningRate: number;
  /** Test accuracy is measured after every this many steps, and after the last. */
  evalEvery: number;
  /** Training stops once test accuracy reaches this. */
  targetAccuracy: number;
  /** The data's seed (train and test sets from splitSeeds(seed)) and the batches' order. */
  seed: number;
  filler: Filler;
  /** On webgpu, replay a captured step instead of running each through TensorFlow.js (default true). */
  replay?: boolean;
}

/** One test evaluation during training. */
export interface Evaluation {
  step: number;
  accuracy: number;
  /** Mean training loss over the steps since the previous evaluation. */
  loss: number;
}

export interface TrainOutcome {
  /** The last evaluation's test accuracy (the one training stopped at). */
  accuracy: number;
  /** Mean training loss over the steps since the evaluation before the last. */
  finalLoss: number;
  steps: number;
  evaluations: Evaluation[];
  /** Whether the steps after the third were replays of a captured one (webgpu). */
  replayed: boolean;
}

/** Examples `rows` of `data`: ids [b, L], query positions and answers [b, kv], as int32 host arrays. */
function batchValues(data: MqarData, rows: readonly number[]): Record<'ids' | 'positions' | 'answers', Int32Array> {
  const { seqLen: L, kvPairs: kv } = data;
  const ids = new Int32Array(rows.length * L);
  const positions = new Int32Array(rows.length * kv);
  const answers = new Int32Array(rows.length * kv);
  rows.forEach((r, i) => {
    ids.set(data.inputs.subarray(r * L, (r + 1) * L), i * L);
    positions.set(data.queryPositions.subarray(r * kv, (r + 1) * kv), i * kv);
    answers.set(data.answers.subarray(r * kv, (r + 1) * kv), i * kv);
  });
  return { ids, positions, answers };
}

/** Examples `rows` of `data` as tensors: ids [b, L], query positions and answers [b, kv], all int32. */
function batchTensors(
  data: MqarData,
  rows: readonly number[],
): { ids: tf.Tensor2D; positions: tf.Tensor2D; answers: tf.Tensor2D } {
  const { ids, positions, answers } = batchValues(data, rows);
  return {
    ids: tf.tensor2d(ids, [rows.length, data.seqLen], 'int32'),
    positions: tf.tensor2d(positions, [rows.length, data.kvPairs], 'int32'),
    answers: tf.tensor2d(answers, [rows.length, data.kvPairs], 'int32'),
  };
}

/** A permutation of 0 .. n-1 (Fisher-Yates) from the seed and the epoch: the batches' order. */
export function epochOrder(n: number, seed: number, epoch: number): number[] {
  const next = mulberry32(Math.imul(seed ^ 0x2545f491, 0x9e3779b1) ^ epoch);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * The tied head's logits at the query positions [b, kv, V], of hidden states scaled by 1/sqrt(D):
 * the embedding starts with std 1 (the original package's init), so unscaled logits start with std
 * sqrt(D) and the loss near 10 nats; scaled, training reaches the recall regime in fewer steps
 * (docs/recall.md, "Recipe").
 */
function queryLogits(model: CausalLM, hidden: tf.Tensor3D, positions: tf.Tensor2D): tf.Tensor3D {
  return model.logitsAt(tf.mul(hidden, 1 / Math.sqrt(hidden.shape[2])) as tf.Tensor3D, positions);
}

/** The loss at the query positions: cross-entropy of the head's logits there against the values. */
function queryLoss(model: CausalLM, ids: tf.Tensor2D, positions: tf.Tensor2D, answers: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logits = queryLogits(model, model.forward(ids, null, { training: true }), positions);
    return crossEntropy(logits, answers, tf.ones(answers.shape));
  });
}

/** The fraction of the test set's queries whose most likely token is the right value. */
export async function testAccuracy(model: CausalLM, test: MqarData, batchSize: number): Promise<number> {
  let correct = tf.scalar(0, 'int32');
  try {
    for (let start = 0; start < test.examples; start += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, test.examples - start) }, (_, i) => start + i);
      const next = tf.tidy(() => {
        const { ids, positions, answers } = batchTensors(test, rows);
        const predicted = tf.argMax(queryLogits(model, model.forward(ids), positions), -1);
        return tf.add(correct, tf.sum(tf.cast(tf.equal(predicted, answers), 'int32'))) as tf.Scalar;
      });
      correct.dispose();
      correct = next;
    }
    return (await correct.data())[0] / (test.examples * test.kvPairs);
  } finally {
    correct.dispose();
  }
}

/** The training and test sets of a spec (the same for every model and learning rate of a run). */
export function recallData(vocabSize: number, spec: TrainSpec): { train: MqarData; test: MqarData } {
  const seeds = splitSeeds(spec.seed);
  const common = { vocabSize, seqLen: spec.seqLen, kvPairs: spec.kvPairs, filler: spec.filler };
  return {
    train: generateMqar({ ...common, examples: spec.trainExamples, seed: seeds.train }),
    test: generateMqar({ ...common, examples: spec.testExamples, seed: seeds.test }),
  };
}

/** What a training step takes that changes from step to step: the batch, the update's factors and `keep`. */
type StepValues = Record<'ids' | 'positions' | 'answers', Int32Array> &
  Record<keyof AdamWFactors | 'keep', Float32Array>;

/**
 * Trains `model` in place on the spec's MQAR data and returns how it went. Where the model's plan
 * replays steps (webgpu), the second and third steps are captured and, where the two agree, every
 * later step is a replay of the third (models/backends/webgpu_replay.ts), unless spec.replay is
 * false: the same kernels on the same buffers, without TensorFlow.js's per-op host work.
 */
export async function trainRecall(model: CausalLM, config: ModelConfig, spec: TrainSpec): Promise<TrainOutcome> {
  const { train, test } = recallData(config.vocabSize, spec);
  const variables = [...model.trainableVariables().values()];
  const optimizer = new AdamW(variables, ADAMW_DEFAULTS);
  const evaluations: Evaluation[] = [];
  const perEpoch = Math.max(1, Math.floor(train.examples / spec.batchSize));
  // The training loss summed since the last evaluation: sum * keep + loss, keep 0 on the first step after one.
  let lossSum = tf.scalar(0);
  const state = () => [...variables, ...optimizer.moments(), lossSum];
  const captures: StepCapture[] = [];
  let replay: StepReplay | null = null;
  let since = 0;
  let order: number[] = [];
  try {
    for (let step = 0; step < spec.steps; step++) {
      const epoch = Math.floor(step / perEpoch);
      const within = step % perEpoch;
      if (within === 0) order = epochOrder(train.examples, spec.seed, epoch);
      const rows = order.slice(within * spec.batchSize, (within + 1) * spec.batchSize);
      const factors = optimizer.next(cosineLearningRate(step, spec.steps, spec.warmupSteps, spec.learningRate));
      const values: StepValues = {
        ...batchValues(train, rows),
        decay: Float32Array.of(factors.decay),
        stepSize: Float32Array.of(factors.stepSize),
        epsilon: Float32Array.of(factors.epsilon),
        keep: Float32Array.of(since === 0 ? 0 : 1),
      };
      if (replay) replay.replay(values);
      else {
        const { ids, positions, answers } = batchTensors(train, rows);
        const scalars = {
          decay: tf.scalar(values.decay[0]),
          stepSize: tf.scalar(values.stepSize[0]),
          epsilon: tf.scalar(values.epsilon[0]),
          keep: tf.scalar(values.keep[0]),
        };
        const run = () => {
          const { value, grads } = tf.variableGrads(() => queryLoss(model, ids, positions, answers), variables);
          optimizer.apply(grads, scalars);
          const total = tf.tidy(() => tf.add(tf.mul(lossSum, scalars.keep), value) as tf.Scalar);
          tf.dispose([value, ...Object.values(grads), lossSum]);
          lossSum = total;
        };
        try {
          if (spec.replay !== false && model.plan.replaySteps && (step === 1 || step === 2))
            captures.push(captureStep(run, { inputs: { ids, positions, answers, ...scalars }, state }));
          else run();
        } finally {
          tf.dispose([ids, positions, answers, ...Object.values(scalars)]);
        }
        // Decided once: replayed from here on, or every step op by op.
        if (captures.length === 2) {
          if (!replayable(captures[0], captures[1])) replay = new StepReplay(captures[1], state);
          captures.length = 0;
        }
      }
      since++;
      if ((step + 1) % spec.evalEvery === 0 || step + 1 === spec.steps) {
        const accuracy = await testAccuracy(model, test, spec.batchSize);
        const loss = (await lossSum.data())[0] / since;
        since = 0;
        evaluations.push({ step: step + 1, accuracy, loss });
        if (accuracy >= spec.targetAccuracy) break;
      }
    }
  } finally {
    replay?.dispose();
    lossSum.dispose();
    optimizer.dispose();
  }
  const last = evaluations[evaluations.length - 1];
  return { accuracy: last.accuracy, finalLoss: last.loss, steps: last.step, evaluations, replayed: replay !== null };
}
