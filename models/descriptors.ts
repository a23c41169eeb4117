/**
 * One descriptor per architecture: the knobs it reads, its section of docs/architectures.md and its
 * theoretical cost. Keyed by ModelName, so an eighth architecture is a compile error until it has one.
 * The command line (`bsbr models`, the options' help), the results' cost columns and the analysis
 * read them here; the registry builds the models, the float64 references, the decode-state sizes
 * (./state_size.ts) and the FLOP counts are tables of the same key.
 */
import { ModelConfig } from './config';

/** The architectures, in the order the toolkit reports them. */
export const MODEL_NAMES = ['BSBR', 'Standard', 'Linear', 'DeltaNet', 'SlidingWindow', 'Hopfield', 'GAU'] as const;

export type ModelName = (typeof MODEL_NAMES)[number];

/** A cost in big-O notation, as docs/architectures.md states it. */
export interface TheoreticalComplexity {
  /** The cost formula in n (length), d (head size), B (chunk), w (window), E (GAU inner size), s (update steps). */
  cost: string;
  /** Its growth in n alone, the class a fitted exponent is compared with. */
  scaling: string;
  /** The exponent of that growth: 0, 1 or 2 (BSBR's small (n/B)^2 term aside, 1). */
  exponent: number;
}

export interface ModelDescriptor {
  /** The config fields it reads beyond the shared ones (vocabSize, hiddenDim, numLayers, numHeads, ffDim, seed). */
  knobs: readonly (keyof ModelConfig)[];
  /** Its section of docs/architectures.md and what it is. */
  docs: { section: number; title: string };
  /**
   * forward: the section headings of docs/architectures.md (one pass over n tokens).
   * decode: one single-token step after n tokens of context, derived from the same formulas.
   */
  theory: { forward: TheoreticalComplexity; decode: TheoreticalComplexity };
}

/**
 * decode: softmax-over-the-past models (Standard, Hopfield) attend to n cached keys, O(n d); the
 * recurrent and windowed ones do a fixed amount of work per token (amortised over a chunk where they
 * are chunked); BSBR adds the retrieval over n/B chunk states once per chunk, (n/B) d^2 per B tokens.
 */
export const MODEL_DESCRIPTORS: Readonly<Record<ModelName, ModelDescriptor>> = {
  BSBR: {
    knobs: ['chunkSize', 'compressionFactor'],
    docs: { section: 7, title: 'block sparse attention with block retrieval' },
    theory: {
      forward: { cost: 'O(n B d + n d^2 + (n/B)^2 d^2)', scaling: '~O(n)', exponent: 1 },
      decode: { cost: 'O(B d + d^2 + (n/B^2) d^2) amortised', scaling: '~O(1)', exponent: 0 },
    },
  },
  Standard: {
    knobs: [],
    docs: { section: 1, title: 'causal softmax attention' },
    theory: {
      forward: { cost: 'O(n^2 d)', scaling: 'O(n^2)', exponent: 2 },
      decode: { cost: 'O(n d)', scaling: 'O(n)', exponent: 1 },
    },
  },
  Linear: {
    knobs: ['chunkSize'],
    docs: { section: 3, title: 'linear attention (Katharopoulos et al. 2020)' },
    theory: {
      forward: { cost: 'O(n d^2)', scaling: 'O(n)', exponent: 1 },
      decode: { cost: 'O(d^2)', scaling: 'O(1)', exponent: 0 },
    },
  },
  DeltaNet: {
    knobs: ['chunkSize', 'beta', 'learnedBeta'],
    docs: { section: 4, title: 'the delta rule (Schlag et al. 2021, Yang et al. 2024)' },
    theory: {
      forward: { cost: 'O(n B d + n d^2)', scaling: 'O(n)', exponent: 1 },
      decode: { cost: 'O(B d + d^2) amortised', scaling: 'O(1)', exponent: 0 },
    },
  },
  SlidingWindow: {
    knobs: ['windowSize'],
    docs: { section: 2, title: 'softmax attention over a window of earlier tokens' },
    theory: {
      forward: { cost: 'O(n w d)', scaling: 'O(n)', exponent: 1 },
      decode: { cost: 'O(w d)', scaling: 'O(1)', exponent: 0 },
    },
  },
  Hopfield: {
    knobs: ['temperature', 'updateSteps'],
    docs: {
      section: 5,
      title:
        'modern Hopfield retrieval (Ramsauer et al. 2020); with one update step (the default) and temperature 1 it computes the same as Standard',
    },
    theory: {
      forward: { cost: 'O(s n^2 d)', scaling: 'O(n^2)', exponent: 2 },
      decode: { cost: 'O(s n d)', scaling: 'O(n)', exponent: 1 },
    },
  },
  GAU: {
    knobs: ['chunkSize', 'expansionFactor'],
    docs: {
      section: 6,
      title: 'gated attention unit, chunked (after Hua et al. 2022); one head of size E, ignores numHeads',
    },
    theory: {
      forward: { cost: 'O(n B E + n E^2)', scaling: 'O(n)', exponent: 1 },
      decode: { cost: 'O(B E + E^2) amortised', scaling: 'O(1)', exponent: 0 },
    },
  },
};

/** The canonical spelling of a model name given in any case, or undefined when unknown. */
export function canonicalModelName(name: string): ModelName | undefined {
  return MODEL_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
}

/** The architectures that read a knob, in MODEL_NAMES' order ("BSBR, Linear, DeltaNet, GAU"). */
export function modelsReading(knob: keyof ModelConfig): ModelName[] {
  return MODEL_NAMES.filter((name) => MODEL_DESCRIPTORS[name].knobs.includes(knob));
}
