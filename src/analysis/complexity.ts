/**
 * Complexity classes: the theoretical one per architecture (the section headings of
 * docs/architectures.md) and the one a fitted exponent suggests.
 */
import { Mode } from '../results/schema';

export interface TheoreticalComplexity {
  /** The cost formula in n (length), d (head size), B (chunk), w (window), E (GAU inner size), s (update steps). */
  cost: string;
  /** Its growth in n alone, the class a fitted exponent is compared with. */
  scaling: string;
  /** The exponent of that growth: 0, 1 or 2 (BSBR's small (n/B)^2 term aside, 1). */
  exponent: number;
}

/**
 * forward: the section headings of docs/architectures.md (one pass over n tokens).
 * decode: one single-token step after n tokens of context, derived from the same formulas:
 * softmax-over-the-past models (Standard, Hopfield) attend to n cached keys, O(n d); the recurrent
 * and windowed ones do a fixed amount of work per token (amortised over a chunk where they are
 * chunked); BSBR adds the retrieval over n/B chunk states once per chunk, (n/B) d^2 per B tokens.
 */
const THEORY: Record<string, Record<Mode, TheoreticalComplexity>> = {
  Standard: {
    forward: { cost: 'O(n^2 d)', scaling: 'O(n^2)', exponent: 2 },
    decode: { cost: 'O(n d)', scaling: 'O(n)', exponent: 1 },
  },
  SlidingWindow: {
    forward: { cost: 'O(n w d)', scaling: 'O(n)', exponent: 1 },
    decode: { cost: 'O(w d)', scaling: 'O(1)', exponent: 0 },
  },
  Linear: {
    forward: { cost: 'O(n d^2)', scaling: 'O(n)', exponent: 1 },
    decode: { cost: 'O(d^2)', scaling: 'O(1)', exponent: 0 },
  },
  DeltaNet: {
    forward: { cost: 'O(n B d + n d^2)', scaling: 'O(n)', exponent: 1 },
    decode: { cost: 'O(B d + d^2) amortised', scaling: 'O(1)', exponent: 0 },
  },
  Hopfield: {
    forward: { cost: 'O(s n^2 d)', scaling: 'O(n^2)', exponent: 2 },
    decode: { cost: 'O(s n d)', scaling: 'O(n)', exponent: 1 },
  },
  GAU: {
    forward: { cost: 'O(n B E + n E^2)', scaling: 'O(n)', exponent: 1 },
    decode: { cost: 'O(B E + E^2) amortised', scaling: 'O(1)', exponent: 0 },
  },
  BSBR: {
    forward: { cost: 'O(n B d + n d^2 + (n/B)^2 d^2)', scaling: '~O(n)', exponent: 1 },
    decode: { cost: 'O(B d + d^2 + (n/B^2) d^2) amortised', scaling: '~O(1)', exponent: 0 },
  },
};

/** Each architecture's section in docs/architectures.md and what it is. */
export const ARCHITECTURE_SECTIONS: Readonly<Record<string, { section: number; title: string }>> = {
  Standard: { section: 1, title: 'causal softmax attention' },
  SlidingWindow: { section: 2, title: 'softmax attention over a window of earlier tokens' },
  Linear: { section: 3, title: 'linear attention (Katharopoulos et al. 2020)' },
  DeltaNet: { section: 4, title: 'the delta rule (Schlag et al. 2021, Yang et al. 2024)' },
  Hopfield: { section: 5, title: 'modern Hopfield retrieval (Ramsauer et al. 2020)' },
  GAU: { section: 6, title: 'gated attention unit, chunked (after Hua et al. 2022); one head of size E, ignores numHeads' },
  BSBR: { section: 7, title: 'block sparse attention with block retrieval' },
};

/** The theoretical complexity of a model (name case-insensitive) in a mode; undefined for an unknown model. */
export function theoreticalComplexity(model: string, mode: Mode): TheoreticalComplexity | undefined {
  const key = Object.keys(THEORY).find((name) => name.toLowerCase() === model.toLowerCase());
  return key === undefined ? undefined : THEORY[key][mode];
}

/** The theory's class when a fit suggests another: the reader must be told which lengths the fit covers. */
export function disagrees(theory: TheoreticalComplexity, fittedExponent: number): boolean {
  return suggestedClass(fittedExponent) !== suggestedClass(theory.exponent);
}

/**
 * The class a fitted exponent e suggests, by fixed bands around the integer exponents:
 * e < 0.5 O(1); 0.5 <= e < 1.3 O(n); 1.3 <= e < 1.7 O(n) to O(n^2);
 * 1.7 <= e < 2.3 O(n^2); e >= 2.3 above O(n^2). The point estimate decides; read it with its interval.
 */
export function suggestedClass(exponent: number): string {
  if (exponent < 0.5) return 'O(1)';
  if (exponent < 1.3) return 'O(n)';
  if (exponent < 1.7) return 'O(n) to O(n^2)';
  if (exponent < 2.3) return 'O(n^2)';
  return 'above O(n^2)';
}
