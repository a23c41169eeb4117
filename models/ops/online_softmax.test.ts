/** Standard/Hopfield's query blocks with the keys in one softmax equal the online softmax over fixed-size key blocks. */
import * as tf from '@tensorflow/tfjs-core';
import { lcg, readAndDispose, TEST_BACKENDS, testsOn } from '../testing/harness';
import { softmaxAttentionBlocked } from './softmax_attention';

function random(shape: number[], seed: number): tf.Tensor4D {
  const next = lcg(seed);
  return tf.tensor4d(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * next() - 1),
    shape as [number, number, number, number],
  );
}

describe.each(TEST_BACKENDS)('online softmax over key blocks on %s', (backend) => {
  const itOn = testsOn(backend);
  itOn.each([
    [1, 3, false],
    [3, 3, false],
    [3, 1, true],
    [2, 5, true],
  ])(
    'updateSteps %i, key blocks of %i, padding %s: equals one softmax per query block',
    async (updateSteps, keyBlock, padded) => {
      const [b, h, n, d] = [2, 2, 11, 4];
      const [q, k, v] = [random([b, h, n, d], 1), random([b, h, n, d], 2), random([b, h, n, d], 3)];
      // Row 0: the first three keys masked (queries 0-2 see none); row 1: holes.
      const valid = padded
        ? tf.tensor2d([
            [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
            [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1],
          ])
        : null;
      const options = { scale: 0.7, updateSteps, fillOnHost: backend !== 'webgpu' };
      const before = tf.memory().numTensors;
      const whole = await readAndDispose<number[][][][]>(softmaxAttentionBlocked(q, k, v, valid, 4, null, options));
      const online = await readAndDispose<number[][][][]>(
        softmaxAttentionBlocked(q, k, v, valid, 4, keyBlock, options),
      );
      expect(tf.memory().numTensors).toBe(before);
      const real = (bi: number, t: number) => !padded || (bi === 0 ? t >= 3 : true);
      let worst = 0;
      whole.forEach((heads, bi) =>
        heads.forEach((rows, hh) =>
          rows.forEach((row, t) =>
            row.forEach((x, i) => {
              expect(Number.isFinite(online[bi][hh][t][i])).toBe(true);
              if (real(bi, t)) worst = Math.max(worst, Math.abs(x - online[bi][hh][t][i]));
            }),
          ),
        ),
      );
      expect(worst).toBeLessThan(1e-5);
      tf.dispose([q, k, v]);
      valid?.dispose();
    },
  );
});
