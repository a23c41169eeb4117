/** GAU's attention: the chunkwise form after a carried sum and count, and the streaming step from the same, against the float64 reference. */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { Mat, relativeError } from './reference/arrays';
import { GAUSums, gauReference } from './reference/gau';
import { lcg, liveTensors, maskWhere, readAndDispose, testsOn, TEST_BACKENDS } from '../testing/harness';
import { CHUNKED_CASES, opOptions, randomMatrix, readOp, stepSpans } from '../testing/ops';
import { gauAttentionChunkwise, gauAttentionStep, gauCloseChunk, gauInitialState } from './gau_attention';
import { stepThroughChunks } from './scan';

const [B, E] = [2, 6];

/** q, k, v [b][n][E] and, per batch row, a sum of k v^T over `counts[b]` earlier tokens. */
function gauInputs(n: number, counts: number[], seed: number) {
  const next = lcg(seed);
  const [q, k, v] = [0, 1, 2].map(() => Array.from({ length: B }, () => randomMatrix(n, E, next)));
  const carry: GAUSums[] = counts.map((count) => ({ sum: randomMatrix(E, E, next, -count, count), count }));
  return { q, k, v, carry };
}

describe.each(TEST_BACKENDS)('GAU attention on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each(CHUNKED_CASES)(
    'chunkwise: n = $n in chunks of $chunk (mask: $masked) after a carried sum and count, and after none, equals the reference, the carry after too',
    async ({ n, chunk, masked }) => {
      // A different count per batch row; row 0 has a fully masked first chunk, row 1 holes and a masked tail.
      const { q, k, v, carry: given } = gauInputs(n, [5, 12], n);
      const valid = maskWhere(B, n, (b, t) => masked && (b === 0 ? t < chunk : t % 5 === 2 || t >= n - 3));
      const [qt, kt, vt] = [q, k, v].map((x) => tf.tensor3d(x));
      const validTensor = masked ? tf.tensor2d(valid) : null;
      const options = { chunkSize: chunk, ...opOptions() };
      for (const carry of [given, null]) {
        const expected = q.map((qb, b) => gauReference(qb, k[b], v[b], valid[b], chunk, carry?.[b]));
        // As GAUAttention.forward starts: no sum, count 0.
        const carried = carry
          ? { sum: tf.tensor3d(carry.map((c) => [c.sum.flat()])), count: tf.tensor2d(carry.map((c) => [c.count])) }
          : { sum: null, count: 0 };
        const result = await readOp(() => gauAttentionChunkwise(qt, kt, vt, validTensor, carried, options));
        expect(
          relativeError(
            result.output,
            expected.map((e) => e.output),
          ),
        ).toBeLessThan(1e-5);
        expect(
          relativeError(
            result.carry.sum as number[][][],
            expected.map((e) => [e.carry.sum.flat()]),
          ),
        ).toBeLessThan(1e-5);
        // [b or 1, 1]: one count for all rows where nothing tells them apart.
        const counts = result.carry.count as number[][];
        expect(expected.map((_, b) => counts[Math.min(b, counts.length - 1)][0])).toEqual(
          expected.map((e) => e.carry.count),
        );
        if (carry) tf.dispose([carried.sum!, carried.count as tf.Tensor]);
      }
      disposeAll([qt, kt, vt, validTensor]);
    },
  );

  itOn.each([
    { n: 19, chunk: 4, steps: [1] },
    { n: 19, chunk: 4, steps: [3, 2, 6] },
    { n: 10, chunk: 3, steps: [10] },
  ])(
    'steps of $steps: n = $n in chunks of $chunk after a carried sum equal the reference, the sum over completed chunks too',
    async ({ n, chunk, steps }) => {
      const { q, k, v, carry } = gauInputs(n, [8, 8], n + chunk);
      const valid = maskWhere(B, n, () => false);
      const expected = q.map((qb, b) => gauReference(qb, k[b], v[b], valid[b], chunk, carry[b]));
      const completed = n - (n % chunk);
      const [qt, kt, vt] = [q, k, v].map((x) => tf.tensor3d(x));
      const before = liveTensors();
      const state = gauInitialState();
      state.pastSum = tf.keep(tf.tensor3d(carry.map((c) => c.sum)));
      state.pastCount = 8;
      const parts: Mat[][] = [];
      const tokens = (x: tf.Tensor3D, start: number, length: number) => tf.slice(x, [0, start, 0], [-1, length, -1]);
      for (const [start, end] of stepSpans(n, steps)) {
        const [qs, ks, vs] = [qt, kt, vt].map((x) => tokens(x, start, end - start));
        // As GAUAttention.step: the step's tokens split where a chunk fills.
        const outputs = stepThroughChunks(
          qs,
          chunk,
          state,
          (piece, at) =>
            gauAttentionStep(
              state,
              piece as tf.Tensor3D,
              tokens(ks, at, piece.shape[1]!),
              tokens(vs, at, piece.shape[1]!),
              opOptions().fillOnHost,
            ),
          () => gauCloseChunk(state),
        );
        for (const o of outputs) parts.push(await readAndDispose(o));
        disposeAll([qs, ks, vs]);
      }
      const stepped = expected.map((_, b) => parts.flatMap((part) => part[b]));
      expect(
        relativeError(
          stepped,
          expected.map((e) => e.output),
        ),
      ).toBeLessThan(1e-5);
      const sums = q.map(
        (qb, b) =>
          gauReference(qb.slice(0, completed), k[b].slice(0, completed), v[b], valid[b], chunk, carry[b]).carry,
      );
      expect(
        relativeError(
          await readAndDispose(state.pastSum!),
          sums.map((s) => s.sum),
        ),
      ).toBeLessThan(1e-5);
      expect([state.pastCount, state.filled]).toEqual([sums[0].count, n - completed]);
      disposeAll([state.chunkKeys, state.chunkValues]);
      expect(liveTensors()).toBe(before);
      disposeAll([qt, kt, vt]);
    },
  );
});
