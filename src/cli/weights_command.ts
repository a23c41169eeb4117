import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { ModelConfig } from '../../models/config';
import { IGNORED_WEIGHT_NAMES } from '../../models/weights';
import { canonicalModelName, createModel, MODEL_NAMES } from '../../models/registry';
import { setupBackend } from '../../models/backends/setup';
import { modelConfigFromOptions, ModelOptions } from '../options/model_options';
import { UsageError } from '../options/usage_error';
import { readSafetensorsHeader, writeSafetensors } from '../weights/safetensors';
import { printable } from '../io/printable';
import { addModelOptions } from './model_options';
import { printResult } from './output';

/** Builds the model and writes its weights; a size no array or buffer can hold is the options' fault. */
function saveWeights(file: string, name: string, config: ModelConfig): { tensors: number; params: number } {
  try {
    const model = createModel(name, config);
    try {
      const weights = model.getWeights();
      try {
        writeSafetensors(file, weights);
      } finally {
        tf.dispose([...weights.values()]);
      }
      return { tensors: weights.size, params: model.countParams() };
    } finally {
      model.dispose();
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new UsageError(
      '--model',
      `${name} with these sizes is too large to build here (${err.message}): lower --vocab-size, --hidden-dim, --ff-dim or --num-layers`,
    );
  }
}

async function save(file: string, options: ModelOptions & { model: string }): Promise<void> {
  const name = canonicalModelName(options.model);
  if (!name) throw new UsageError('--model', `unknown model '${options.model}' (valid: ${MODEL_NAMES.join(', ')})`);
  const config = modelConfigFromOptions(options);
  // The seeded weights are the same on every backend; cpu starts at once and needs nothing optional.
  await setupBackend('cpu');
  const { tensors, params } = saveWeights(file, name, config);
  printResult(`wrote ${file}: ${name}, ${tensors} tensors, ${params} parameters (seed ${config.seed})`);
}

function inspect(file: string): void {
  const entries = readSafetensorsHeader(file);
  const rows = [
    ['name', 'dtype', 'shape'],
    ...entries.map((e) => [printable(e.name), e.dtype, `[${e.shape.join(', ')}]`]),
  ];
  // A loop, not Math.max(...rows): a file may list more tensors than a call takes arguments.
  const width = (column: number) => rows.reduce((most, row) => Math.max(most, row[column].length), 0);
  const [nameWidth, dtypeWidth] = [width(0), width(1)];
  for (const [name, dtype, shape] of rows)
    printResult(`${name.padEnd(nameWidth)}  ${dtype.padEnd(dtypeWidth)}  ${shape}`);
  const counted = entries.filter((e) => !IGNORED_WEIGHT_NAMES.includes(e.name));
  const params = counted.reduce((total, e) => total + e.shape.reduce((a, b) => a * b, 1), 0);
  const ignored = entries.length - counted.length;
  printResult(
    `${entries.length} tensors, ${params} parameters` +
      (ignored ? ` (not counting ${IGNORED_WEIGHT_NAMES.join(', ')}: a buffer, not a weight)` : ''),
  );
}

/** `bsbr weights save|inspect`: model weights as safetensors files in the original package's state-dict names. */
export function registerWeights(program: Command): void {
  const weights = program
    .command('weights')
    .description(
      "save a seeded model's weights or list a safetensors file's tensors (names and shapes as the original PyTorch package's state_dict)",
    );
  addModelOptions(
    weights
      .command('save <file>')
      .description("write a seeded model's weights as a safetensors file (float32)")
      .requiredOption('--model <name>', `the architecture (${MODEL_NAMES.join(', ')}; any case) (required)`),
  ).action(save);
  weights
    .command('inspect <file>')
    .description("list a safetensors file's tensors (name, dtype, shape) and their total parameter count")
    .action(inspect);
}
