import { Command, InvalidArgumentError } from 'commander';
import { ModelConfig } from '../../models/config';

/**
 * The model-config options as commander parses them (camelCase, like ModelConfig): every field but
 * dropout (inactive), with compressionFactor 0 meaning none.
 */
export type ModelOptions = Omit<ModelConfig, 'dropout' | 'compressionFactor'> & { compressionFactor: number };

/** Any number; whether it fits its field (positive, integer, divides hiddenDim) is resolveConfig's to say. */
function numberArgument(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('it must be a number');
  return n;
}

/** Adds the model-config options with the defaults of the original comparison (toolkit.md, bsbr compare). */
export function addModelOptions(command: Command): Command {
  return command
    .option('--vocab-size <n>', 'vocabulary size', numberArgument, 10000)
    .option('--hidden-dim <n>', 'hidden size D', numberArgument, 256)
    .option('--num-layers <n>', 'number of layers', numberArgument, 2)
    .option('--num-heads <n>', 'attention heads (must divide the hidden size)', numberArgument, 4)
    .option('--ff-dim <n>', 'feed-forward inner size', numberArgument, 512)
    .option('--chunk-size <n>', 'tokens per chunk (BSBR, Linear, DeltaNet, GAU)', numberArgument, 32)
    .option('--window-size <n>', 'previous tokens a query sees (SlidingWindow)', numberArgument, 32)
    .option('--beta <x>', 'fixed delta-rule write strength (DeltaNet)', numberArgument, 0.9)
    .option('--learned-beta', 'learn beta per head and token instead (DeltaNet; adds beta_proj weights)', false)
    .option('--temperature <x>', 'softmax temperature (Hopfield)', numberArgument, 1.0)
    .option('--update-steps <n>', 'retrieval iterations (Hopfield)', numberArgument, 1)
    .option('--expansion-factor <n>', 'inner size E = factor x hidden size (GAU)', numberArgument, 2)
    .option('--compression-factor <n>', 'compress chunk states to hidden size / n features, 0 for none (BSBR)', numberArgument, 2)
    .option('--seed <n>', 'weight initialisation seed', numberArgument, 0);
}

const PASSED_AS_IS = [
  'vocabSize', 'hiddenDim', 'numLayers', 'numHeads', 'ffDim', 'chunkSize', 'windowSize', 'beta',
  'learnedBeta', 'temperature', 'updateSteps', 'expansionFactor', 'seed',
] as const;

/** The model config the options describe (checked later by resolveConfig, which names a bad field). */
export function modelConfigFrom(options: ModelOptions): Partial<ModelConfig> {
  const config: Partial<ModelConfig> = Object.fromEntries(PASSED_AS_IS.map((field) => [field, options[field]]));
  if (options.compressionFactor !== 0) config.compressionFactor = options.compressionFactor;
  return config;
}
