/**
 * AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay, as torch.optim.AdamW. Each
 * step, for every weight w with gradient g at step t (from 1) and learning rate lr:
 *   w <- w (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
 *   w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * TensorFlow.js's own optimizers have no decoupled decay. The decay applies to every weight, as
 * torch.optim.AdamW(model.parameters()) does.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** What an update takes that changes from step to step (AdamW.next). */
export interface AdamWFactors {
  decay: number;
  stepSize: number;
  epsilon: number;
}

/** torch.optim.AdamW's defaults, with the weight decay of the recall recipe (docs/recall.md). */
export const ADAMW_DEFAULTS: Readonly<AdamWSettings> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };

export class AdamW {
  /** The first and second moments of every weight, flattened and joined in the order of `weights`. */
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private readonly sizes: number[];
  private t = 0;

  constructor(
    private readonly weights: readonly tf.Variable[],
    private readonly settings: AdamWSettings = ADAMW_DEFAULTS,
  ) {
    this.sizes = weights.map((w) => w.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    // tidy frees the zeros; variables outlive it.
    [this.m, this.v] = tf.tidy(() => [tf.variable(tf.zeros([total]), false), tf.variable(tf.zeros([total]), false)]);
  }

  /**
   * The factors of the next update (step t + 1) at learning rate lr: the decay 1 - lr wd, and the
   * bias corrections folded into the step size and epsilon,
   *   lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) = stepSize m / (sqrt(v) + epsilon)
   * with stepSize = lr sqrt(1 - b2^t) / (1 - b1^t) and epsilon = eps sqrt(1 - b2^t).
   */
  next(lr: number): AdamWFactors {
    this.t++;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    const c1 = 1 - beta1 ** this.t;
    const c2 = Math.sqrt(1 - beta2 ** this.t);
    return { decay: 1 - lr * weightDecay, stepSize: (lr * c2) / c1, epsilon: epsilon * c2 };
  }

  /**
   * One update of every weight from its gradient, keyed by the variable's own name (as
   * tf.variableGrads gives them); every weight must have one. The update runs once over all the
   * weights joined into one vector, then is cut back into them: a dozen ops per step rather than a
   * dozen per weight (each op is a dispatch on webgpu). The factors come as tensors, so that a
   * captured step replays with each step's own (models/backends/webgpu_replay.ts).
   */
  apply(grads: tf.NamedTensorMap, factors: Record<keyof AdamWFactors, tf.Scalar>): void {
    const missing = this.weights.find((w) => !grads[w.name]);
    if (missing) throw new Error(`AdamW: no gradient for '${missing.name}'`);
    const { beta1, beta2 } = this.settings;
    tf.tidy(() => {
      const flat = (ts: tf.Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const g = flat(this.weights.map((w) => grads[w.name]));
      this.m.assign(tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1)));
      this.v.assign(tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const update = tf.div(this.m, tf.add(tf.sqrt(this.v), factors.epsilon));
      const next = tf.sub(tf.mul(flat([...this.weights]), factors.decay), tf.mul(update, factors.stepSize));
      tf.split(next, this.sizes).forEach((part, i) => this.weights[i].assign(tf.reshape(part, this.weights[i].shape)));
    });
  }

  /** The first and second moments: the state an update replaces besides the weights. */
  moments(): tf.Tensor[] {
    return [this.m, this.v];
  }

  dispose(): void {
    tf.dispose([this.m, this.v]);
  }
}
