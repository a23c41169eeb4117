/** Exclusive prefix sums over chunks (by 'matmul' and by 'cumsum', with and without a carry) and exclusive prefix maxima, against loops. */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { lcg, testsOn, TEST_BACKENDS } from '../testing/harness';
import { readOp } from '../testing/ops';
import { exclusivePrefixMax, exclusivePrefixSum } from './prefix';

/** Small integers, whose float32 sums are exact in any order (so both methods must agree bit for bit). */
const integers = (shape: number[], next: () => number, lo: number, hi: number): number[][][] =>
  Array.from({ length: shape[0] }, () =>
    Array.from({ length: shape[1] }, () => Array.from({ length: shape[2] }, () => lo + Math.floor((hi - lo) * next()))),
  );

describe.each(TEST_BACKENDS)('prefix scans on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each([
    [1, false],
    [1, true],
    [5, false],
    [7, true],
  ] as Array<[number, boolean]>)(
    "exclusivePrefixSum of %i chunks (carry: %s): matmul and cumsum identical, and the loop's sums",
    async (G, withCarry) => {
      const next = lcg(G * 2 + Number(withCarry));
      const x = integers([2, G, 3], next, -9, 10);
      const carry = withCarry ? integers([2, 1, 3], next, -50, 50) : null;
      const expected = x.map((rows, b) =>
        rows.map((_, c) =>
          rows.slice(0, c).reduce((sum, row) => sum.map((s, f) => s + row[f]), carry ? carry[b][0] : [0, 0, 0]),
        ),
      );
      const [xt, carryTensor] = [tf.tensor3d(x), carry ? tf.tensor3d(carry) : null];
      const byMatmul = await readOp(() => exclusivePrefixSum(xt, carryTensor, 'matmul'));
      expect(await readOp(() => exclusivePrefixSum(xt, carryTensor, 'cumsum'))).toEqual(byMatmul);
      expect(byMatmul).toEqual(expected);
      disposeAll([xt, carryTensor]);
    },
  );

  itOn.each([1, 2, 5, 8, 13])(
    'exclusivePrefixMax over %i columns equals the loop max(-1, max_{j<c} x_j)',
    async (C) => {
      const next = lcg(C);
      const x = Array.from({ length: 3 }, () => Array.from({ length: C }, () => Math.floor(21 * next()) - 1));
      const input = tf.tensor2d(x, [3, C], 'int32');
      const expected = x.map((row) => row.map((_, c) => Math.max(-1, ...row.slice(0, c))));
      expect(await readOp(() => exclusivePrefixMax(input))).toEqual(expected);
      input.dispose();
    },
  );
});
