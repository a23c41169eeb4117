import { MODES } from '../results/schema';
import { MODEL_DESCRIPTORS, ModelName } from '../../models/descriptors';
import { disagrees, suggestedClass, theoreticalComplexity } from './complexity';

/** The seven architectures of docs/architectures.md, in its order. */
const SPEC_MODELS: ModelName[] = ['Standard', 'SlidingWindow', 'Linear', 'DeltaNet', 'Hopfield', 'GAU', 'BSBR'];

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

  it("names each architecture's section of docs/architectures.md, in the spec's order", () => {
    expect(SPEC_MODELS.map((m) => MODEL_DESCRIPTORS[m].docs.section)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('gives the headings of docs/architectures.md for forward, case-insensitively', () => {
    expect(theoreticalComplexity('standard', 'forward')).toEqual({ cost: 'O(n^2 d)', scaling: 'O(n^2)', exponent: 2 });
    expect(theoreticalComplexity('HOPFIELD', 'forward')!.cost).toBe('O(s n^2 d)');
    expect(theoreticalComplexity('Linear', 'forward')!.scaling).toBe('O(n)');
    expect(theoreticalComplexity('BSBR', 'forward')!.cost).toBe('O(n B d + n d^2 + (n/B)^2 d^2)');
    expect(theoreticalComplexity('BSBR', 'forward')!.scaling).toBe('~O(n)');
  });

  it('decode: O(n) per step for softmax over the past, O(1) for the recurrent and windowed models', () => {
    expect(theoreticalComplexity('Standard', 'decode')!.scaling).toBe('O(n)');
    expect(theoreticalComplexity('Hopfield', 'decode')!.scaling).toBe('O(n)');
    for (const model of ['SlidingWindow', 'Linear', 'DeltaNet', 'GAU'])
      expect(theoreticalComplexity(model, 'decode')!.scaling).toBe('O(1)');
  });

  it('knows nothing of a model the spec does not describe', () => {
    expect(theoreticalComplexity('Mamba', 'forward')).toBeUndefined();
  });
});

describe('suggestedClass', () => {
  it('reads an exponent by the documented bands', () => {
    const cases: [number, string][] = [
      [0.05, 'O(1)'],
      [0.49, 'O(1)'],
      [0.5, 'O(n)'],
      [1.02, 'O(n)'],
      [1.29, 'O(n)'],
      [1.3, 'O(n) to O(n^2)'],
      [1.69, 'O(n) to O(n^2)'],
      [1.7, 'O(n^2)'],
      [2.0, 'O(n^2)'],
      [2.29, 'O(n^2)'],
      [2.3, 'above O(n^2)'],
      [3, 'above O(n^2)'],
    ];
    for (const [exponent, expected] of cases) expect(suggestedClass(exponent)).toBe(expected);
  });
});

describe('disagrees', () => {
  it("compares the class a fitted exponent suggests with the theory's", () => {
    const standard = theoreticalComplexity('Standard', 'forward')!;
    expect(disagrees(standard, 1.02)).toBe(true);
    expect(disagrees(standard, 1.5)).toBe(true);
    expect(disagrees(standard, 1.85)).toBe(false);
    expect(disagrees(theoreticalComplexity('BSBR', 'decode')!, -0.05)).toBe(false);
    expect(disagrees(theoreticalComplexity('Linear', 'forward')!, 0.45)).toBe(true);
  });
});
