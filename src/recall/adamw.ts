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
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
  private t = 0;

  constructor(
    private readonly weights: readonly tf.Variable[],
    private readonly settings: AdamWSettings = ADAMW_DEFAULTS,
  ) {
    for (const w of weights) {
      // tidy frees the zeros; variables outlive it.
      this.moments.set(
        w,
        tf.tidy(() => ({ m: tf.variable(tf.zerosLike(w), false), v: tf.variable(tf.zerosLike(w), false) })),
      );
    }
  }

  /**
   * One update of every weight from its gradient, keyed by the variable's own name (as
   * tf.variableGrads gives them); every weight must have one.
   */
  step(grads: tf.NamedTensorMap, lr: number): void {
    this.t++;
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    // Bias corrections folded into the step size: lr_t = lr sqrt(1 - b2^t) / (1 - b1^t), eps scaled alike.
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    tf.tidy(() => {
      for (const w of this.weights) {
        const g = grads[w.name];
        if (!g) throw new Error(`AdamW: no gradient for '${w.name}'`);
        const { m, v } = this.moments.get(w)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), epsilon));
        w.assign(tf.sub(tf.mul(w, 1 - lr * weightDecay), tf.mul(update, lr)));
      }
    });
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
