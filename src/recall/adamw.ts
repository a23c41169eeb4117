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
   * One update of every weight from its gradient, keyed by the variable's own name (as
   * tf.variableGrads gives them); every weight must have one. The update runs once over all the
   * weights joined into one vector, then is cut back into them: a dozen ops per step rather than a
   * dozen per weight (each op is a dispatch on webgpu).
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    const missing = this.weights.find((w) => !grads[w.name]);
    if (missing) throw new Error(`AdamW: no gradient for '${missing.name}'`);
    this.t++;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    // Bias corrections folded into the step size: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), eps scaled alike.
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      const flat = (ts: tf.Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const g = flat(this.weights.map((w) => grads[w.name]));
      this.m.assign(tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1)));
      this.v.assign(tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2)));
      const update = tf.div(tf.div(this.m, c1), tf.add(tf.sqrt(tf.div(this.v, c2)), epsilon));
      const next = tf.sub(tf.mul(flat([...this.weights]), 1 - lr * weightDecay), tf.mul(update, lr));
      tf.split(next, this.sizes).forEach((part, i) => this.weights[i].assign(tf.reshape(part, this.weights[i].shape)));
    });
  }

  dispose(): void {
    tf.dispose([this.m, this.v]);
  }
}
