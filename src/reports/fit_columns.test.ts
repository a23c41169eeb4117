import { fitConstantTerm } from '../analysis/constant_term_fit';
import { fitPowerLaw } from '../analysis/fit';
import { formatConstantTermExponent, formatExponent, formatLengths } from './fit_columns';

test('exponents: the interval, the points where there is none, a dash for no fit', () => {
  expect(formatExponent(fitPowerLaw([64, 128, 256], [1, 4, 16]))).toBe('2.00 [2.00, 2.00]');
  expect(formatExponent(fitPowerLaw([64, 128], [1, 2]))).toBe('1.00 (2 points)');
  expect(formatExponent(null)).toBe('-');
});

test('a log-log interval past 4 is a number; only the constant-term scan\'s edge reads "4+"', () => {
  const wide = fitPowerLaw([256, 512, 1024], [100, 150, 900]);
  expect(wide.exponentCi95![1]).toBeGreaterThan(4);
  expect(formatExponent(wide)).toBe(`${wide.exponent.toFixed(2)} [${wide.exponentCi95![0].toFixed(2)}, ${wide.exponentCi95![1].toFixed(2)}]`);
  expect(formatConstantTermExponent(fitConstantTerm([64, 128, 256, 512, 1024], [1.0, 1.1, 0.9, 1.05, 0.95]))).toBe('0.00 [0.00, 4+]');
  expect(formatConstantTermExponent(fitConstantTerm([64, 128, 256], [10, 12, 18]))).toMatch(/^\d\.\d\d \(3 points\)$/);
});

test('lengths: the range of ok lengths', () => {
  expect(formatLengths([64, 128, 1024])).toBe('64-1024');
  expect(formatLengths([64])).toBe('64');
  expect(formatLengths([])).toBe('none ok');
});
