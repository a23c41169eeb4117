import { fitConstantTerm } from '../analysis/constant_term_fit';
import { fitPowerLaw } from '../analysis/fit';
import { ModelFit } from '../analysis/analysis';
import { formatConstantTermExponent, formatExponent, formatLengths, TIME_FIT_COLUMNS } from './fit_columns';

test('exponents: the interval, the points where there is none, a dash for no fit', () => {
  expect(formatExponent(fitPowerLaw([64, 128, 256], [1, 4, 16]))).toBe('2.00 [2.00, 2.00]');
  expect(formatExponent(fitPowerLaw([64, 128], [1, 2]))).toBe('1.00 (2 points)');
  expect(formatExponent(null)).toBe('-');
});

test('a log-log interval past 4 is a number; only the constant-term scan\'s edge reads "4+"', () => {
  const wide = fitPowerLaw([256, 512, 1024], [100, 150, 900]);
  expect(wide.exponentCi95![1]).toBeGreaterThan(4);
  expect(formatExponent(wide)).toBe(
    `${wide.exponent.toFixed(2)} [${wide.exponentCi95![0].toFixed(2)}, ${wide.exponentCi95![1].toFixed(2)}]`,
  );
  expect(formatConstantTermExponent(fitConstantTerm([64, 128, 256, 512, 1024], [1.0, 1.1, 0.9, 1.05, 0.95]))).toBe(
    '0.00 [0.00, 4+]',
  );
  expect(formatConstantTermExponent(fitConstantTerm([64, 128, 256], [10, 12, 18]))).toMatch(/^\d\.\d\d \(3 points\)$/);
});

test('lengths: the range of ok lengths', () => {
  expect(formatLengths([64, 128, 1024])).toBe('64-1024');
  expect(formatLengths([64])).toBe('64');
  expect(formatLengths([])).toBe('none ok');
});

test('R^2: a dash for a fit through two points (it is always 1), three decimals from three', () => {
  const rSquared = TIME_FIT_COLUMNS.find((c) => c.head === 'R^2')!;
  const fit = (time: ReturnType<typeof fitPowerLaw>) => ({ time }) as unknown as ModelFit;
  expect(rSquared.text(fit(fitPowerLaw([64, 128], [1, 2])))).toBe('-');
  expect(rSquared.text(fit(fitPowerLaw([64, 128, 256], [1, 2, 4])))).toBe('1.000');
});
