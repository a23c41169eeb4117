import { CACHE_BLOCK, KVCacheState, QUERY_BLOCK } from './standard';
import { forwardArray, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { naiveModelForward, naiveStandard, relativeError } from './testing/naive';

useDefaultBackend();

describe('Standard efficient form equals the naive formula', () => {
  it.each([1, 5, 13])('n=%i', (n) => {
    withModel('Standard', TINY, (model) => {
      const ids = randomIds(2, n, 50, n);
      expect(relativeError(forwardArray(model, ids), naiveModelForward(model, ids, null, naiveStandard))).toBeLessThan(1e-4);
    });
  });

  it('with a padding mask', () => {
    withModel('Standard', TINY, (model) => {
      const ids = randomIds(2, 11, 50, 3);
      const mask = maskWhere(2, 11, (b, t) => (b === 0 ? t < 3 : t % 3 === 0));
      const err = relativeError(forwardArray(model, ids, mask), naiveModelForward(model, ids, mask, naiveStandard), (b, t) => mask[b][t] === 1);
      expect(err).toBeLessThan(1e-4);
    });
  });

  it('across query blocks (n beyond one block of queries)', () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8 };
    withModel('Standard', config, (model) => {
      const n = QUERY_BLOCK + 3;
      const ids = randomIds(1, n, 50, 11);
      expect(relativeError(forwardArray(model, ids), naiveModelForward(model, ids, null, naiveStandard))).toBeLessThan(1e-4);
    });
  });
});

describe('Standard decode across cache blocks', () => {
  it('steps past CACHE_BLOCK tokens reproduce forward (the online softmax over blocks)', () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8 };
    withModel('Standard', config, (model) => {
      const n = CACHE_BLOCK + 60;
      const ids = randomIds(1, n, 50, 12);
      const expected = forwardArray(model, ids);
      const state = model.initState(1);
      const parts: number[][][][] = [];
      for (const [start, end] of [[0, 700], [700, CACHE_BLOCK + 10], [CACHE_BLOCK + 10, CACHE_BLOCK + 11], [CACHE_BLOCK + 11, n]]) {
        const { hidden } = model.step(state, ids.map((row) => row.slice(start, end)));
        parts.push(hidden.arraySync() as number[][][]);
        hidden.dispose();
      }
      for (const layer of state.layers as KVCacheState[]) expect(layer.keys.map((block) => block.shape[2])).toEqual([CACHE_BLOCK, 60]);
      model.disposeState(state);
      expect(relativeError([parts.flatMap((part) => part[0])], expected)).toBeLessThan(1e-4);
    });
  });
});
