/** Sliding-window attention over whole sequences and from a rolling cache of P <= w earlier keys, against the float64 reference. */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { slidingWindowReference } from './reference/sliding_window';
import { liveTensors, maskWhere, testsOn, TEST_BACKENDS } from '../testing/harness';
import { Heads, headsError, joinSteps, opOptions, randomQKV, readOp, stepSpans } from '../testing/ops';
import { slidingWindowAttention } from './band_attention';

const [B, H, D] = [2, 2, 4];
const SCALE = 1 / Math.sqrt(D);

describe.each(TEST_BACKENDS)('sliding-window attention on %s', (backend) => {
  const itOn = testsOn(backend);
  const reference = ([q, k, v]: Heads[], valid: number[][], w: number) =>
    q.map((qb, b) => qb.map((qh, h) => slidingWindowReference(qh, k[b][h], v[b][h], valid[b], SCALE, w)));

  itOn.each([
    { n: 17, w: 3, masked: true },
    { n: 13, w: 3, masked: false },
    { n: 4, w: 5, masked: true },
    { n: 9, w: 1, masked: false },
  ])('a whole sequence: n = $n, w = $w (mask: $masked) equals the reference', async ({ n, w, masked }) => {
    const qkv = randomQKV(B, H, n, D, n + w);
    // Row 0: a masked prefix longer than the window (no key in view at first), row 1: holes.
    const valid = maskWhere(B, n, (b, t) => masked && (b === 0 ? t < w + 1 || t === 10 : t % 3 === 1));
    const [q, k, v] = qkv.map((x) => tf.tensor4d(x));
    const validTensor = masked ? tf.tensor2d(valid) : null;
    const output = await readOp(() => slidingWindowAttention(q, k, v, validTensor, w, SCALE, opOptions().fillOnHost));
    expect(headsError(output, reference(qkv, valid, w))).toBeLessThan(1e-5);
    disposeAll([q, k, v, validTensor]);
  });

  itOn.each([
    { n: 18, w: 3, steps: [1, 1, 5, 2, 1, 8] },
    { n: 7, w: 2, steps: [1] },
  ])(
    'steps of $steps over a rolling cache of the last w = $w keys: n = $n equals the reference',
    async ({ n, w, steps }) => {
      const qkv = randomQKV(B, H, n, D, n * w);
      const [q, k, v] = qkv.map((x) => tf.tensor4d(x));
      const before = liveTensors();
      let cache: tf.Tensor4D[] = [];
      const parts: Heads[] = [];
      for (const [start, end] of stepSpans(n, steps)) {
        const [qs, ks, vs] = [q, k, v].map((x) => tf.slice(x, [0, 0, start, 0], [-1, -1, end - start, -1]));
        const [keys, values] = cache.length ? [tf.concat([cache[0], ks], 2), tf.concat([cache[1], vs], 2)] : [ks, vs];
        expect(keys.shape[2] - (end - start)).toBe(Math.min(w, start));
        parts.push(
          await readOp(() => slidingWindowAttention(qs, keys, values, null, w, SCALE, opOptions().fillOnHost)),
        );
        const kept = Math.min(w, end);
        disposeAll(cache);
        cache = [keys, values].map((x) => tf.slice(x, [0, 0, x.shape[2] - kept, 0], [-1, -1, kept, -1]));
        disposeAll([qs, ks, vs, keys, values]);
      }
      expect(
        headsError(
          joinSteps(parts),
          reference(
            qkv,
            maskWhere(B, n, () => false),
            w,
          ),
        ),
      ).toBeLessThan(1e-5);
      disposeAll(cache);
      expect(liveTensors()).toBe(before);
      disposeAll([q, k, v]);
    },
  );
});
