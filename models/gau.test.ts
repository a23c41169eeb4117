import * as tf from '@tensorflow/tfjs-core';
import { naiveGAU } from './ops/reference/gau';
import { naiveError } from './testing/agreement';
import { maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

describe('GAU against the float64 reference', () => {
  it('with expansion factor 3', async () => {
    await withModel('GAU', { ...TINY, expansionFactor: 3 }, async (model) => {
      expect(await naiveError(model, randomIds(2, 11, 50, 5), null, naiveGAU)).toBeLessThan(1e-4);
    });
  });

  it('carries the state sum and count across groups of chunks (n = 150: 38 chunks of 4, more than one group; holes at group boundaries)', async () => {
    await withModel('GAU', { ...TINY, numLayers: 1 }, async (model) => {
      const n = 150;
      expect(model.plan.gauChunksPerGroup * 4).toBeLessThan(n);
      const ids = randomIds(2, n, 50, 8);
      const mask = maskWhere(
        2,
        n,
        (b, t) => (b === 0 && t >= 60 && t < 70) || (b === 1 && (t % 5 === 2 || (t >= 124 && t < 132))),
      );
      expect(await naiveError(model, ids, mask, naiveGAU)).toBeLessThan(1e-4);
    });
  });
});

describe('GAU with a chunk longer than the input', () => {
  it("computes on the tokens there are: the memory of chunk 1024 at n = 12 is that of chunk 12, the output the reference's", async () => {
    const ids = randomIds(2, 12, 50, 3);
    const peak = (chunkSize: number) =>
      withModel(
        'GAU',
        { ...TINY, numLayers: 1, chunkSize },
        async (model) => (await tf.profile(() => model.forward(ids).dispose())).peakBytes,
      );
    expect(await peak(1024)).toBe(await peak(12));
    await withModel('GAU', { ...TINY, numLayers: 1, chunkSize: 1024 }, async (model) =>
      expect(await naiveError(model, ids, null, naiveGAU)).toBeLessThan(1e-4),
    );
  });
});
