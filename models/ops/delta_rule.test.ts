/** The delta rule's chunkwise (WY/UT) and recurrent forms against the float64 recurrence, after an initial memory. */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { Mat } from './reference/arrays';
import { deltaRuleReference, normalize } from './reference/deltanet';
import { lcg, testsOn, TEST_BACKENDS } from '../testing/harness';
import { CHUNKED_CASES, headsError, opOptions, randomHeads, randomMatrix, readOp } from '../testing/ops';
import { deltaRuleChunkwise, deltaRuleRecurrent } from './delta_rule';

const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((row) => row[j]));

/**
 * Unit q and k (k's entries in [keysFrom, 1) before normalising: from 0, correlated keys), v in
 * [-1, 1), beta in (0, 1) per batch row, head and token; where `writes(b, t)` is false, beta = 0 and
 * k = 0 (as DeltaNet gives a padded token).
 */
function deltaInputs(
  b: number,
  h: number,
  n: number,
  d: number,
  seed: number,
  keysFrom: number,
  writes = (_b: number, _t: number) => true,
) {
  const next = lcg(seed);
  const q = randomHeads(b, h, n, d, next).map((bq) => bq.map((hq) => hq.map(normalize)));
  const k = randomHeads(b, h, n, d, next, keysFrom).map((bk, bi) =>
    bk.map((hk) => hk.map((row, t) => (writes(bi, t) ? normalize(row) : row.map(() => 0)))),
  );
  const v = randomHeads(b, h, n, d, next);
  const beta = Array.from({ length: b }, (_, bi) =>
    Array.from({ length: h }, () => Array.from({ length: n }, (_, t) => (writes(bi, t) ? next() : 0))),
  );
  return { q, k, v, beta, next };
}

const [B, H, D] = [2, 2, 6];

describe.each(TEST_BACKENDS)('the delta rule on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each(CHUNKED_CASES)(
    'n = $n in chunks of $chunk (non-writing tokens: $masked): chunkwise and recurrent from an initial memory equal the reference, final memory too',
    async ({ n, chunk, masked }) => {
      const { q, k, v, beta, next } = deltaInputs(
        B,
        H,
        n,
        D,
        n * 7 + chunk,
        -1,
        (b, t) => !masked || (b === 0 ? t % 5 !== 2 : t >= 3),
      );
      // The ops hold the memory as M = S^T [key][value]; the reference S [value][key].
      const memory = Array.from({ length: B }, () =>
        Array.from({ length: H }, () => randomMatrix(D, D, next, -0.5, 0.5)),
      );
      const expected = q.map((qb, b) =>
        qb.map((qh, h) => deltaRuleReference(qh, k[b][h], v[b][h], beta[b][h], transpose(memory[b][h]))),
      );
      const inputs = [tf.tensor4d(q), tf.tensor4d(k), tf.tensor4d(v), tf.tensor3d(beta), tf.tensor4d(memory)] as const;
      const forms = [
        await readOp(() => deltaRuleChunkwise(...inputs, chunk, opOptions().fillOnHost)),
        await readOp(() => deltaRuleRecurrent(...inputs)),
      ];
      for (const form of forms) {
        expect(
          headsError(
            form.output,
            expected.map((b) => b.map((h) => h.output)),
          ),
        ).toBeLessThan(1e-5);
        expect(
          headsError(
            form.memory,
            expected.map((b) => b.map((h) => transpose(h.state))),
          ),
        ).toBeLessThan(1e-5);
      }
      disposeAll(inputs);
    },
  );

  // In float32 at chunks of 64 with correlated keys, an unstable inverse of (I + A) shows (architectures.md section 4).
  // One head on cpu, whose block substitution is slow (tfjs-cpu's rank-5 transposes), a modest case on webgpu (lavapipe).
  const [heads, n, chunk] = { wasm: [3, 512, 64], cpu: [1, 512, 64], webgpu: [1, 128, 32] }[backend];
  itOn(
    `chunkwise in float32 matches the float64 recurrence at n = ${n} in chunks of ${chunk} (${heads} heads of 16, correlated unit keys, beta in (0, 1)): within 1e-4`,
    async () => {
      const { q, k, v, beta } = deltaInputs(1, heads, n, 16, 5, 0);
      const expected = q[0].map((qh, h) => deltaRuleReference(qh, k[0][h], v[0][h], beta[0][h]).output);
      const inputs = [
        tf.tensor4d(q),
        tf.tensor4d(k),
        tf.tensor4d(v),
        tf.tensor3d(beta),
        tf.zeros([1, heads, 16, 16]) as tf.Tensor4D,
      ] as const;
      const { output } = await readOp(() => deltaRuleChunkwise(...inputs, chunk, opOptions().fillOnHost));
      expect(headsError(output, [expected])).toBeLessThan(1e-4);
      disposeAll(inputs);
    },
  );
});
