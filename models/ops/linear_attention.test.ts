/** Linear attention's chunkwise and recurrent forms against the float64 reference, after an initial [S | z]. */
import * as tf from '@tensorflow/tfjs-core';
import { disposeAll } from './state_tensors';
import { LinearSums, linearReference, phi } from './reference/linear';
import { lcg, maskWhere, testsOn, TEST_BACKENDS } from '../testing/harness';
import { CHUNKED_CASES, headsError, opOptions, randomHeads, randomMatrix, readOp } from '../testing/ops';
import { linearAttentionChunkwise, linearAttentionRecurrent } from './linear_attention';

const [B, H, D] = [2, 2, 5];

/** [S | z] as the ops hold it: row a is S's row a followed by z_a. */
const widened = ({ S, z }: LinearSums) => S.map((row, a) => [...row, z[a]]);

describe.each(TEST_BACKENDS)('linear attention on %s', (backend) => {
  const itOn = testsOn(backend);

  itOn.each(CHUNKED_CASES)(
    'n = $n in chunks of $chunk (mask: $masked): chunkwise and recurrent, from an initial [S | z] and from none, equal the reference, the final [S | z] too',
    async ({ n, chunk, masked }) => {
      const next = lcg(n * 31 + chunk);
      const [q, k] = [0, 1].map(() => randomHeads(B, H, n, D, next, -2, 2).map((b) => b.map((h) => h.map(phi))));
      const v = randomHeads(B, H, n, D, next);
      const valid = maskWhere(B, n, (b, t) => masked && (b === 0 ? t % 4 === 1 : t < 6));
      // An initial state as earlier tokens leave it: S any sign, z positive.
      const given = Array.from({ length: B }, () =>
        Array.from({ length: H }, () => ({ S: randomMatrix(D, D, next), z: randomMatrix(1, D, next, 1, 4)[0] })),
      );
      const inputs = [tf.tensor4d(q), tf.tensor4d(k), tf.tensor4d(v)] as const;
      const validTensor = masked ? tf.tensor2d(valid) : null;
      for (const initial of [given, null]) {
        const expected = q.map((qb, b) =>
          qb.map((qh, h) => linearReference(qh, k[b][h], v[b][h], valid[b], initial?.[b][h])),
        );
        const initialTensor = initial ? tf.tensor4d(initial.map((b) => b.map(widened))) : null;
        const forms = [
          await readOp(() => linearAttentionChunkwise(...inputs, validTensor, initialTensor, chunk, opOptions())),
          await readOp(() => linearAttentionRecurrent(...inputs, validTensor, initialTensor)),
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
              form.state,
              expected.map((b) => b.map((h) => widened(h.sums))),
            ),
          ).toBeLessThan(1e-5);
        }
        initialTensor?.dispose();
      }
      disposeAll([...inputs, validTensor]);
    },
  );
});
