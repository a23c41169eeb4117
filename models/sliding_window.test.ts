import { KVCacheState } from './standard';
import { forwardArray, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { naiveModelForward, relativeError } from './ops/reference/arrays';

import { naiveSlidingWindow } from './ops/reference/sliding_window';

useDefaultBackend();

describe('SlidingWindow efficient form equals the naive formula', () => {
  // TINY has windowSize 3: lengths within one block, at block edges, off them, and over many blocks.
  for (const windowSize of [3, 1, 5]) {
    it.each([1, 3, 4, 7, 13, 26])(`w=${windowSize}, n=%i`, async (n) => {
      await withModel('SlidingWindow', { ...TINY, windowSize }, async (model) => {
        const ids = randomIds(2, n, 50, n);
        expect(
          relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveSlidingWindow)),
        ).toBeLessThan(1e-4);
      });
    });
  }

  it.each([
    ['holes', (b: number, t: number) => (b === 0 ? t % 3 === 1 : t === 5 || t === 6 || t === 7 || t === 12)],
    ['a masked prefix longer than the window', (b: number, t: number) => (b === 0 ? t < 5 : t < 2 || t === 10)],
  ])('with a padding mask (%s)', async (_, holes) => {
    await withModel('SlidingWindow', TINY, async (model) => {
      const n = 17;
      const ids = randomIds(2, n, 50, 3);
      const mask = maskWhere(2, n, holes);
      const real = (b: number, t: number) => mask[b][t] === 1;
      const err = relativeError(
        await forwardArray(model, ids, mask),
        await naiveModelForward(model, ids, mask, naiveSlidingWindow),
        real,
      );
      expect(err).toBeLessThan(1e-4);
    });
  });

  it('the window matters: outputs differ from Standard beyond the window', async () => {
    await withModel('SlidingWindow', TINY, async (model) => {
      const ids = randomIds(1, 9, 50, 4);
      const sliding = await forwardArray(model, ids);
      const standard = await withModel('Standard', TINY, async (m) => await forwardArray(m, ids));
      // Up to position w every key is in the window, so both agree there.
      expect(relativeError([sliding[0].slice(0, 4)], [standard[0].slice(0, 4)])).toBeLessThan(1e-5);
      expect(relativeError([sliding[0].slice(4)], [standard[0].slice(4)])).toBeGreaterThan(1e-3);
    });
  });
});

describe('SlidingWindow decode', () => {
  it('keeps only the last w keys/values and reproduces forward over many blocks', async () => {
    await withModel('SlidingWindow', TINY, async (model) => {
      const n = 26;
      const ids = randomIds(2, n, 50, 9);
      const expected = await forwardArray(model, ids);
      const state = model.initState(2);
      const parts: number[][][][] = [];
      // A long prefill, single tokens, then a step longer than the window.
      for (const [start, end] of [
        [0, 11],
        [11, 12],
        [12, 13],
        [13, 21],
        [21, 26],
      ]) {
        const { hidden } = model.step(
          state,
          ids.map((row) => row.slice(start, end)),
        );
        parts.push((await hidden.array()) as number[][][]);
        hidden.dispose();
        for (const layer of state.layers as KVCacheState[]) {
          expect(layer.keys.map((block) => block.shape[2])).toEqual([Math.min(TINY.windowSize!, end)]);
          expect(layer.values.map((block) => block.shape[2])).toEqual([Math.min(TINY.windowSize!, end)]);
        }
      }
      model.disposeState(state);
      const stepped = expected.map((_, b) => parts.flatMap((part) => part[b]));
      expect(relativeError(stepped, expected)).toBeLessThan(1e-4);
    });
  });
});
