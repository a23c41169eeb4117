/**
 * The size of each architecture's decode state: the floats `initState` + `step` hold for one
 * sequence after L tokens, summed over the layers (docs/architectures.md, "Decode state size").
 * Notation as architectures.md: hidden D, heads h, head size d = D / h, chunk B, window w,
 * E = expansionFactor * D; C = floor(L / B) completed chunks and r = L mod B tokens of the current one.
 */
import { headDim, ModelConfig } from './config';
import { canonicalModelName, ModelName } from './descriptors';

type PerLayer = (config: ModelConfig, seqLen: number) => number;

/** Softmax attention keeps every key and value: 2 L D. */
const keyValueCache: PerLayer = ({ hiddenDim: D }, L) => 2 * L * D;

const PER_LAYER: Record<ModelName, PerLayer> = {
  Standard: keyValueCache,
  Hopfield: keyValueCache,
  /** The last w keys and values: 2 min(w, L) D. */
  SlidingWindow: ({ hiddenDim: D, windowSize: w }, L) => 2 * Math.min(w, L) * D,
  /** [S | z] per head: h d (d + 1) = D (d + 1), once a token has been seen. */
  Linear: (config, L) => (L > 0 ? config.hiddenDim * (headDim(config) + 1) : 0),
  /** S per head: h d^2 = D d (zeros from the start). */
  DeltaNet: (config) => config.hiddenDim * headDim(config),
  /** The sum of k v^T over completed chunks (E^2, once one is complete) and the current chunk's keys and values (2 r E). */
  GAU: ({ hiddenDim: D, expansionFactor, chunkSize: B }, L) => {
    const E = expansionFactor * D;
    return (L >= B ? E * E : 0) + 2 * (L % B) * E;
  },
  /**
   * Per completed chunk its state (h d^2, or h D/cf compressed) and meta key (D); the current
   * chunk's keys and values (2 r D), its retrieved G_c (h d^2, while a chunk c >= 1 is open) and the
   * last token's attention input (D, the next meta query's).
   */
  BSBR: (config, L) => {
    const { hiddenDim: D, numHeads: h, chunkSize: B, compressionFactor: cf } = config;
    const d = headDim(config);
    const C = Math.floor(L / B);
    const r = L % B;
    const chunkState = cf ? h * (D / cf) : h * d * d;
    return C * (chunkState + D) + 2 * r * D + (C >= 1 && r > 0 ? h * d * d : 0) + (L > 0 ? D : 0);
  },
};

/** The floats of `model`'s decode state for one sequence after `seqLen` tokens (all layers). */
export function decodeStateFloats(model: string, config: ModelConfig, seqLen: number): number {
  const name = canonicalModelName(model);
  const perLayer = name && PER_LAYER[name];
  if (!perLayer) throw new Error(`no decode-state size for model '${model}'`);
  return config.numLayers * perLayer(config, seqLen);
}
