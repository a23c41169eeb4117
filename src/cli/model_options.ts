import { Command } from 'commander';
import { modelsReading } from '../../models/descriptors';
import { MODEL_DEFAULTS as D } from '../options/defaults';
import { NO_COMPRESSION } from '../options/model_options';
import { withDefault } from './option_default';

/** The architectures that read a knob, as the help names them: "BSBR, Linear, DeltaNet, GAU". */
const readers = (knob: Parameters<typeof modelsReading>[0]) => modelsReading(knob).join(', ');

/** Adds the model-config options, with the defaults of the original comparison (README, "The command line's defaults differ in one knob"). */
export function addModelOptions(command: Command): Command {
  return command
    .addOption(withDefault('--vocab-size <n>', 'vocabulary size', D.vocabSize))
    .addOption(withDefault('--hidden-dim <n>', 'hidden size D', D.hiddenDim))
    .addOption(withDefault('--num-layers <n>', 'number of layers', D.numLayers))
    .addOption(withDefault('--num-heads <n>', 'attention heads (must divide the hidden size)', D.numHeads))
    .addOption(withDefault('--ff-dim <n>', 'feed-forward inner size', D.ffDim))
    .addOption(withDefault('--chunk-size <n>', `tokens per chunk (${readers('chunkSize')})`, D.chunkSize))
    .addOption(
      withDefault('--window-size <n>', `previous tokens a query sees (${readers('windowSize')})`, D.windowSize),
    )
    .addOption(withDefault('--beta <x>', `fixed delta-rule write strength (${readers('beta')})`, D.beta))
    .addOption(
      withDefault(
        '--learned-beta',
        `learn beta per head and token instead (${readers('learnedBeta')}; adds beta_proj weights)`,
        D.learnedBeta,
      ),
    )
    .addOption(withDefault('--temperature <x>', `softmax temperature (${readers('temperature')})`, D.temperature))
    .addOption(withDefault('--update-steps <n>', `retrieval iterations (${readers('updateSteps')})`, D.updateSteps))
    .addOption(
      withDefault(
        '--expansion-factor <n>',
        `inner size E = factor x hidden size (${readers('expansionFactor')})`,
        D.expansionFactor,
      ),
    )
    .addOption(
      withDefault(
        '--compression-factor <n>',
        `compress chunk states to hidden size / n features, or none (${readers('compressionFactor')})`,
        D.compressionFactor ?? NO_COMPRESSION,
      ),
    )
    .addOption(withDefault('--seed <n>', 'weight initialisation seed', D.seed));
}
