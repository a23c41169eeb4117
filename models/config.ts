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

const POSITIVE_INTEGERS = [
  'vocabSize', 'hiddenDim', 'numLayers', 'numHeads', 'ffDim', 'chunkSize', 'windowSize',
  'updateSteps', 'expansionFactor',
] as const;

function requirePositiveInteger(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer (got ${JSON.stringify(value)})`);
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
  for (const field of POSITIVE_INTEGERS) requirePositiveInteger(field, config[field]);
  if (config.hiddenDim % config.numHeads !== 0) {
    throw new ConfigError('numHeads', `must divide hiddenDim (hiddenDim ${config.hiddenDim}, numHeads ${config.numHeads})`);
  }
  if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1)) {
    throw new ConfigError('dropout', `must be in [0, 1) (got ${JSON.stringify(config.dropout)})`);
  }
  // The delta rule scales the state along k by 1 - beta each write: outside [0, 2] it grows without bound.
  if (typeof config.beta !== 'number' || !(config.beta >= 0 && config.beta <= 2)) {
    throw new ConfigError('beta', `must be in [0, 2], where the delta rule's state stays bounded (got ${JSON.stringify(config.beta)})`);
  }
  if (typeof config.temperature !== 'number' || !(config.temperature > 0) || !Number.isFinite(config.temperature)) {
    throw new ConfigError('temperature', `must be a positive number (got ${JSON.stringify(config.temperature)})`);
  }
  if (typeof config.learnedBeta !== 'boolean') {
    throw new ConfigError('learnedBeta', `must be true or false (got ${JSON.stringify(config.learnedBeta)})`);
  }
  if (!Number.isInteger(config.seed)) {
    throw new ConfigError('seed', `must be an integer (got ${JSON.stringify(config.seed)})`);
  }
  if (config.compressionFactor !== undefined) {
    requirePositiveInteger('compressionFactor', config.compressionFactor);
    if (config.hiddenDim % config.compressionFactor !== 0) {
      throw new ConfigError('compressionFactor', `must divide hiddenDim (hiddenDim ${config.hiddenDim}, compressionFactor ${config.compressionFactor})`);
    }
  }
  return config;
}

/** Head size d = D / h. */
export function headDim(config: ModelConfig): number {
  return config.hiddenDim / config.numHeads;
}
