import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm } from './ops/position_wise';
import { ParamStore } from './params';

/**
 * Linear(in, out) with bias, as PyTorch's nn.Linear initialises it (uniform in +-1/sqrt(in)).
 * The weight is held as [in, out] so that x @ W is a plain, untransposed matmul (the fast path).
 * Tensors are looked up in the store on every call, so loading new weights needs no rewiring.
 */
export class Linear {
  constructor(
    private readonly store: ParamStore,
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    const bound = 1 / Math.sqrt(inFeatures);
    store.create(`${name}.weight`, [inFeatures, outFeatures], { kind: 'uniform', bound }, 'linear');
    store.create(`${name}.bias`, [outFeatures], { kind: 'uniform', bound });
  }

  get weight(): tf.Tensor2D {
    return this.store.get(`${this.name}.weight`) as tf.Tensor2D;
  }

  get bias(): tf.Tensor1D {
    return this.store.get(`${this.name}.bias`) as tf.Tensor1D;
  }

  /** x [..., in] -> [..., out]. */
  apply<T extends tf.Tensor>(x: T): T {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D;
      const y = tf.fused.matMul({ a: flat, b: this.weight, bias: this.bias });
      return tf.reshape(y, [...lead, this.outFeatures]) as T;
    });
  }
}

/** The q, k, v and output projections of an attention, Linear(D, D) each: q_proj, k_proj, v_proj, out_proj. */
export class AttentionProjections {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;

  constructor(store: ParamStore, prefix: string, hiddenDim: number) {
    this.q = new Linear(store, `${prefix}.q_proj`, hiddenDim, hiddenDim);
    this.k = new Linear(store, `${prefix}.k_proj`, hiddenDim, hiddenDim);
    this.v = new Linear(store, `${prefix}.v_proj`, hiddenDim, hiddenDim);
    this.out = new Linear(store, `${prefix}.out_proj`, hiddenDim, hiddenDim);
  }
}

/** LayerNorm over the last axis with weight and bias, epsilon 1e-5. */
export class LayerNorm {
  constructor(private readonly store: ParamStore, readonly name: string, readonly features: number) {
    store.create(`${name}.weight`, [features], { kind: 'constant', value: 1 });
    store.create(`${name}.bias`, [features], { kind: 'constant', value: 0 });
  }

  apply<T extends tf.Tensor>(x: T): T {
    return layerNorm(x, this.store.get(`${this.name}.weight`) as tf.Tensor1D, this.store.get(`${this.name}.bias`) as tf.Tensor1D, 1e-5);
  }
}

/** The position-wise feed-forward block: Linear(ff, D)(GELU(Linear(D, ff)(x))). */
export class FeedForward {
  private readonly up: Linear;
  private readonly down: Linear;

  constructor(store: ParamStore, name: string, hiddenDim: number, ffDim: number) {
    // Named ff.0 and ff.3 as in the original package's nn.Sequential (GELU and dropout between).
    this.up = new Linear(store, `${name}.0`, hiddenDim, ffDim);
    this.down = new Linear(store, `${name}.3`, ffDim, hiddenDim);
  }

  /** x [..., D] -> [..., D]; `between` (dropout when training) acts on the GELU's output. */
  apply<T extends tf.Tensor>(x: T, between?: (t: T) => T): T {
    return tf.tidy(() => {
      const inner = gelu(this.up.apply(x));
      return this.down.apply(between ? between(inner) : inner);
    });
  }
}
