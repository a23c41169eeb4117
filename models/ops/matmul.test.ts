/** bmm (the backend's BATCHED_MATMUL kernel where it has one) against tf.matMul, with and without transposes. */
import * as tf from '@tensorflow/tfjs-core';
import { lcg, testsOn, TEST_BACKENDS } from '../testing/harness';
import { itOrSkip } from '../testing/skip';
import { randomTensor, readOp } from '../testing/ops';
import { relativeError } from './reference/arrays';
import { bmm } from './matmul';

const CASES: Array<[string, number[], number[], boolean, boolean]> = [
  ['rank 2', [3, 5], [5, 2], false, false],
  ['rank 3', [5, 7, 3], [5, 3, 4], false, false],
  ['rank 5 (b, h, chunks, B, d)', [2, 3, 4, 8, 5], [2, 3, 4, 5, 8], false, false],
  ['transposed b (q k^T)', [2, 3, 4, 8, 5], [2, 3, 4, 8, 5], false, true],
  ['transposed a (k^T v)', [2, 3, 4, 8, 5], [2, 3, 4, 8, 6], true, false],
  ['both transposed', [3, 4, 6], [3, 5, 4], true, true],
  ['a single row and a single column', [6, 1, 9], [6, 9, 1], false, false],
  ['different batch shapes', [4, 2, 3], [1, 3, 2], false, false],
  ['transposed a over a long contracted axis (in blocks of rows)', [2, 4096, 3], [2, 4096, 5], true, false],
  ['transposed a over rows no block divides (one product)', [1, 4100, 3], [1, 4100, 2], true, false],
];

describe.each(TEST_BACKENDS)('bmm on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each(CASES)('%s: %j x %j (transposed %s, %s) equals tf.matMul', async (_, aShape, bShape, ta, tb) => {
    const next = lcg(aShape.length * 7 + bShape[bShape.length - 1]);
    const [a, b] = [randomTensor(aShape, next), randomTensor(bShape, next)];
    const product = await readOp(() => bmm(a, b, ta, tb));
    const expected = await readOp(() => tf.matMul(a, b, ta, tb));
    const asRows = (x: unknown) => [[x].flat(aShape.length - 1) as number[][]];
    expect(relativeError(asRows(product), asRows(expected))).toBeLessThan(1e-6);
    tf.dispose([a, b]);
  });

  // The slices are cut the same way on every backend (webgpu needs them: tf.matMul fails there, so the
  // products are taken on the host); 65536 products cost seconds per backend, so on cpu only.
  (backend === 'cpu' ? itOn : itOrSkip('65536 products cost seconds per backend: on cpu only'))(
    "a batch past one dispatch's 65535 products (taken in slices): [65536, 1, 2] x [65536, 1, 2]^T equals the products",
    async () => {
      const next = lcg(3);
      const [a, b] = [randomTensor([65536, 1, 2], next), randomTensor([65536, 1, 2], next)];
      const [av, bv] = [await a.array(), await b.array()] as number[][][][];
      const product = (await readOp(() => bmm(a, b, false, true))) as number[][][];
      expect(
        relativeError(
          product,
          av.map((ai, i) => [[ai[0][0] * bv[i][0][0] + ai[0][1] * bv[i][0][1]]]),
        ),
      ).toBeLessThan(1e-6);
      tf.dispose([a, b]);
    },
  );
});
