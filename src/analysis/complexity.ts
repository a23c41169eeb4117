/**
 * Complexity classes: the theoretical one per architecture (models/descriptors.ts, the section
 * headings of docs/architectures.md) and the one a fitted exponent suggests.
 */
import { canonicalModelName, MODEL_DESCRIPTORS, TheoreticalComplexity } from '../../models/descriptors';
import { Mode } from '../results/schema';

export type { TheoreticalComplexity };

/**
 * The theoretical complexity of a model (name case-insensitive) in a mode (models/descriptors.ts);
 * undefined for an unknown model. A training step (forward and backward) is of the forward's class:
 * the backward runs the forward's products twice over (and recomputes the forward), a constant factor.
 */
export function theoreticalComplexity(model: string, mode: Mode): TheoreticalComplexity | undefined {
  const name = canonicalModelName(model);
  return name === undefined ? undefined : MODEL_DESCRIPTORS[name].theory[mode === 'train' ? 'forward' : mode];
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
