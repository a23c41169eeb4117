/**
 * The config fields each architecture reads beyond the shared ones (vocabSize, hiddenDim, numLayers,
 * numHeads, ffDim, seed); a model ignores the others' knobs (docs/architectures.md).
 */
import { ModelConfig } from '../../models/config';

export const MODEL_KNOBS: Readonly<Record<string, readonly (keyof ModelConfig)[]>> = {
  BSBR: ['chunkSize', 'compressionFactor'],
  Standard: [],
  Linear: ['chunkSize'],
  DeltaNet: ['chunkSize', 'beta', 'learnedBeta'],
  SlidingWindow: ['windowSize'],
  Hopfield: ['temperature', 'updateSteps'],
  GAU: ['chunkSize', 'expansionFactor'],
};

/** The knobs that change a model's cost the most, as results.csv columns: null where the model does not read it. */
export interface CostKnobs {
  chunk_size: number | null;
  window_size: number | null;
  /** 0 for a BSBR without compression. */
  compression_factor: number | null;
}

function reads(model: string, field: keyof ModelConfig): boolean {
  return MODEL_KNOBS[model]?.includes(field) ?? false;
}

export function costKnobs(model: string, config: ModelConfig): CostKnobs {
  return {
    chunk_size: reads(model, 'chunkSize') ? config.chunkSize : null,
    window_size: reads(model, 'windowSize') ? config.windowSize : null,
    compression_factor: reads(model, 'compressionFactor') ? (config.compressionFactor ?? 0) : null,
  };
}

/** "chunk 32, cf 2", "window 32", "" for a model with none of them. */
export function costKnobsText(model: string, config: ModelConfig): string {
  const k = costKnobs(model, config);
  return [
    k.chunk_size === null ? null : `chunk ${k.chunk_size}`,
    k.window_size === null ? null : `window ${k.window_size}`,
    k.compression_factor === null ? null : k.compression_factor === 0 ? 'no cf' : `cf ${k.compression_factor}`,
  ].filter((part) => part !== null).join(', ');
}
