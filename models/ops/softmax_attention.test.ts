/**
 * Standard and Hopfield attention: the blocked form over several query blocks and the cached form
 * over several cache blocks (the online softmax across them), against the float64 reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { hopfieldReference } from './reference/hopfield';
import { liveTensors, maskWhere, testsOn, TEST_BACKENDS } from '../testing/harness';
import { Heads, headsError, joinSteps, opOptions, randomQKV, readOp, stepSpans } from '../testing/ops';
import { appendToBlocks, softmaxAttentionBlocked, softmaxAttentionCached } from './softmax_attention';

const [B, H, D] = [2, 2, 4];

const VARIANTS = [
  { name: 'Standard', updateSteps: 1, scale: 1 / Math.sqrt(D) },
  { name: 'Hopfield', updateSteps: 3, scale: 1 / (0.5 * Math.sqrt(D)) },
];

describe.each(TEST_BACKENDS)('softmax attention on %s', (backend) => {
  const itOn = testsOn(backend);

  describe.each(VARIANTS)('$name (updateSteps $updateSteps)', ({ updateSteps, scale }) => {
    const reference = ([q, k, v]: Heads[], valid: number[][]) =>
      q.map((qb, b) => qb.map((qh, h) => hopfieldReference(qh, k[b][h], v[b][h], valid[b], scale, updateSteps)));
    const options = () => ({ scale, updateSteps, fillOnHost: opOptions().fillOnHost });

    // keyBlock null: each query block's keys in one softmax; else online over key blocks of that size.
    itOn.each([
      { n: 23, queryBlock: 8, keyBlock: null, masked: true },
      { n: 23, queryBlock: 8, keyBlock: 5, masked: true },
      { n: 23, queryBlock: 32, keyBlock: null, masked: false },
      { n: 23, queryBlock: 32, keyBlock: 7, masked: false },
    ])(
      'blocked: n = $n in query blocks of $queryBlock, key blocks of $keyBlock (mask: $masked) equals the reference',
      async ({ n, queryBlock, keyBlock, masked }) => {
        const qkv = randomQKV(B, H, n, D, queryBlock + (keyBlock ?? 0));
        // Row 0 has a masked prefix (queries there see no key at all and get 0), row 1 holes.
        const valid = maskWhere(B, n, (b, t) => masked && (b === 0 ? t < 3 || t === 10 : t % 4 === 1));
        const [q, k, v] = qkv.map((x) => tf.tensor4d(x));
        const validTensor = masked ? tf.tensor2d(valid) : null;
        const output = await readOp(() =>
          softmaxAttentionBlocked(q, k, v, validTensor, queryBlock, keyBlock, options()),
        );
        expect(headsError(output, reference(qkv, valid))).toBeLessThan(1e-5);
        disposeAll([q, k, v, validTensor]);
      },
    );

    itOn.each([
      { n: 23, steps: [7, 1, 1, 9, 5], cacheBlock: 5 },
      { n: 9, steps: [1], cacheBlock: 4 },
    ])(
      'cached: n = $n in steps of $steps over cache blocks of $cacheBlock equals the reference',
      async ({ n, steps, cacheBlock }) => {
        const qkv = randomQKV(B, H, n, D, cacheBlock);
        const [q, k, v] = qkv.map((x) => tf.tensor4d(x));
        const before = liveTensors();
        const keys: tf.Tensor4D[] = [];
        const values: tf.Tensor4D[] = [];
        const parts: Heads[] = [];
        for (const [start, end] of stepSpans(n, steps)) {
          const [qs, ks, vs] = [q, k, v].map((x) => tf.slice(x, [0, 0, start, 0], [-1, -1, end - start, -1]));
          appendToBlocks(keys, ks, cacheBlock);
          appendToBlocks(values, vs, cacheBlock);
          parts.push(await readOp(() => softmaxAttentionCached(qs, keys, values, start, options())));
          tf.dispose([qs, ks, vs]);
        }
        const blocks = Array.from({ length: Math.ceil(n / cacheBlock) }, (_, i) =>
          Math.min(cacheBlock, n - i * cacheBlock),
        );
        expect([keys, values].map((cache) => cache.map((block) => block.shape[2]))).toEqual([blocks, blocks]);
        expect(
          headsError(
            joinSteps(parts),
            reference(
              qkv,
              maskWhere(B, n, () => false),
            ),
          ),
        ).toBeLessThan(1e-5);
        disposeAll([...keys, ...values]);
        expect(liveTensors()).toBe(before);
        disposeAll([q, k, v]);
      },
    );
  });
});
