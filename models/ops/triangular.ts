/**
 * X = (I + A)^-1 for strictly lower-triangular A (DeltaNet's UT transform, architectures.md
 * section 4), by substitution: exact up to rounding, unlike a Neumann/doubling product in A.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientOnce } from '../kernels/gradients';
import { hasKernel, runKernel, UNIT_LOWER_INVERSE } from '../kernels/names';
import { bmm } from './matmul';

/**
 * UNIT_LOWER_INVERSE's gradient: for X = (I + A)^-1, dX = -X dA X, so dA = -X^T dY X^T, kept on
 * the strictly lower triangle (the only entries of A the kernel reads).
 */
registerGradientOnce({
  kernelName: UNIT_LOWER_INVERSE,
  outputsToSave: [true],
  gradFunc: (dy, [x]) => ({
    a: () => {
      const B = x.shape[x.rank - 1];
      const strict = tf.sub(tf.linalg.bandPart(tf.ones([B, B]), -1, 0), tf.eye(B));
      return tf.mul(tf.neg(bmm(bmm(x, dy as tf.Tensor, true, false), x, false, true)), strict);
    },
  }),
});

/**
 * (I + A)^-1 for every strictly lower-triangular A [..., B, B] (entries on and above the diagonal
 * are ignored): the backend's UNIT_LOWER_INVERSE kernel where it has one, else unitLowerInverseByBlocks.
 */
export function unitLowerInverse<T extends tf.Tensor>(a: T): T {
  if (hasKernel(UNIT_LOWER_INVERSE)) return runKernel(UNIT_LOWER_INVERSE, { a }) as T;
  return unitLowerInverseByBlocks(a);
}

/**
 * Block forward substitution in tf ops. For L = I + A split as [[L11, 0], [L21, L22]],
 * L^-1 = [[L11^-1, 0], [-L22^-1 L21 L11^-1, L22^-1]]: starting from 1 x 1 blocks (whose inverse is
 * 1), each level joins neighbouring diagonal blocks into blocks of twice the size with two batched
 * products, so log2(B) levels of large products replace B sequential row steps. Every product is of
 * true inverse blocks with blocks of A (no power of A is formed), which keeps float32 rounding at the
 * level of row-by-row substitution. B is padded to a power of two (padding is the identity).
 */
export function unitLowerInverseByBlocks<T extends tf.Tensor>(a: T): T {
  return tf.tidy(() => {
    const B = a.shape[a.rank - 1];
    let P = 1;
    while (P < B) P *= 2;
    const strict = tf.mul(tf.reshape(a, [-1, B, B]), tf.sub(tf.linalg.bandPart(tf.ones([B, B]), -1, 0), tf.eye(B)));
    const lower = (
      P > B
        ? tf.pad(strict, [
            [0, 0],
            [0, P - B],
            [0, P - B],
          ])
        : strict
    ) as tf.Tensor3D;
    const N = lower.shape[0];
    // Inverses of the diagonal blocks of size s: [N, P / s, s, s]; at s = 1 all ones.
    let inverses = tf.ones([N, P, 1, 1]) as tf.Tensor4D;
    for (let s = 1; s < P; s *= 2) {
      const G = P / (2 * s);
      // A's blocks below the diagonal blocks of size s: rows [2gs + s, 2gs + 2s), columns [2gs, 2gs + s).
      // The diagonal blocks of size 2s (block (g, g) of the G x G grid), then their lower-left quarter.
      const grid = tf.reshape(tf.transpose(tf.reshape(lower, [N, G, 2 * s, G, 2 * s]), [0, 1, 3, 2, 4]), [
        N,
        G * G,
        2 * s,
        2 * s,
      ]);
      const diagonal = tf.gather(grid, tf.range(0, G * G, G + 1, 'int32'), 1);
      const below = tf.slice(diagonal, [0, 0, s, 0], [-1, -1, s, s]);
      const pairs = tf.reshape(inverses, [N, G, 2, s, s]);
      const upper = tf.reshape(tf.slice(pairs, [0, 0, 0, 0, 0], [-1, -1, 1, -1, -1]), [N, G, s, s]);
      const lowerInverse = tf.reshape(tf.slice(pairs, [0, 0, 1, 0, 0], [-1, -1, 1, -1, -1]), [N, G, s, s]);
      const corner = tf.neg(bmm(bmm(lowerInverse, below), upper));
      const top = tf.concat([upper, tf.zeros([N, G, s, s])], 3);
      const bottom = tf.concat([corner, lowerInverse], 3);
      inverses = tf.concat([top, bottom], 2) as tf.Tensor4D;
    }
    const whole = tf.reshape(inverses, [N, P, P]);
    return tf.reshape(P > B ? tf.slice(whole, [0, 0, 0], [-1, B, B]) : whole, a.shape) as T;
  });
}
