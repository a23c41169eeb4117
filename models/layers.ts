import * as tf from '@tensorflow/tfjs-core';
import { dense, DenseOptions, layerNorm } from './ops/position_wise';
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

  /** x [..., in] -> [..., out], with what the options add before and after (ops/position_wise.ts, dense). */
  apply<T extends tf.Tensor>(x: T, options?: DenseOptions): T {
    return dense(x, this.weight, this.bias, options);
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
  constructor(
    private readonly store: ParamStore,
    readonly name: string,
    readonly features: number,
  ) {
    store.create(`${name}.weight`, [features], { kind: 'constant', value: 1 });
    store.create(`${name}.bias`, [features], { kind: 'constant', value: 0 });
  }

  /** Its weight, bias and epsilon, as a dense layer takes them to normalise its input. */
  get params(): NonNullable<DenseOptions['norm']> {
    return {
      gamma: this.store.get(`${this.name}.weight`) as tf.Tensor1D,
      beta: this.store.get(`${this.name}.bias`) as tf.Tensor1D,
      epsilon: 1e-5,
    };
  }

  apply<T extends tf.Tensor>(x: T): T {
    const { gamma, beta, epsilon } = this.params;
    return layerNorm(x, gamma, beta, epsilon);
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

  /**
   * h + FF(norm(h)) for h = x + attended, the pre-LayerNorm block around it, as two dense layers with
   * the sum, the LayerNorm, GELU and residual fused in (h itself is never formed). With dropout
   * (training), `dropout.inner` acts on the GELU's output and `dropout.output` on FF's before the
   * residual is added.
   */
  residual<T extends tf.Tensor>(
    x: T,
    attended: T,
    norm: LayerNorm,
    dropout?: { inner: (t: T) => T; output: (t: T) => T },
  ): T {
    return tf.tidy(() => {
      const inner = this.up.apply(x, { addend: attended, norm: norm.params, activation: 'gelu' });
      if (!dropout) return this.down.apply(inner, { residual: [x, attended] });
      return tf.add(tf.add(x, attended), dropout.output(this.down.apply(dropout.inner(inner)))) as T;
    });
  }
}
