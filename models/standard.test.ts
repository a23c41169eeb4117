import { KVCacheState } from './standard';
import { forwardArray, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { naiveModelForward, relativeError } from './ops/reference/arrays';
import { naiveStandard } from './ops/reference/standard';

useDefaultBackend();

describe('Standard efficient form equals the naive formula', () => {
  it.each([1, 5, 13])('n=%i', async (n) => {
    await withModel('Standard', TINY, async (model) => {
      const ids = randomIds(2, n, 50, n);
      expect(
        relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveStandard)),
      ).toBeLessThan(1e-4);
    });
  });

  it('with a padding mask', async () => {
    await withModel('Standard', TINY, async (model) => {
      const ids = randomIds(2, 11, 50, 3);
      const mask = maskWhere(2, 11, (b, t) => (b === 0 ? t < 3 : t % 3 === 0));
      const err = relativeError(
        await forwardArray(model, ids, mask),
        await naiveModelForward(model, ids, mask, naiveStandard),
        (b, t) => mask[b][t] === 1,
      );
      expect(err).toBeLessThan(1e-4);
    });
  });

  it('across query blocks (n beyond one block of queries)', async () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8 };
    await withModel('Standard', config, async (model) => {
      const n = model.plan.queryBlock + 3;
      const ids = randomIds(1, n, 50, 11);
      expect(
        relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveStandard)),
      ).toBeLessThan(1e-4);
    });
  });
});

describe('Standard decode across cache blocks', () => {
  it('steps past model.plan.cacheBlock tokens reproduce forward (the online softmax over blocks)', async () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8 };
    await withModel('Standard', config, async (model) => {
      const n = model.plan.cacheBlock + 60;
      const ids = randomIds(1, n, 50, 12);
      const expected = await forwardArray(model, ids);
      const state = model.initState(1);
      const parts: number[][][][] = [];
      for (const [start, end] of [
        [0, 700],
        [700, model.plan.cacheBlock + 10],
        [model.plan.cacheBlock + 10, model.plan.cacheBlock + 11],
        [model.plan.cacheBlock + 11, n],
      ]) {
        const { hidden } = model.step(
          state,
          ids.map((row) => row.slice(start, end)),
        );
        parts.push((await hidden.array()) as number[][][]);
        hidden.dispose();
      }
      for (const layer of state.layers as KVCacheState[])
        expect(layer.keys.map((block) => block.shape[2])).toEqual([model.plan.cacheBlock, 60]);
      model.disposeState(state);
      expect(relativeError([parts.flatMap((part) => part[0])], expected)).toBeLessThan(1e-4);
    });
  });
});
