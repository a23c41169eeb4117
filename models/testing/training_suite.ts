/**
 * The training properties every architecture must have, on one backend: parameter gradients equal
 * central finite differences of the float64 reference loss (dropout active, padding present), the
 * gradient is causal, and a training step leaks no tensor, nor one that throws. Each backend's
 * test file calls describeTrainingSuite.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from '../config';
import { Dropout } from '../dropout';
import { CausalLM } from '../model';
import { DropoutFactor, NAIVE_ATTENTIONS, naiveHidden, naiveLoss, Weights } from '../ops/reference';
import { MODEL_NAMES, ModelName } from '../registry';
import { lcg, liveTensors, randomIds, testsOn, TestBackend, TINY, withModel } from './harness';

/** Per-model variants of the tiny config that switch on optional features. */
const VARIANTS: Partial<Record<ModelName, Partial<ModelConfig>[]>> = {
  BSBR: [{ compressionFactor: 2 }],
  DeltaNet: [{ learnedBeta: true }],
  Hopfield: [{ updateSteps: 3, temperature: 0.5 }],
};

/** Two sequences of 9 tokens, the second with padding at its start, inside and at its end. */
const IDS = randomIds(2, 9, 50, 21);
const MASK = [
  [1, 1, 1, 1, 1, 1, 1, 1, 1],
  [0, 1, 1, 0, 1, 1, 1, 1, 0],
];
const DROPOUT = { rate: 0.2, seed: 3 };
/** Entries of each weight whose gradient is checked. */
const SAMPLES = 2;
const STEP = 1e-5;

/** The model's dropout as the reference's factor per (site, sequence, position, feature). */
function dropoutFactor(model: CausalLM): DropoutFactor {
  const dropout = Dropout.of(DROPOUT.rate, { training: true, dropoutSeed: DROPOUT.seed })!;
  const { hiddenDim, ffDim } = model.config;
  const cache = new Map<string, Float32Array>();
  return (site, b, t, i) => {
    const width = site.endsWith('ff.2') ? ffDim : hiddenDim;
    if (!cache.has(site)) cache.set(site, dropout.maskValues(site, IDS.length, IDS[0].length, width, 0));
    return cache.get(site)![(b * IDS[0].length + t) * width + i];
  };
}

/**
 * For `SAMPLES` entries of every weight: the gradient TensorFlow.js gives and the central difference
 * of the float64 reference loss. Returns the worst |gradient - difference| relative to the largest
 * difference of that weight (or a hundredth of the largest of all, for a weight whose gradient is ~0).
 */
async function worstGradientError(model: CausalLM, name: ModelName): Promise<{ weight: string; error: number }> {
  const { value, grads } = tf.variableGrads(() => model.loss(IDS, MASK, { training: true, dropoutSeed: DROPOUT.seed }));
  value.dispose();
  const weights = await Weights.of(model);
  const factor = dropoutFactor(model);
  const loss = (w: Weights) =>
    naiveLoss(w, naiveHidden(w, model.config, IDS, MASK, NAIVE_ATTENTIONS[name], factor), IDS, MASK);
  const next = lcg(5);
  const rows: Array<{ weight: string; got: number; want: number }> = [];
  for (const [weight, variable] of model.trainableVariables()) {
    const values = await grads[variable.name].data();
    for (let s = 0; s < SAMPLES; s++) {
      const index = Math.floor(next() * values.length);
      const want =
        (loss(weights.perturbed(weight, index, STEP)) - loss(weights.perturbed(weight, index, -STEP))) / (2 * STEP);
      rows.push({ weight, got: values[index], want });
    }
  }
  tf.dispose(grads);
  const largest = Math.max(...rows.map((r) => Math.abs(r.want)));
  const scale = new Map<string, number>();
  for (const r of rows) scale.set(r.weight, Math.max(scale.get(r.weight) ?? largest / 100, Math.abs(r.want)));
  return rows
    .map((r) => ({ weight: r.weight, error: Math.abs(r.got - r.want) / scale.get(r.weight)! }))
    .reduce((worst, r) => (r.error > worst.error ? r : worst), { weight: '', error: 0 });
}

export function describeTrainingSuite(backend: TestBackend): void {
  const itOn = testsOn(backend);

  describe.each(
    MODEL_NAMES.flatMap((name) => [{}, ...(VARIANTS[name] ?? [])].map((variant) => [name, variant] as const)),
  )(`${backend}: training %s %j`, (name, variant) => {
    const config = { ...TINY, ...variant, dropout: DROPOUT.rate };

    itOn(
      'gives every weight the gradient of the float64 reference loss (central differences; dropout, padding) within 1e-3',
      async () => {
        await withModel(name, config, async (model) => {
          const worst = await worstGradientError(model, name);
          expect(worst.error < 1e-3 ? 'ok' : worst).toBe('ok');
        });
      },
    );

    itOn(
      'is causal in its gradient: the output at t has zero gradient from the embeddings of tokens after t',
      async () => {
        await withModel(name, config, async (model) => {
          // Tokens up to t from [0, 25), after t from [25, 50): the later rows of the embedding are read only after t.
          const t = 5;
          const ids = [Array.from({ length: 11 }, (_, i) => (i <= t ? (3 * i) % 25 : 25 + i))];
          const direction = tf.tensor1d(Array.from({ length: model.config.hiddenDim }, (_, i) => Math.cos(i)));
          const embedding = model.trainableVariables().get('embedding.weight')!;
          const { value, grads } = tf.variableGrads(
            () => tf.sum(tf.mul(tf.slice(model.forward(ids, null), [0, t, 0], [1, 1, -1]), direction)),
            [embedding],
          );
          const rows = (await grads[embedding.name].array()) as number[][];
          tf.dispose([value, grads, direction]);
          const before = rows
            .slice(0, 25)
            .flat()
            .reduce((m, x) => Math.max(m, Math.abs(x)), 0);
          const after = rows
            .slice(25)
            .flat()
            .reduce((m, x) => Math.max(m, Math.abs(x)), 0);
          expect(before).toBeGreaterThan(0);
          expect(after).toBe(0);
        });
      },
    );

    itOn('leaks no tensor in a training step, nor in one that throws', async () => {
      await withModel(name, config, async (model) => {
        const before = liveTensors();
        const { value, grads } = tf.variableGrads(() => model.loss(IDS, MASK, { training: true, dropoutSeed: 1 }));
        tf.dispose([value, grads]);
        expect(liveTensors()).toBe(before);
        expect(() => tf.variableGrads(() => model.loss(IDS, [[1, 1, 1]], { training: true }))).toThrow(/attentionMask/);
        expect(liveTensors()).toBe(before);
      });
    });
  });
}
