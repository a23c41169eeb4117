import { MODES } from '../results/schema';
import { suggestedClass, theoreticalComplexity } from './complexity';

/** The seven architectures of architectures.md, in its order. */
const SPEC_MODELS = ['Standard', 'SlidingWindow', 'Linear', 'DeltaNet', 'Hopfield', 'GAU', 'BSBR'];

describe('theoretical complexity', () => {
  it('covers every architecture of the spec in both modes', () => {
    for (const model of SPEC_MODELS) {
      for (const mode of MODES) {
        const theory = theoreticalComplexity(model, mode);
        expect(theory?.cost).toMatch(/^O\(/);
        expect(theory?.scaling).toMatch(/O\(/);
      }
    }
  });

  it('gives the headings of architectures.md for forward, case-insensitively', () => {
    expect(theoreticalComplexity('standard', 'forward')).toEqual({ cost: 'O(n^2 d)', scaling: 'O(n^2)' });
    expect(theoreticalComplexity('HOPFIELD', 'forward')!.cost).toBe('O(s n^2 d)');
    expect(theoreticalComplexity('Linear', 'forward')!.scaling).toBe('O(n)');
    expect(theoreticalComplexity('BSBR', 'forward')!.cost).toBe('O(n B d + n d^2 + (n/B)^2 d^2)');
    expect(theoreticalComplexity('BSBR', 'forward')!.scaling).toContain('(n/B)^2');
  });

  it('decode: O(n) per step for softmax over the past, O(1) for the recurrent and windowed models', () => {
    expect(theoreticalComplexity('Standard', 'decode')!.scaling).toBe('O(n)');
    expect(theoreticalComplexity('Hopfield', 'decode')!.scaling).toBe('O(n)');
    for (const model of ['SlidingWindow', 'Linear', 'DeltaNet', 'GAU']) expect(theoreticalComplexity(model, 'decode')!.scaling).toBe('O(1)');
  });

  it('knows nothing of a model the spec does not describe', () => {
    expect(theoreticalComplexity('Mamba', 'forward')).toBeUndefined();
  });
});

describe('suggestedClass', () => {
  it('reads an exponent by the documented bands', () => {
    const cases: [number, string][] = [
      [0.05, 'O(1)'], [0.49, 'O(1)'], [0.5, 'O(n)'], [1.02, 'O(n)'], [1.29, 'O(n)'], [1.3, 'between O(n) and O(n^2)'],
      [1.69, 'between O(n) and O(n^2)'], [1.7, 'O(n^2)'], [2.0, 'O(n^2)'], [2.29, 'O(n^2)'], [2.3, 'above O(n^2)'], [3, 'above O(n^2)'],
    ];
    for (const [exponent, expected] of cases) expect(suggestedClass(exponent)).toBe(expected);
  });
});
