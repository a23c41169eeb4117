/**
 * (I + A)^-1 for strictly lower-triangular A: unitLowerInverse (the backend's kernel where it has
 * one) and unitLowerInverseByBlocks (block forward substitution) at float32 accuracy, where a
 * Neumann/doubling product is not (architectures.md section 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Mat } from './reference/arrays';
import { normalize } from './reference/deltanet';
import { lcg, testsOn, TEST_BACKENDS } from '../testing/harness';
import { randomMatrix, readOp } from '../testing/ops';
import { unitLowerInverse, unitLowerInverseByBlocks } from './triangular';

/** max |(I + A) X - I| in float64, A's strictly lower part only. */
function residual(a: Mat[], x: Mat[]): number {
  let worst = 0;
  a.forEach((am, n) =>
    am.forEach((row, i) =>
      row.forEach((_, j) => {
        let sum = x[n][i][j];
        for (let l = 0; l < i; l++) sum += am[i][l] * x[n][l][j];
        worst = Math.max(worst, Math.abs(sum - (i === j ? 1 : 0)));
      }),
    ),
  );
  return worst;
}

/**
 * DeltaNet's A = tril(diag(beta) K K^T, -1) for unit keys K [B][16] and beta in (0, 1), `count` of
 * them. The keys have positive entries, so they are correlated (as trained keys often are): for
 * these a Neumann/doubling product in float32 leaves |(I + A) X - I| above 1 at B = 64.
 */
function deltaNetMatrices(count: number, B: number, seed: number): Mat[] {
  const next = lcg(seed);
  return Array.from({ length: count }, () => {
    const keys = randomMatrix(B, 16, next, 0, 1).map(normalize);
    const beta = keys.map(() => next());
    return keys.map((ki, i) =>
      keys.map((kj, j) => (j < i ? beta[i] * ki.reduce((acc, x, c) => acc + x * kj[c], 0) : 0)),
    );
  });
}

const INVERSES = [
  ['unitLowerInverse', unitLowerInverse],
  ['unitLowerInverseByBlocks', unitLowerInverseByBlocks],
] as const;

describe.each(TEST_BACKENDS)('the unit lower inverse on %s', (backend) => {
  const itOn = testsOn(backend);

  // 64: DeltaNet's chunk; 128: another level of wasm's blocked halves; 100: halves of uneven sizes (25 rows into 13 and 12).
  const sized = INVERSES.flatMap(([name, inverse]) => [64, 128, 100].map((B) => [name, inverse, B] as const));
  itOn.each(sized)(
    '%s inverts I + tril(diag(beta) K K^T, -1) at B = %i to float32 accuracy: |(I + A) X - I| < 1e-5',
    async (_, inverse, B) => {
      const a = deltaNetMatrices(3, B, 9);
      const input = tf.tensor3d(a);
      expect(residual(a, await readOp(() => inverse(input)))).toBeLessThan(1e-5);
      input.dispose();
    },
  );

  // B = 1, and sizes that are not powers of two (padded to one by the blocks), under leading axes.
  itOn.each([
    [[2], 1],
    [[2], 7],
    [[2, 2], 12],
  ] as Array<[number[], number]>)(
    'lead %j, B = %i: both forms invert, ignoring entries on and above the diagonal',
    async (lead, B) => {
      const next = lcg(B);
      const count = lead.reduce((x, y) => x * y, 1);
      const full = Array.from({ length: count }, () => randomMatrix(B, B, next, -0.3, 0.3));
      const strict = full.map((m) => m.map((row, i) => row.map((x, j) => (j < i ? x : 0))));
      const [fullInput, strictInput] = [full, strict].map((m) => tf.reshape(tf.tensor3d(m), [...lead, B, B]));
      for (const [, inverse] of INVERSES) {
        const invert = async (input: tf.Tensor) =>
          ((await readOp(() => inverse(input))) as unknown[]).flat(lead.length - 1) as Mat[];
        const fromFull = await invert(fullInput);
        expect(await invert(strictInput)).toEqual(fromFull);
        expect(residual(strict, fromFull)).toBeLessThan(1e-5);
      }
      tf.dispose([fullInput, strictInput]);
    },
  );
});
