import * as tf from '@tensorflow/tfjs-core';
import { AttentionFactory, CausalAttention, WidestRow } from './attention';
import { ConfigError, ModelConfig, resolveConfig } from './config';
import { InputError } from './errors';
import { checkMask, checkTokenIds, MaskInput, TokenIds } from './inputs';
import { Dropout, ForwardOptions } from './dropout';
import { recordingGradients, vjp } from './kernels/gradients';
import { FeedForward, LayerNorm } from './layers';
import { crossEntropySum, crossEntropySumGradient, nextTokenTargets } from './loss';
import { bmm } from './ops/matmul';
import { embed } from './ops/position_wise';
import { mapTokenGroups, tokenGroups } from './ops/scan';
import { ParamStore } from './params';
import { currentPlan, ExecutionPlan } from './plan';
import { exportWeights, importWeights, WeightMap } from './weights';

/** Streaming state of a whole model: the position reached and each layer's attention state. */
export interface DecodeState {
  batchSize: number;
  position: number;
  layers: unknown[];
}

interface Layer {
  norm1: LayerNorm;
  attention: CausalAttention<unknown>;
  norm2: LayerNorm;
  ff: FeedForward;
}

export type { TokenIds } from './inputs';
export type { ForwardOptions } from './dropout';

/**
 * The skeleton shared by all seven architectures (architectures.md, "The shared skeleton"):
 * embedding + sinusoidal positions, numLayers pre-LayerNorm blocks of attention and a GELU
 * feed-forward, a final LayerNorm; hidden states out, no LM head.
 */
export abstract class CausalLM {
  readonly config: ModelConfig;
  protected readonly store: ParamStore;
  private readonly layers: Layer[] = [];
  private readonly finalNorm: LayerNorm;
  /** How this model's work is scheduled on the backend that was active when it was built. */
  readonly plan: ExecutionPlan;
  /** The decode states this model made, live or disposed (a state from elsewhere is refused). */
  private readonly states = new WeakMap<DecodeState, 'live' | 'disposed'>();
  private disposed = false;

  protected constructor(
    readonly name: string,
    config: Partial<ModelConfig>,
    attention: AttentionFactory,
    attentionRow: WidestRow,
  ) {
    this.config = resolveConfig(config);
    requireBackend();
    const { vocabSize, hiddenDim, ffDim, numLayers, seed } = this.config;
    // The widest row of work over a group of tokens: the feed-forward's or the attention's.
    this.plan = currentPlan(Math.max(ffDim, attentionRow(this.config)));
    this.store = new ParamStore(seed, name);
    try {
      this.store.create('embedding.weight', [vocabSize, hiddenDim], { kind: 'normal', std: 1 });
      for (let i = 0; i < numLayers; i++) {
        const prefix = `layers.${i}`;
        this.layers.push({
          attention: attention(this.store, `${prefix}.attention`, this.config, this.plan),
          norm1: new LayerNorm(this.store, `${prefix}.layer_norm1`, hiddenDim),
          norm2: new LayerNorm(this.store, `${prefix}.layer_norm2`, hiddenDim),
          ff: new FeedForward(this.store, `${prefix}.ff`, hiddenDim, ffDim),
        });
      }
      this.finalNorm = new LayerNorm(this.store, 'layer_norm', hiddenDim);
    } catch (err) {
      // No model is returned, so nothing else could free what was built.
      this.store.dispose();
      if (err instanceof InputError) throw err;
      throw new ConfigError('weights', `cannot be made: ${String(err)}`);
    }
  }

  /**
   * inputIds [b, n] int32, attentionMask [b, n] (1 real, 0 padding) -> hidden states [b, n, D].
   * Arrays are checked on the host before upload (integer ids in [0, vocabSize), mask values 0 or
   * 1); of tensors the shape and dtype are checked, their values are not read back (README, inputs).
   * With `{ training: true }` dropout (config.dropout) acts on each layer's attention output, inside
   * the feed-forward after GELU and on its output, with masks drawn from `dropoutSeed` (the same seed
   * gives the same result on every backend); otherwise dropout is inactive. Under a gradient
   * (tf.variableGrads and the like) each layer is recomputed in the backward from its input, so the
   * activations kept for the backward are one [b, n, D] tensor per layer.
   */
  forward(inputIds: TokenIds, attentionMask?: MaskInput | null, options?: ForwardOptions): tf.Tensor3D {
    return this.withInputs(inputIds, attentionMask, (ids, mask) => {
      const dropout = Dropout.of(this.config.dropout, options);
      const groups = this.plan.groupRows;
      // Position-wise work runs in token groups and each tensor is freed as soon as it is used, so the
      // live tensors stay a few [b, n, D] arrays plus one group's temporaries at any length.
      let x = mapTokenGroups([ids], groups, ([group], start) => this.embed(group as tf.Tensor2D, start));
      try {
        for (let i = 0; i < this.layers.length; i++) {
          const next = this.layer(i, x, mask, dropout);
          x.dispose();
          x = next;
        }
        return mapTokenGroups([x], groups, ([group]) => this.finalNorm.apply(group as tf.Tensor3D));
      } finally {
        x.dispose();
      }
    });
  }

