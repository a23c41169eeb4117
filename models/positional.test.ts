import { sinusoidalPositions } from './positional';
import { readAndDispose, TEST_BACKENDS, testsOn } from './testing/harness';

/** PE straight from the formula in float64. */
function naivePositions(start: number, length: number, dim: number): number[][] {
  return Array.from({ length }, (_, p) =>
    Array.from({ length: dim }, (_, i) => {
      const angle = (start + p) / Math.pow(10000, (2 * Math.floor(i / 2)) / dim);
      return i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }),
  );
}

describe.each(TEST_BACKENDS)('sinusoidal positions on %s', (backend) => {
  const itOn = testsOn(backend);
  itOn.each([
    [0, 5, 8, true],
    [0, 5, 8, false],
    [1000, 2100, 6, true],
    [1000, 2100, 6, false],
    [123456, 1030, 7, true],
    [123456, 1030, 7, false],
  ])(
    'start %i, %i positions, D = %i, filled on the host: %s, equal the float64 formula',
    async (start, length, dim, fillOnHost) => {
      const got = await readAndDispose<number[][]>(sinusoidalPositions(start, length, dim, fillOnHost));
      const expected = naivePositions(start, length, dim);
      let worst = 0;
      expected.forEach((row, p) =>
        row.forEach((e, i) => {
          worst = Math.max(worst, Math.abs(got[p][i] - e));
        }),
      );
      expect(got.length).toBe(length);
      expect(got[0].length).toBe(dim);
      expect(worst).toBeLessThan(fillOnHost ? 1e-7 : 1e-6);
    },
  );
});
