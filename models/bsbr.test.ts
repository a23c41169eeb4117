import * as tf from '@tensorflow/tfjs-core';
import { BSBRModel } from './bsbr';
import { naiveBSBR } from './ops/reference/bsbr';
import { naiveError } from './testing/agreement';
import { maskWhere, randomIds, readAndDispose, TINY, useDefaultBackend, withModel } from './testing/harness';

useDefaultBackend();

describe('BSBR across groups of chunks', () => {
  it('equals the float64 reference when the sequence spans several groups of chunks (and of rows in the skeleton)', async () => {
    const config = { ...TINY, hiddenDim: 8, numHeads: 2, numLayers: 1, ffDim: 8, compressionFactor: 2 };
    await withModel('BSBR', config, async (model) => {
      const n = model.plan.groupRows / 2 + 104; // batch 2: two groups, the second partial
      const ids = randomIds(2, n, 50, 5);
      const mask = maskWhere(2, n, (b, t) => b === 1 && t % 7 === 3);
      expect(await naiveError(model, ids, mask, naiveBSBR)).toBeLessThan(1e-4);
    });
  });
});

describe('BSBR as the package README shows it', () => {
  it('new BSBRModel({...}).forward(inputIds, attentionMask) on [2, 256] gives [2, 256, 512]', async () => {
    const model = new BSBRModel({
      vocabSize: 10000,
      hiddenDim: 512,
      numLayers: 4,
      numHeads: 8,
      chunkSize: 128,
      ffDim: 2048,
      dropout: 0.1,
      compressionFactor: 4,
    });
    const inputIds = tf.randomUniform([2, 256], 0, 10000, 'int32') as tf.Tensor2D;
    const attentionMask = tf.ones([2, 256]) as tf.Tensor2D;
    const out = model.forward(inputIds, attentionMask);
    expect(out.shape).toEqual([2, 256, 512]);
    expect((await readAndDispose<number[][][]>(out)).flat(2).every(Number.isFinite)).toBe(true);
    tf.dispose([inputIds, attentionMask]);
    model.dispose();
  });
});

describe('BSBR with a chunk longer than the input', () => {
  it("computes on the tokens there are: the memory of chunk 1024 at n = 12 is that of chunk 12, the output the reference's", async () => {
    const config = { ...TINY, numLayers: 1, compressionFactor: 2 };
    const ids = randomIds(2, 12, 50, 3);
    const peak = (chunkSize: number) =>
      withModel(
        'BSBR',
        { ...config, chunkSize },
        async (model) => (await tf.profile(() => model.forward(ids).dispose())).peakBytes,
      );
    expect(await peak(1024)).toBe(await peak(12));
    await withModel('BSBR', { ...config, chunkSize: 1024 }, async (model) =>
      expect(await naiveError(model, ids, null, naiveBSBR)).toBeLessThan(1e-4),
    );
  });
});
