/** The model-config options of `bsbr compare` and `bsbr weights save`, as typed, and the config they give. */
import { ConfigError, DEFAULT_CONFIG, ModelConfig, resolveConfig } from '../../models/config';
import { parseNumber } from './numbers';
import { flag, UsageError } from './usage_error';

/** The numeric fields, in the order of the options' help. */
export const MODEL_NUMBER_FIELDS = [
  'vocabSize', 'hiddenDim', 'numLayers', 'numHeads', 'ffDim', 'chunkSize', 'windowSize', 'beta', 'temperature',
  'updateSteps', 'expansionFactor', 'compressionFactor', 'seed',
] as const;
type NumberField = (typeof MODEL_NUMBER_FIELDS)[number];

/**
 * The options as commander hands them over (camelCase, like ModelConfig): every field but dropout
 * (inactive), numbers as typed, compressionFactor 0 meaning none.
 */
export type ModelOptions = Record<NumberField, string> & { learnedBeta: boolean };

/** The defaults of the original comparison: DEFAULT_CONFIG's, with BSBR's state compression 2. */
export const MODEL_OPTION_DEFAULTS: Readonly<ModelOptions> = {
  ...(Object.fromEntries(MODEL_NUMBER_FIELDS.map((field) => [field, String(DEFAULT_CONFIG[field] ?? 0)])) as Record<NumberField, string>),
  compressionFactor: '2',
  learnedBeta: false,
};

/** The model config the options describe, every field checked by resolveConfig; a problem names the option. */
export function modelConfigFromOptions(options: ModelOptions): ModelConfig {
  const config: Partial<ModelConfig> = { learnedBeta: options.learnedBeta };
  for (const field of MODEL_NUMBER_FIELDS) config[field] = parseNumber(flag(field), options[field]);
  if (config.compressionFactor === 0) config.compressionFactor = undefined;
  try {
    return resolveConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(flag(err.field), `${flag(err.field)}: ${err.message}`);
    throw err;
  }
}