  /**
   * Runs `body` on the checked inputs (ids [b, n] int32, mask [b, n] or null), then frees whatever
   * the checks uploaded from arrays (tensors passed in stay the caller's).
   */
  private withInputs<T>(
    inputIds: TokenIds,
    attentionMask: MaskInput | null | undefined,
    body: (ids: tf.Tensor2D, mask: tf.Tensor2D | null) => T,
  ): T {
    this.assertLive();
    const ids = checkTokenIds(inputIds, this.config.vocabSize);
    let mask: tf.Tensor2D | null = null;
    try {
      const [b, n] = ids.shape;
      mask = attentionMask == null ? null : checkMask(attentionMask, b, n);
      return body(ids, mask);
    } finally {
      mask?.dispose();
      if (ids !== inputIds) ids.dispose();
    }
  }

  /**
   * Layer i on x [b, n, D]. While a gradient is recorded, the layer runs as one custom-gradient op
   * whose backward recomputes it from its input (the tape keeps x, not the layer's activations).
   */
  private layer(i: number, x: tf.Tensor3D, mask: tf.Tensor2D | null, dropout: Dropout | null): tf.Tensor3D {
    if (!recordingGradients()) return this.layerForward(i, x, mask, dropout);
    const weights = [...this.store.variables()].filter(([name]) => name.startsWith(`layers.${i}.`)).map(([, v]) => v);
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const input = args[0] as tf.Tensor3D;
      // The backward outlives forward()'s tensors: what it needs is saved (kept until it has run).
      (args[args.length - 1] as tf.GradSaveFunc)(mask ? [input, mask] : [input]);
      return {
        value: this.layerForward(i, input, mask, dropout),
        gradFunc: (dy: tf.Tensor, [savedInput, savedMask]: tf.Tensor[]) =>
          tf.tidy(() =>
            vjp(
              () => this.layerForward(i, savedInput as tf.Tensor3D, (savedMask ?? null) as tf.Tensor2D | null, dropout),
              [savedInput, ...weights],
              dy,
            ),
          ),
      };
    });
    return op(x, ...weights) as tf.Tensor3D;
  }

  /** The pre-LayerNorm block of layer i (architectures.md, "The shared skeleton"), with dropout when training. */
  private layerForward(i: number, x: tf.Tensor3D, mask: tf.Tensor2D | null, dropout: Dropout | null): tf.Tensor3D {
    const layer = this.layers[i];
    const prefix = `layers.${i}`;
    const groups = this.plan.groupRows;
    const normed = mapTokenGroups([x], groups, ([group]) => layer.norm1.apply(group as tf.Tensor3D));
    let attended: tf.Tensor3D;
    try {
      attended = layer.attention.forward(normed, mask);
    } finally {
      normed.dispose();
    }
    try {
      return mapTokenGroups([x, attended], groups, ([group, attn], start) => {
        const drop = (t: tf.Tensor3D, site: string) => (dropout ? dropout.apply(t, site, start) : t);
        const dropped = drop(attn as tf.Tensor3D, `${prefix}.attention`);
        return layer.ff.residual(
          group as tf.Tensor3D,
          dropped,
          layer.norm2,
          dropout ? { inner: (t) => drop(t, `${prefix}.ff.2`), output: (t) => drop(t, `${prefix}.ff`) } : undefined,
        );
      });
    } finally {
      attended.dispose();
    }
  }

  /**
   * The causal language-model head, tied to the embedding: hidden [b, n, D] -> logits [b, n, V]
   * (hidden @ embedding^T). For logits at a few positions only, see logitsAt.
   */
  logits(hidden: tf.Tensor3D): tf.Tensor3D {
    this.assertLive();
    return tf.tidy(() => {
      const [b, n, D] = hidden.shape;
      const embedding = tf.expandDims(this.store.get('embedding.weight'), 0);
      const flat = bmm(tf.reshape(hidden, [1, b * n, D]), embedding, false, true);
      return tf.reshape(flat, [b, n, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /**
   * The tied head's logits at chosen positions: positions [b, k] (int32 indices into n, or arrays)
   * -> logits [b, k, V]; the rows are gathered first, so the cost is k rows, not n.
   */
  logitsAt(hidden: tf.Tensor3D, positions: tf.Tensor2D | number[][]): tf.Tensor3D {
    this.assertLive();
    return tf.tidy(() => {
      const [b, n, D] = hidden.shape;
      const at = positions instanceof tf.Tensor ? positions : tf.tensor2d(positions, undefined, 'int32');
      const k = at.shape[1];
      const rows = tf.add(
        tf.reshape(at, [b, k]),
        tf.mul(tf.reshape(tf.range(0, b, 1, 'int32'), [b, 1]), tf.scalar(n, 'int32')),
      );
      const gathered = tf.gather(tf.reshape(hidden, [b * n, D]), tf.reshape(rows, [-1]));
      return this.logits(tf.reshape(gathered, [b, k, D]) as tf.Tensor3D);
    });
  }

  /**
   * The training objective in one call: forward (options as forward's), the tied head and the
   * next-token cross-entropy over real positions (causalLmLoss of logits(forward(...))), as a scalar.
   * The head runs in groups of positions (plan.logitsPerGroup logits at once), and under a gradient
   * each group is recomputed in the backward, so no [b, n, V] tensor is ever held.
   */
  loss(inputIds: TokenIds, attentionMask?: MaskInput | null, options?: ForwardOptions): tf.Scalar {
    return this.withInputs(inputIds, attentionMask, (ids, mask) => {
      const [b, n] = ids.shape;
      const hidden = this.forward(ids, mask, options);
      try {
        return tf.tidy(() => {
          const { labels, weights } = nextTokenTargets(ids, mask);
          const rows = Math.max(1, Math.floor(this.plan.logitsPerGroup / this.config.vocabSize));
          const embedding = this.store.get('embedding.weight');
          const groupLoss = (h: tf.Tensor3D, l: tf.Tensor, w: tf.Tensor) => crossEntropySum(this.logits(h), l, w);
          const sums = tokenGroups(b, n, rows).map(([start, end]) => {
            const slice = <T extends tf.Tensor>(t: T) => tf.slice(t, [0, start], [-1, end - start]) as T;
            const [h, l, w] = [slice(hidden), slice(labels), slice(weights)];
            if (!recordingGradients()) return groupLoss(h, l, w);
            const op = tf.customGrad((hg, _embedding, save) => {
              (save as tf.GradSaveFunc)([hg as tf.Tensor, l, w]);
              return {
                value: groupLoss(hg as tf.Tensor3D, l, w),
                // The logits recomputed, the loss not: logits = h E^T, so dh = dLogits E and dE = dLogits^T h.
                gradFunc: (dy: tf.Tensor, [sh, sl, sw]: tf.Tensor[]) =>
                  tf.tidy(() => {
                    const [rows, g, D] = sh.shape;
                    const flat = tf.reshape(sh, [1, rows * g, D]);
                    const logits = this.logits(sh as tf.Tensor3D);
                    const dLogits = tf.reshape(crossEntropySumGradient(logits, sl, sw, dy), [1, rows * g, -1]);
                    return [
                      tf.reshape(bmm(dLogits, tf.expandDims(embedding, 0)), sh.shape),
                      tf.reshape(bmm(dLogits, flat, true, false), embedding.shape),
                    ];
                  }),
              };
            });
            return op(h, embedding);
          });
          // Added in pairs: webgpu's AddN binds every input at once, and a device takes 8 at least.
          const total = sums.reduce((sum, group) => tf.add(sum, group));
          return tf.div(total, tf.maximum(tf.sum(weights), 1e-30)) as tf.Scalar;
        });
      } finally {
        hidden.dispose();
      }
    });
  }

  /**
   * Every weight as the trainable tf.Variable that holds it, by state-dict name (a Linear's weight
   * as [in, out]). These are the model's own: assign to them (or pass them to an optimizer), do not
   * dispose them. tf.variableGrads(() => model.loss(ids)) gives every one's gradient.
   */
  trainableVariables(): Map<string, tf.Variable> {
    this.assertLive();
    return this.store.variables();
  }

  /** Every weight's name, in the original package's state-dict naming. */
  parameterNames(): string[] {
    return this.store.names();
  }

  /** One weight as held here (a Linear's weight as [in, out]). */
  parameter(name: string): tf.Tensor {
    return this.store.get(name);
  }

  /** The number of weights (every Linear with its bias, every LayerNorm with weight and bias). */
  countParams(): number {
    return this.store.count();
  }

  /**
   * Every weight under the names and shapes of the original package's state_dict() (an
   * nn.Linear weight as [out, in]). The tensors are new copies: the caller owns and disposes them.
   */
  getWeights(): Map<string, tf.Tensor> {
    this.assertLive();
    return exportWeights(this.store);
  }

  /**
   * Loads weights given as getWeights() returns them (a Map or record of float32 tensors, such as
   * readSafetensors gives). All names, dtypes and shapes are checked first: any problem throws one
   * WeightsError listing them all and leaves the model unchanged. The tensors are copied, so the
   * caller keeps its own; the original package's `pos_encoding.pe` buffer is ignored.
   */
  setWeights(weights: WeightMap): void {
    this.assertLive();
    importWeights(this.store, weights);
  }

  /** The streaming state before any token, for `batchSize` sequences. */
  initState(batchSize: number): DecodeState {
    this.assertLive();
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new InputError('batchSize', `batchSize must be a positive integer (got ${batchSize})`);
    const state: DecodeState = {
      batchSize,
      position: 0,
      layers: this.layers.map((l) => l.attention.initState(batchSize)),
    };
    this.states.set(state, 'live');
    return state;
  }

  /**
   * Consumes the next m >= 1 tokens [b, m] and returns their hidden states [b, m, D]. Any split of a
   * sequence into steps reproduces forward() on it. The state is updated in place and returned.
   */
  step(state: DecodeState, inputIds: TokenIds): { hidden: tf.Tensor3D; state: DecodeState } {
    this.assertLive();
    this.assertOwnState(state, 'step');
    const ids = checkTokenIds(inputIds, this.config.vocabSize);
    try {
      if (ids.shape[0] !== state.batchSize) {
        throw new InputError(
          'inputIds',
          `step: inputIds has batch ${ids.shape[0]} but the state was made for ${state.batchSize}`,
        );
      }
      // Layer by layer, each layer's input freed once the next exists: a long prefill holds one layer's temporaries.
      let x = this.embed(ids, state.position);
      try {
        this.layers.forEach((layer, i) => {
          const next: tf.Tensor3D = tf.tidy(() => {
            return layer.ff.residual(x, layer.attention.step(state.layers[i], layer.norm1.apply(x)), layer.norm2);
          });
          x.dispose();
          x = next;
        });
        const hidden = this.finalNorm.apply(x);
        state.position += ids.shape[1];
        return { hidden, state };
      } finally {
        x.dispose();
      }
    } finally {
      if (ids !== inputIds) ids.dispose();
    }
  }

  /** Frees the tensors a decode state holds; a second call does nothing. */
  disposeState(state: DecodeState): void {
    if (this.states.get(state) === 'disposed') return;
    this.assertOwnState(state, 'disposeState');
    this.layers.forEach((layer, i) => layer.attention.disposeState(state.layers[i]));
    state.layers = [];
    this.states.set(state, 'disposed');
  }

  /** Frees every weight; the model cannot be used afterwards. */
  dispose(): void {
    this.store.dispose();
    this.disposed = true;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error(`${this.name} model has been disposed`);
  }

  private assertOwnState(state: DecodeState, call: string): void {
    const status = this.states.get(state);
    if (status === 'disposed') throw new InputError('state', `${call}: the decode state has been disposed`);
    if (status !== 'live')
      throw new InputError('state', `${call}: the decode state was not made by this ${this.name} model's initState()`);
  }

  private embed(ids: tf.Tensor2D, start: number): tf.Tensor3D {
    return embed(ids, this.store.get('embedding.weight') as tf.Tensor2D, start, this.plan.fillOnHost);
  }
}

/** The model classes need an initialised TensorFlow.js backend (see setupBackend). */
function requireBackend(): void {
  try {
    tf.backend();
  } catch (err) {
    throw new Error(
      `no TensorFlow.js backend is ready: call 'await setupBackend()' from the bsbr package first (${(err as Error).message})`,
    );
  }
}
