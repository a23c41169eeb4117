/** causalMask: filled on the host and built on the device, identical, and as defined. */
import { testsOn, TEST_BACKENDS } from '../testing/harness';
import { readOp } from '../testing/ops';
import { causalMask } from './masks';

/** allowed[t][s] by the definition: s <= t + offset, and s >= t + offset - window when there is a window. */
const defined = (queries: number, keys: number, offset: number, window?: number) =>
  Array.from({ length: queries }, (_, t) =>
    Array.from({ length: keys }, (_, s) =>
      s <= t + offset && (window === undefined || s >= t + offset - window) ? 1 : 0,
    ),
  );

describe.each(TEST_BACKENDS)('causalMask on %s', (backend) => {
  const itOn = testsOn(backend);

  // Square; queries at the end of longer keys; offset -1 (strictly lower, a first row of none); past all keys;
  // windows (0: only the diagonal), also wider than the keys.
  itOn.each([
    [1, 1, 0, undefined],
    [5, 5, 0, undefined],
    [4, 9, 5, undefined],
    [6, 6, -1, undefined],
    [3, 4, 7, undefined],
    [7, 10, 3, 2],
    [8, 16, 8, 8],
    [5, 5, 0, 0],
    [4, 6, 1, 20],
  ] as Array<[number, number, number, number | undefined]>)(
    '%i queries, %i keys, offset %i, window %s',
    async (queries, keys, offset, window) => {
      const host = await readOp(() => causalMask(queries, keys, offset, true, window));
      expect(await readOp(() => causalMask(queries, keys, offset, false, window))).toEqual(host);
      expect(host).toEqual(defined(queries, keys, offset, window));
    },
  );
});
