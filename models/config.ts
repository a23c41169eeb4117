import { InputError } from './errors';

/** One configuration object serves all seven architectures; each ignores the knobs of the others. */
export interface ModelConfig {
  vocabSize: number;
  hiddenDim: number;
  numLayers: number;
  numHeads: number;
  ffDim: number;
  /** Kept for compatibility with the original package; inactive (everything here is inference). */
  dropout: number;
  /** BSBR, Linear, DeltaNet and GAU: tokens per chunk. */
  chunkSize: number;
  /** SlidingWindow: how many previous tokens a query sees besides itself. */
  windowSize: number;
  /** DeltaNet: the fixed write strength. */
  beta: number;
  /** DeltaNet: beta_t = sigmoid(Linear(D, h)(x_t)) per head instead of the fixed beta. */
  learnedBeta: boolean;
  /** Hopfield: inverse temperature is 1 / (temperature * sqrt(d)). */
  temperature: number;
  /** Hopfield: retrieval iterations (1 = softmax attention with a temperature). */
  updateSteps: number;
  /** GAU: inner size E = expansionFactor * hiddenDim. */
  expansionFactor: number;
  /** BSBR: compress chunk states to hiddenDim / compressionFactor features; undefined = none. */
  compressionFactor?: number;
  /** Seed of the weight initialiser: the same seed gives the same weights. */
  seed: number;
}

export const DEFAULT_CONFIG: Readonly<ModelConfig> = {
  vocabSize: 10000,
  hiddenDim: 256,
  numLayers: 2,
  numHeads: 4,
  ffDim: 512,
  dropout: 0.1,
  chunkSize: 32,
  windowSize: 32,
  beta: 0.9,
  learnedBeta: false,
  temperature: 1.0,
  updateSteps: 1,
  expansionFactor: 2,
  compressionFactor: undefined,
  seed: 0,
};

export class ConfigError extends InputError {
  constructor(field: string, message: string) {
    super(field, `invalid config: ${field} ${message}`);
  }
}

/**
 * The largest value of each size knob: far past any model these architectures are run at, and
 * small enough that no weight (with MAX_WEIGHT_VALUES) and no chunk's scores outgrow a backend's
 * memory: a wasm allocation past its heap aborts the backend for good, so it is refused here.
 */
const MAXIMA = {
  vocabSize: 2 ** 24,
  hiddenDim: 2 ** 14,
  numLayers: 1024,
  numHeads: 2 ** 14,
  ffDim: 2 ** 20,
  chunkSize: 2 ** 16,
  windowSize: 2 ** 24,
  updateSteps: 1024,
  expansionFactor: 64,
} as const;

/** The most values one weight may hold: 1 GiB of float32, a quarter of the wasm heap. */
const MAX_WEIGHT_VALUES = 2 ** 28;

/** Hopfield's temperature: beyond these the softmax's scale 1 / (temperature sqrt(d)) leaves float32 or the attention is uniform to its precision. */
const TEMPERATURE_RANGE = [1e-6, 1e6] as const;

/** Seeds are what the weight generator takes (32 bits): a larger one would give some smaller one's weights. */
const MAX_SEED = 2 ** 32 - 1;

function requireInteger(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer in [${min}, ${max}] (got ${JSON.stringify(value)})`);
  }
}

/** A weight of a * b values, refused by the knob `field` that makes it past MAX_WEIGHT_VALUES. */
function requireWeightFits(field: string, value: number, other: string, a: number, b: number): void {
  if (a * b > MAX_WEIGHT_VALUES) {
    throw new ConfigError(
      field,
      `${value} with ${other} makes a weight of ${a * b} values; at most ${MAX_WEIGHT_VALUES} (2^28) fit a backend`,
    );
  }
}

/** Fills defaults and checks every field, throwing a ConfigError that names the field. */
export function resolveConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const known = new Set(Object.keys(DEFAULT_CONFIG));
  for (const key of Object.keys(partial)) {
    if (!known.has(key)) {
      throw new ConfigError(key, `is not a config field (fields: ${[...known].join(', ')})`);
    }
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const config: ModelConfig = { ...DEFAULT_CONFIG, ...defined };
  for (const [field, max] of Object.entries(MAXIMA))
    requireInteger(field, config[field as keyof typeof MAXIMA], 1, max);
  const D = config.hiddenDim;
  requireWeightFits('vocabSize', config.vocabSize, `hiddenDim ${D}`, config.vocabSize, D);
  requireWeightFits('ffDim', config.ffDim, `hiddenDim ${D}`, config.ffDim, D);
  requireWeightFits('expansionFactor', config.expansionFactor, `hiddenDim ${D}`, config.expansionFactor * D, D);
  if (config.hiddenDim % config.numHeads !== 0) {
    throw new ConfigError(
      'numHeads',
      `must divide hiddenDim (hiddenDim ${config.hiddenDim}, numHeads ${config.numHeads})`,
    );
  }
  if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1)) {
    throw new ConfigError('dropout', `must be in [0, 1) (got ${JSON.stringify(config.dropout)})`);
  }
  // The delta rule scales the state along k by 1 - beta each write: outside [0, 2] it grows without bound.
  if (typeof config.beta !== 'number' || !(config.beta >= 0 && config.beta <= 2)) {
    throw new ConfigError(
      'beta',
      `must be in [0, 2], where the delta rule's state stays bounded (got ${JSON.stringify(config.beta)})`,
    );
  }
  const [coldest, hottest] = TEMPERATURE_RANGE;
  if (typeof config.temperature !== 'number' || !(config.temperature >= coldest && config.temperature <= hottest)) {
    throw new ConfigError(
      'temperature',
      `must be a number in [${coldest.toFixed(6)}, ${hottest}] (got ${JSON.stringify(config.temperature)})`,
    );
  }
  if (typeof config.learnedBeta !== 'boolean') {
    throw new ConfigError('learnedBeta', `must be true or false (got ${JSON.stringify(config.learnedBeta)})`);
  }
  requireInteger('seed', config.seed, 0, MAX_SEED);
  if (config.compressionFactor !== undefined) {
    requireInteger('compressionFactor', config.compressionFactor, 1, D);
    if (config.hiddenDim % config.compressionFactor !== 0) {
      throw new ConfigError(
        'compressionFactor',
        `must divide hiddenDim (hiddenDim ${config.hiddenDim}, compressionFactor ${config.compressionFactor})`,
      );
    }
    const d = headDim(config);
    requireWeightFits(
      'compressionFactor',
      config.compressionFactor,
      `head size ${d}`,
      d * d,
      D / config.compressionFactor,
    );
  }
  return config;
}

/** Head size d = D / h. */
export function headDim(config: ModelConfig): number {
  return config.hiddenDim / config.numHeads;
}
