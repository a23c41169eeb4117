/**
 * Seeded dropout (docs/architectures.md, "Training"). Each element's keep/drop draw is a hash of
 * (seed, site, sequence, position, feature), computed on the host and uploaded, so the same seed gives
 * the same masks on every backend, however a backend cuts the work into groups of tokens, and a
 * layer recomputed in the backward draws the same mask again. TensorFlow.js's own dropout draws from
 * an unseeded generator on the GPU.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How forward() runs: dropout is active only when training. */
export interface ForwardOptions {
  /** Apply dropout (config.dropout) as in training; default false. */
  training?: boolean;
  /** The dropout masks' seed: the same seed gives the same masks on every backend; default 0. */
  dropoutSeed?: number;
}

/** lowbias32 (a 32-bit integer hash with low bias): one well-mixed word from another. */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of a site's name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Dropout at a rate, with one seed for a whole forward; null when inactive. */
export class Dropout {
  private constructor(readonly rate: number, private readonly seed: number) {}

  /** The dropout of a forward with these options, or null when it is inactive (not training, or rate 0). */
  static of(rate: number, options: ForwardOptions | undefined): Dropout | null {
    if (!options?.training || rate === 0) return null;
    const seed = options.dropoutSeed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`dropoutSeed must be an integer (got ${seed})`);
    return new Dropout(rate, seed);
  }

  /**
   * The mask of `site` for x [b, L, F] at positions start .. start+L-1: 0 where dropped, 1 / (1 - rate)
   * where kept, as float32 [b, L, F].
   */
  mask(site: string, shape: readonly number[], start: number): tf.Tensor {
    const [b, L, F] = shape;
    return tf.tensor(this.maskValues(site, b, L, F, start), [b, L, F], 'float32');
  }

  /** mask()'s values, row-major [b, L, F], on the host. */
  maskValues(site: string, b: number, L: number, F: number, start: number): Float32Array {
    const values = new Float32Array(b * L * F);
    const keep = 1 / (1 - this.rate);
    // Dropped where the hash, as a fraction of 2^32, is below the rate.
    const threshold = this.rate * 4294967296;
    const siteKey = mix(hashName(site) ^ mix(this.seed));
    for (let s = 0; s < b; s++) {
      const sequenceKey = mix(siteKey ^ s);
      for (let t = 0; t < L; t++) {
        const rowKey = mix(sequenceKey ^ mix(start + t));
        const row = (s * L + t) * F;
        for (let i = 0; i < F; i++) values[row + i] = mix(rowKey ^ i) < threshold ? 0 : keep;
      }
    }
    return values;
  }

  /** x [b, L, F] (positions start ..) with the site's mask applied. */
  apply<T extends tf.Tensor>(x: T, site: string, start: number): T {
    return tf.tidy(() => tf.mul(x, this.mask(site, x.shape, start)) as T);
  }
}
