import { QUERY_BLOCK } from './standard';
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
