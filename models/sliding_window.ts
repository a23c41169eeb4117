import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './attention';
import { ModelConfig } from './config';
import { mergeHeads } from './heads';
import { CausalLM } from './model';
import { ParamStore } from './params';
import { causalAllowed, softmaxAttend } from './softmax';
import { KVCacheState, StandardAttention } from './standard';

/**
 * Sliding-window softmax attention (architectures.md section 2), O(n w d): as Standard, but query t
 * sees only keys s with t - w <= s <= t. Queries go in blocks of w, each attending to its own block
 * and the previous one under a band mask, so nothing of size n x n is built. The streaming state is
 * a rolling cache of the last w keys/values.
 */
export class SlidingWindowAttention extends StandardAttention {
  private readonly window: number;

  constructor(store: ParamStore, prefix: string, config: ModelConfig) {
    super(store, prefix, config);
    this.window = config.windowSize;
  }

  forward(x: tf.Tensor3D, mask: tf.Tensor2D | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      return this.proj.out.apply(mergeHeads(this.attendWindow(q, k, v, mask)));
    });
  }

  step(state: KVCacheState, x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [q, k, v] = this.project(x);
      // The cache is one block: the last w keys/values, all a later token can see.
      const keys = tf.concat([...state.keys, k], 2);
      const values = tf.concat([...state.values, v], 2);
      const o = this.attendWindow(q, keys, values, null);
      const total = keys.shape[2];
      const kept = Math.min(this.window, total);
      const last = (t: tf.Tensor4D) => tf.keep(tf.slice(t, [0, 0, total - kept, 0], [-1, -1, kept, -1]));
      disposeAll([...state.keys, ...state.values]);
      state.keys = [last(keys)];
      state.values = [last(values)];
      return this.proj.out.apply(mergeHeads(o));
    });
  }

  /**
   * Queries q [b, h, m, d] at the last m of the key positions; keys/values [b, h, P + m, d] hold
   * P <= w earlier positions first. keyValid [b, P + m] (1 real, 0 padding), or null when all are real.
   */
  private attendWindow(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, keyValid: tf.Tensor2D | null): tf.Tensor4D {
    const [b, h, m, d] = q.shape;
    const w = this.window;
    const P = k.shape[2] - m;
    if (m <= w) {
      // One block: the scores are at most [w, 2w].
      const keyMask = keyValid ? tf.reshape(keyValid, [b, 1, 1, P + m]) : null;
      return softmaxAttend(q, k, v, this.scale, causalAllowed(m, P + m, P, w), keyMask);
    }
    const C = Math.ceil(m / w);
    // Keys are padded in front to w slots before the first query (P real ones, w - P phantom) and at
    // the back to whole blocks: C + 1 blocks of w, query block c pairs with key blocks c and c + 1.
    const front = w - P;
    const back = C * w - m;
    const padTime = (t: tf.Tensor4D) => tf.pad(t, [[0, 0], [0, 0], [front, back], [0, 0]]);
    // [b', h', (C+1) w, d'] -> [b', h', C, 2w, d']. Cut in rank 4: wasm slices rank 5 element by element.
    const pairedBlocks = (t: tf.Tensor4D) => {
      const [b1, h1, , d1] = t.shape;
      const half = (from: number) => tf.reshape(tf.slice(t, [0, 0, from, 0], [-1, -1, C * w, -1]), [b1, h1, C, w, d1]);
      return tf.concat([half(0), half(w)], 3) as tf.Tensor5D;
    };
    const qb = tf.reshape(tf.pad(q, [[0, 0], [0, 0], [0, back], [0, 0]]), [b, h, C, w, d]) as tf.Tensor5D;
    // The phantom front keys must not be seen; without them and without padding no key mask is needed.
    const valid = keyValid ?? (front > 0 ? tf.ones([1, P + m]) as tf.Tensor2D : null);
    const keyMask = valid
      ? tf.reshape(pairedBlocks(padTime(tf.reshape(valid, [valid.shape[0], 1, P + m, 1]))), [valid.shape[0], 1, C, 1, 2 * w])
      : null;
    // Query i of a block sits at key slot w + i of its 2w keys and sees slots i .. w + i.
    const o = softmaxAttend(qb, pairedBlocks(padTime(k)), pairedBlocks(padTime(v)), this.scale, causalAllowed(w, 2 * w, w, w), keyMask);
    return tf.slice(tf.reshape(o, [b, h, C * w, d]), [0, 0, 0, 0], [-1, -1, m, -1]) as tf.Tensor4D;
  }
}

export class SlidingWindowModel extends CausalLM {
  constructor(config: Partial<ModelConfig> = {}) {
    super('SlidingWindow', config, (store, prefix, cfg) => new SlidingWindowAttention(store, prefix, cfg));
  }
}
