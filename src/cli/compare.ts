import { Command, Option } from 'commander';
import { MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES } from '../../models/backends/setup';
import { ALL_CORES, MAX_WASM_THREADS } from '../../models/backends/wasm_threads';
import { CALIBRATION } from '../bench/calibration';
import { parseCompareOptions, RawCompareOptions } from '../bench/options';
import { runCompare } from '../bench/run';
import { addModelOptions } from './model_options';

/** An option whose default help shows plainly (64 128, not ["64","128"]); values stay strings, as typed. */
function withDefault(flags: string, description: string, value: number | string | Array<number | string>): Option {
  const shown = Array.isArray(value) ? value.join(' ') : String(value);
  return new Option(flags, description).default(Array.isArray(value) ? value.map(String) : String(value), shown);
}

/** `bsbr compare`: sweep sequence lengths over models and measure each (model, mode, length) case. */
export function registerCompare(program: Command): void {
  const size = CALIBRATION.size;
  const compare = program
    .command('compare')
    .description(`sweep sequence lengths over models and measure time, memory, parameters and FLOPs of each case (each case in its own process; a ${size}x${size} matmul calibrates the run)`)
    .addOption(withDefault('--seq-lengths <n...>', 'sequence lengths in tokens', [64, 128, 256, 512, 1024]))
    .option('--models <name...>', `models to run, case-insensitive (default: all: ${MODEL_NAMES.join(' ')})`)
    .addOption(withDefault('--mode <mode...>', 'forward: one forward pass over n tokens; decode: one single-token step after an untimed prefill of n tokens (both may be given)', ['forward']));
  addModelOptions(compare)
    .addOption(withDefault('--batch-size <n>', 'sequences per call', 1))
    .addOption(withDefault('--warmup <n>', 'untimed calls before the timed ones', 2))
    .addOption(withDefault('--repeats <n>', 'timed calls per case (median, min, max, mean and std are reported)', 5))
    .addOption(withDefault('--backend <name>', `TensorFlow.js backend: auto, ${BACKEND_NAMES.join(', ')} (auto takes the fastest that loads)`, 'auto'))
    .option('--threads <n>', `threads of the wasm backend (default: every core, ${ALL_CORES} here; at most ${MAX_WASM_THREADS} are used; other backends ignore it)`)
    .option('--time-limit <s>', 'a case whose median exceeds this many seconds is the last length run for its model and mode')
    .option('--max-memory <MB>', 'a case whose peak resident memory exceeds this many MB (2^20 bytes) is the last length run for its model and mode')
    .option('--weights <file>', 'a safetensors file (the original package\'s state_dict names) loaded into the model instead of its seeded weights; needs exactly one --models NAME whose config fits the file')
    .option('--out <dir>', 'output folder for results.json and results.csv (default: results/<timestamp>/)')
    .option('--resume <dir>', 'finish the interrupted run in this folder with its own settings, running only the cases it lacks')
    .action(async (options: RawCompareOptions, command: Command) => {
      const request = parseCompareOptions(options, (key) => command.getOptionValueSource(key) === 'cli');
      await runCompare(request);
    });
}
