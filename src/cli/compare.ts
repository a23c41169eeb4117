import { Command } from 'commander';
import { MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES } from '../../models/backends/setup';
import { CALIBRATION } from '../bench/calibration';
import { parseCompareOptions, RawCompareOptions } from '../bench/options';
import { runCompare } from '../bench/run';
import { EXIT } from './exit_codes';
import { addModelOptions } from './model_options';
import { withDefault } from './option_default';

/** `bsbr compare`: sweep sequence lengths over models and measure each (model, mode, length) case. */
export function registerCompare(program: Command): void {
  const { size, gpuSize } = CALIBRATION;
  const compare = program
    .command('compare')
    .description(`sweep sequence lengths over models and measure time, memory, parameters and FLOPs of each case (each case in its own process; a ${size}^3 matmul, ${gpuSize}^3 on a GPU, calibrates the run)`)
    .addOption(withDefault('--seq-lengths <n...>', 'sequence lengths in tokens', [64, 128, 256, 512, 1024]))
    .option('--models <name...>', `models to run, case-insensitive (default: all: ${MODEL_NAMES.join(' ')})`)
    .addOption(withDefault('--mode <mode...>', 'forward: one forward pass over n tokens; decode: one single-token step after an untimed prefill of n tokens (both may be given)', ['forward']));
  addModelOptions(compare)
    .addOption(withDefault('--batch-size <n>', 'sequences per call', 1))
    .addOption(withDefault('--warmup <n>', 'untimed calls before the timed ones', 2))
    .addOption(withDefault('--repeats <n>', 'timed calls per case (median, min, max, mean and std are reported)', 5))
    .addOption(withDefault('--backend <name>', `TensorFlow.js backend: auto, ${BACKEND_NAMES.join(', ')} (auto takes the fastest that loads)`, 'auto'))
    .option('--time-limit <s>', 'a case whose median exceeds this many seconds is the last length run for its model and mode')
    .option('--max-memory <MB>', 'a case whose peak resident memory exceeds this many MB (2^20 bytes) is the last length run for its model and mode')
    .addOption(withDefault('--case-timeout <s>', 'hard wall-clock bound on one case (build, prefill, every call); a case still running after it is killed and recorded as error', 1800))
    .option('--weights <file>', 'a safetensors file (the original package\'s state_dict names) loaded into the model instead of its seeded weights; needs exactly one --models NAME whose config fits the file')
    .option('--out <dir>', 'output folder for results.json and results.csv (default: results/<timestamp>/)')
    .option('--resume <dir>', 'finish the interrupted run in this folder with its own settings, running only the cases it lacks')
    .option('--retry-failed', 'with --resume: run again the cases that are not ok (error, non-finite, and those skipped after them)')
    .option('--shard <i/n|auto>', 'run the i-th of n deterministic shares of the cases, balanced by estimated work (auto: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/JOB_COMPLETIONS); join the shards with bsbr merge')
    .action(async (options: RawCompareOptions, command: Command) => {
      const request = parseCompareOptions(options, (key) => command.getOptionValueSource(key) === 'cli');
      const results = await runCompare(request);
      if (!results.cases.some((c) => c.status === 'ok')) {
        console.error('bsbr: no case was measured ok: every case failed or was skipped (see the messages above)');
        process.exitCode = EXIT.failed;
      }
    });
}
