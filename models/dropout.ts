/**
 * Seeded dropout (docs/architectures.md, "Training"). Each element's keep/drop draw is a hash of
 * (seed, site, sequence, position, feature), so the same seed gives the same masks on every backend,
 * however a backend cuts the work into groups of tokens, and a layer recomputed in the backward draws
 * the same mask again. A backend with a DROPOUT kernel hashes on the device; elsewhere the mask is
 * computed on the host (dropoutMask, the kernel's contract) and uploaded. TensorFlow.js's own dropout
 * draws from an unseeded generator on the GPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from './kernels/gradients';
import { DROPOUT, DropoutAttrs, hasKernel, runKernel } from './kernels/names';

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

/**
 * The mask the DROPOUT contract describes (models/kernels/names.ts) for x [b, L, F], on the host:
 * 0 where dropped, attrs.keep where kept, row-major [b, L, F].
 */
export function dropoutMask(
  { siteKey, start, threshold, keep }: DropoutAttrs,
  b: number,
  L: number,
  F: number,
): Float32Array {
  const values = new Float32Array(b * L * F);
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

/** x [b, L, F] times its mask drawn on the host (what DROPOUT kernels must equal). */
export function dropoutComposite<T extends tf.Tensor>(x: T, attrs: DropoutAttrs): T {
  const [b, L, F] = x.shape;
  return tf.tidy(() => tf.mul(x, tf.tensor(dropoutMask(attrs, b, L, F), x.shape, 'float32')) as T);
}

/**
 * The draws' threshold: a u32 hash h is dropped where h < rate * 2^32 (its fraction of 2^32 below
 * the rate), i.e. where h < ceil(rate * 2^32), an integer comparison.
 */
export function dropoutThreshold(rate: number): number {
  return Math.ceil(rate * 4294967296);
}

// d(x * mask)/dx = mask: dy through the same kernel, with the same attributes.
registerGradientOnce({
  kernelName: DROPOUT,
  gradFunc: (dy, _saved, attrs) => ({
    x: () => runKernel(DROPOUT, { x: dy as tf.Tensor }, attrs as unknown as DropoutAttrs),
  }),
});

/** Dropout at a rate, with one seed for a whole forward; null when inactive. */
export class Dropout {
  private constructor(
    readonly rate: number,
    private readonly seed: number,
  ) {}

  /** The dropout of a forward with these options, or null when it is inactive (not training, or rate 0). */
  static of(rate: number, options: ForwardOptions | undefined): Dropout | null {
    if (!options?.training || rate === 0) return null;
    const seed = options.dropoutSeed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`dropoutSeed must be an integer (got ${seed})`);
    return new Dropout(rate, seed);
  }

  /** The DROPOUT attributes of `site`'s mask for rows at positions start ... */
  attrs(site: string, start: number): DropoutAttrs {
    return {
      siteKey: mix(hashName(site) ^ mix(this.seed)),
      start,
      threshold: dropoutThreshold(this.rate),
      keep: 1 / (1 - this.rate),
    };
  }

  /** The mask of `site` for x [b, L, F] at positions start .. start+L-1, on the host (dropoutMask). */
  maskValues(site: string, b: number, L: number, F: number, start: number): Float32Array {
    return dropoutMask(this.attrs(site, start), b, L, F);
  }

  /** x [b, L, F] (positions start ..) with the site's mask applied: on the device where the backend has a DROPOUT kernel. */
  apply<T extends tf.Tensor>(x: T, site: string, start: number): T {
    const attrs = this.attrs(site, start);
    if (hasKernel(DROPOUT)) return runKernel(DROPOUT, { x }, attrs) as T;
    return dropoutComposite(x, attrs);
  }
}
