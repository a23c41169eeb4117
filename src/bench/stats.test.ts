import { summarize } from './stats';

test('median, min, max, mean and the sample standard deviation', () => {
  expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, mean: 2, std: 1 });
  const even = summarize([4, 1, 3, 2]);
  expect(even.median).toBe(2.5);
  expect(even.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
});

test('a single repeat has no spread; no repeats is an error', () => {
  expect(summarize([7])).toEqual({ median: 7, min: 7, max: 7, mean: 7, std: 0 });
  expect(() => summarize([])).toThrow('no samples');
});
