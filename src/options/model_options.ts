/** The model-config options of `bsbr compare` and `bsbr weights save`, as typed, and the config they give. */
import { ConfigError, ModelConfig, resolveConfig } from '../../models/config';
import { MODEL_DEFAULTS } from './defaults';
import { parseNumber } from './numbers';
import { flag, UsageError } from './usage_error';

/** The numeric fields, in the order of the options' help. */
export const MODEL_NUMBER_FIELDS = [
  'vocabSize',
  'hiddenDim',
  'numLayers',
  'numHeads',
  'ffDim',
  'chunkSize',
  'windowSize',
  'beta',
  'temperature',
  'updateSteps',
  'expansionFactor',
  'compressionFactor',
  'seed',
] as const;
type NumberField = (typeof MODEL_NUMBER_FIELDS)[number];

/**
 * How the command line spells "no compression" (`--compression-factor none`, as `bsbr recall
 * --bsbr-compression none`); the model config has no compressionFactor then. 0, the spelling of
 * earlier command lines, is read as none too.
 */
export const NO_COMPRESSION = 'none';

/**
 * The options as typed (camelCase, like ModelConfig): every field but dropout (inactive), numbers
 * as text, compressionFactor `none` (or 0) meaning none; undefined where not given.
 */
export type ModelOptions = Partial<Record<NumberField, string>> & { learnedBeta?: boolean };

/**
 * The model config the options describe, a knob not given taking MODEL_DEFAULTS' value; every field
 * checked by resolveConfig; a problem names the option.
 */
export function modelConfigFromOptions(options: ModelOptions): ModelConfig {
  const config: Partial<ModelConfig> = { learnedBeta: options.learnedBeta ?? MODEL_DEFAULTS.learnedBeta };
  for (const field of MODEL_NUMBER_FIELDS) {
    const typed = options[field];
    if (field === 'compressionFactor' && typed?.toLowerCase() === NO_COMPRESSION) config[field] = undefined;
    else config[field] = typed === undefined ? MODEL_DEFAULTS[field] : parseNumber(flag(field), typed);
  }
  if (config.compressionFactor === 0) config.compressionFactor = undefined;
  try {
    return resolveConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(flag(err.field), `${flag(err.field)}: ${err.message}`);
    throw err;
  }
}
