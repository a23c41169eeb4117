import { ModelConfig } from './config';
import { forwardArray, maskWhere, randomIds, TINY, useDefaultBackend, withModel } from './testing/harness';
import { naiveModelForward, relativeError } from './ops/reference/arrays';

import { naiveHopfield, naiveTemperedStandard } from './ops/reference/hopfield';

useDefaultBackend();

const VARIANTS: Array<Partial<ModelConfig>> = [1, 2, 3].flatMap((updateSteps) =>
  [1, 0.5].map((temperature) => ({ updateSteps, temperature })),
);

describe.each(VARIANTS)('Hopfield %j efficient form equals the naive formula', (variant) => {
  const config = { ...TINY, ...variant };

  it.each([1, 4, 7, 13])('n=%i', async (n) => {
    await withModel('Hopfield', config, async (model) => {
      const ids = randomIds(2, n, 50, n);
      expect(
        relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveHopfield)),
      ).toBeLessThan(1e-4);
    });
  });

  it.each([
    ['holes', (b: number, t: number) => (b === 0 ? t % 3 === 1 : t === 5 || t === 6 || t === 12)],
    ['a masked prefix', (b: number, t: number) => (b === 0 ? t < 4 : t < 2 || t === 9)],
  ])('with a padding mask (%s)', async (_, holes) => {
    await withModel('Hopfield', config, async (model) => {
      const n = 14;
      const ids = randomIds(2, n, 50, 3);
      const mask = maskWhere(2, n, holes);
      const real = (b: number, t: number) => mask[b][t] === 1;
      expect(
        relativeError(
          await forwardArray(model, ids, mask),
          await naiveModelForward(model, ids, mask, naiveHopfield),
          real,
        ),
      ).toBeLessThan(1e-4);
    });
  });
});

describe('Hopfield', () => {
  it.each([1, 3])('across query blocks (n beyond one block of queries), updateSteps %i', async (updateSteps) => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8, updateSteps, temperature: 0.5 };
    await withModel('Hopfield', config, async (model) => {
      const n = model.plan.queryBlock + 3;
      const ids = randomIds(1, n, 50, 11);
      expect(
        relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveHopfield)),
      ).toBeLessThan(1e-4);
    });
  });

  it('with updateSteps 1 is Standard with a temperature (and exactly Standard at temperature 1)', async () => {
    const ids = randomIds(2, 9, 50, 5);
    const tempered = { ...TINY, updateSteps: 1, temperature: 0.5 };
    await withModel('Hopfield', tempered, async (model) => {
      expect(
        relativeError(await forwardArray(model, ids), await naiveModelForward(model, ids, null, naiveTemperedStandard)),
      ).toBeLessThan(1e-4);
    });
    const hopfield = await withModel(
      'Hopfield',
      { ...TINY, updateSteps: 1 },
      async (model) => await forwardArray(model, ids),
    );
    const standard = await withModel('Standard', TINY, async (model) => await forwardArray(model, ids));
    expect(relativeError(hopfield, standard)).toBeLessThan(1e-6);
  });

  it('more update steps change the output', async () => {
    const ids = randomIds(1, 9, 50, 6);
    const one = await withModel(
      'Hopfield',
      { ...TINY, updateSteps: 1 },
      async (model) => await forwardArray(model, ids),
    );
    const three = await withModel(
      'Hopfield',
      { ...TINY, updateSteps: 3 },
      async (model) => await forwardArray(model, ids),
    );
    expect(relativeError(three, one)).toBeGreaterThan(1e-3);
  });
});

describe('Hopfield decode across cache blocks', () => {
  it('update steps over a cache of several blocks reproduce forward', async () => {
    const config = { ...TINY, numLayers: 1, hiddenDim: 8, updateSteps: 3, temperature: 0.5 };
    await withModel('Hopfield', config, async (model) => {
      const n = model.plan.cacheBlock + 30;
      const ids = randomIds(1, n, 50, 13);
      const expected = await forwardArray(model, ids);
      const state = model.initState(1);
      const parts: number[][][][] = [];
      for (const [start, end] of [
        [0, model.plan.cacheBlock - 5],
        [model.plan.cacheBlock - 5, n],
      ]) {
        const { hidden } = model.step(
          state,
          ids.map((row) => row.slice(start, end)),
        );
        parts.push((await hidden.array()) as number[][][]);
        hidden.dispose();
      }
      model.disposeState(state);
      expect(relativeError([parts.flatMap((part) => part[0])], expected)).toBeLessThan(1e-4);
    });
  });
});
