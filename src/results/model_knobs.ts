/** The knobs a model reads, by models/descriptors.ts, as results.csv's cost columns and the tables' config column. */
import { ModelConfig } from '../../models/config';
import { canonicalModelName, MODEL_DESCRIPTORS } from '../../models/descriptors';

/** The knobs that change a model's cost the most, as results.csv columns: null where the model does not read it. */
export interface CostKnobs {
  chunk_size: number | null;
  window_size: number | null;
  /** 0 for a BSBR without compression. */
  compression_factor: number | null;
}

function reads(model: string, field: keyof ModelConfig): boolean {
  const name = canonicalModelName(model);
  return name !== undefined && MODEL_DESCRIPTORS[name].knobs.includes(field);
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
  ]
    .filter((part) => part !== null)
    .join(', ');
}
