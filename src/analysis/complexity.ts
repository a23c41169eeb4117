/**
 * Complexity classes: the theoretical one per architecture (architectures.md section headings)
 * and the one a fitted exponent suggests.
 */
import { Mode } from '../results/schema';

export interface TheoreticalComplexity {
  /** The cost formula in n (length), d (head size), B (chunk), w (window), E (GAU inner size), s (update steps). */
  cost: string;
  /** Its growth in n alone, the class a fitted exponent is compared with. */
  scaling: string;
}

/**
 * forward: the section headings of architectures.md (one pass over n tokens).
 * decode: one single-token step after n tokens of context, derived from the same formulas:
 * softmax-over-the-past models (Standard, Hopfield) attend to n cached keys, O(n d); the recurrent
 * and windowed ones do a fixed amount of work per token (amortised over a chunk where they are
 * chunked); BSBR adds the retrieval over n/B chunk states once per chunk, (n/B) d^2 per B tokens.
 */
const THEORY: Record<string, Record<Mode, TheoreticalComplexity>> = {
  Standard: {
    forward: { cost: 'O(n^2 d)', scaling: 'O(n^2)' },
    decode: { cost: 'O(n d)', scaling: 'O(n)' },
  },
  SlidingWindow: {
    forward: { cost: 'O(n w d)', scaling: 'O(n)' },
    decode: { cost: 'O(w d)', scaling: 'O(1)' },
  },
  Linear: {
    forward: { cost: 'O(n d^2)', scaling: 'O(n)' },
    decode: { cost: 'O(d^2)', scaling: 'O(1)' },
  },
  DeltaNet: {
    forward: { cost: 'O(n B d + n d^2)', scaling: 'O(n)' },
    decode: { cost: 'O(B d + d^2) amortised', scaling: 'O(1)' },
  },
  Hopfield: {
    forward: { cost: 'O(s n^2 d)', scaling: 'O(n^2)' },
    decode: { cost: 'O(s n d)', scaling: 'O(n)' },
  },
  GAU: {
    forward: { cost: 'O(n B E + n E^2)', scaling: 'O(n)' },
    decode: { cost: 'O(B E + E^2) amortised', scaling: 'O(1)' },
  },
  BSBR: {
    forward: { cost: 'O(n B d + n d^2 + (n/B)^2 d^2)', scaling: '~O(n) (+ an (n/B)^2 term)' },
    decode: { cost: 'O(B d + d^2 + (n/B^2) d^2) amortised', scaling: '~O(1) (+ an n/B^2 term)' },
  },
};

/** The theoretical complexity of a model (name case-insensitive) in a mode; undefined for an unknown model. */
export function theoreticalComplexity(model: string, mode: Mode): TheoreticalComplexity | undefined {
  const key = Object.keys(THEORY).find((name) => name.toLowerCase() === model.toLowerCase());
  return key === undefined ? undefined : THEORY[key][mode];
}

/**
 * The class a fitted exponent e suggests, by fixed bands around the integer exponents:
 * e < 0.5 O(1); 0.5 <= e < 1.3 O(n); 1.3 <= e < 1.7 between O(n) and O(n^2);
 * 1.7 <= e < 2.3 O(n^2); e >= 2.3 above O(n^2). The point estimate decides; read it with its interval.
 */
export function suggestedClass(exponent: number): string {
  if (exponent < 0.5) return 'O(1)';
  if (exponent < 1.3) return 'O(n)';
  if (exponent < 1.7) return 'between O(n) and O(n^2)';
  if (exponent < 2.3) return 'O(n^2)';
  return 'above O(n^2)';
}
