import * as path from 'path';
import { Command } from 'commander';
import { planFor } from '../../models/plan';
import { MODEL_NAMES } from '../../models/registry';
import { BACKEND_NAMES } from '../../models/backends/setup';
import { ALL_CORES, MAX_WASM_THREADS } from '../../models/backends/wasm_threads';
import { CALIBRATION } from '../bench/calibration';
import { estimateCases, referenceRates } from '../bench/estimate';
import { CompareRequest, parseCompareOptions, RawCompareOptions, readResumable } from '../bench/options';
import { createProgress } from './progress';
import { sameCase } from '../sweep/cases';
import { runCompare } from '../bench/run';
import { shardCases } from '../sweep/shards';
import { casesToCsv, RESULTS_CSV, RESULTS_JSON } from '../results/write';
import { ModelConfig } from '../../models/config';
import { readResults } from '../results/read';
import { CaseResult, ResultsFile, ShardSpec, SweepSettings } from '../results/schema';
import { formatRunSummary } from '../reports/summary';
import { writeAnalysis } from '../reports/write';
import { formatDryRun } from '../reports/dry_run';
import { exampleDataPath } from './analyze';
import { ADAPTIVE_DEFAULTS, ALL_MODELS, COMPARE_DEFAULTS } from '../options/defaults';
import { EXIT } from './exit_codes';
import { addModelOptions } from './model_options';
import { withDefault } from './option_default';
import { addOutputOptions, noticeWriter, OutputOptions, printLine, printResult } from './output';
import { presetNames, withPreset } from './presets';

interface CompareCliOptions extends RawCompareOptions, OutputOptions {
  preset?: string;
  dryRun?: boolean;
}

/** Every option of `bsbr compare` on `command` (also used to read a preset's options). */
function defineCompare(command: Command): Command {
  const { size, gpuSize } = CALIBRATION;
  command
    .description(
      `sweep sequence lengths over models and measure time, memory, parameters and FLOPs of each case (each case in its own process; a ${size}^3 matmul, ${gpuSize}^3 on a GPU, calibrates the run)`,
    )
    .addOption(
      withDefault(
        '--seq-lengths <n...>',
        'sequence lengths in tokens (spaces or commas between them)',
        COMPARE_DEFAULTS.seqLengths,
      ),
    )
    .addOption(
      withDefault(
        '--models <name...>',
        `models to run, case-insensitive, spaces or commas between them; ${ALL_MODELS}: ${MODEL_NAMES.join(' ')}`,
        COMPARE_DEFAULTS.models,
      ),
    )
    .addOption(
      withDefault(
        '--mode <mode...>',
        'forward: one forward pass over n tokens; decode: one single-token step after an untimed prefill of n tokens; train: one training step over n tokens (forward with dropout, next-token loss through the tied head, backward to every weight; no optimizer update) (several may be given)',
        COMPARE_DEFAULTS.modes,
      ),
    );
  addModelOptions(command)
    .addOption(withDefault('--batch-size <n>', 'sequences per call', COMPARE_DEFAULTS.batchSize))
    .addOption(withDefault('--warmup <n>', 'untimed calls before the timed ones', COMPARE_DEFAULTS.warmup))
    .addOption(
      withDefault(
        '--repeats <n>',
        'timed calls per case (median, its 95% interval from 6, min, max, mean and std are reported)',
        COMPARE_DEFAULTS.repeats,
      ),
    )
    .option(
      '--target-ci <percent>',
      'adaptive sampling: time each case until the 95% interval of its median is within this many percent of it (or --max-repeats, or --sample-budget)',
    )
    .option(
      '--min-repeats <n>',
      `with --target-ci: timed calls before the interval is looked at (default ${ADAPTIVE_DEFAULTS.minRepeats})`,
    )
    .option(
      '--max-repeats <n>',
      `with --target-ci: the most timed calls per case (default ${ADAPTIVE_DEFAULTS.maxRepeats})`,
    )
    .option(
      '--sample-budget <s>',
      `with --target-ci: no repeat past --min-repeats starts after this many seconds of timed calls in a case (default ${ADAPTIVE_DEFAULTS.sampleBudget})`,
    )
    .addOption(
      withDefault(
        '--backend <name>',
        `TensorFlow.js backend: auto, ${BACKEND_NAMES.join(', ')} (auto takes the fastest that loads)`,
        COMPARE_DEFAULTS.backend,
      ),
    )
    .option(
      '--threads <n>',
      `threads of the wasm backend (default: every core, ${ALL_CORES} here; at most ${MAX_WASM_THREADS} are used; other backends ignore it)`,
    )
    .option(
      '--time-limit <s>',
      'a case whose median exceeds this many seconds is the last length run for its model and mode',
    )
    .option(
      '--max-memory <MB>',
      'a case whose peak resident memory exceeds this many MB (2^20 bytes) is the last length run for its model and mode',
    )
    .addOption(
      withDefault(
        '--case-timeout <s>',
        'hard wall-clock bound on one case (build, prefill, every call); a case still running after it is killed and recorded as error',
        COMPARE_DEFAULTS.caseTimeout,
      ),
    )
    .option(
      '--weights <file>',
      "a safetensors file (the original package's state_dict names) loaded into the model instead of its seeded weights; needs exactly one --models NAME whose config fits the file",
    )
    .option('--out <dir>', 'output folder for results.json and results.csv (default: results/<timestamp>/)')
    .option(
      '--resume <dir>',
      'finish the interrupted run in this folder with its own settings, running only the cases it lacks',
    )
    .option(
      '--retry-failed',
      'with --resume: run again the cases that are not ok (error, non-finite, and those skipped after them)',
    )
    .option(
      '--shard <i/n|auto>',
      'run the i-th of n deterministic shares of the cases, balanced by estimated work (auto: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/JOB_COMPLETIONS); join the shards with bsbr merge',
    )
    .option(
      '--preset <name>',
      `the options of a named sweep, evals/presets/<name>.args (${presetNames().join(', ')}); other options add to them`,
    )
    .option('--dry-run', 'print the cases with their FLOPs and an estimated time, and run nothing');
  return addOutputOptions(command, 'the cases, as results.csv');
}

/** What a request would run: its sweep and config, and the rows it already has (a resumed run). */
function planned(request: CompareRequest): {
  sweep: SweepSettings;
  config: ModelConfig;
  shard?: ShardSpec;
  done: CaseResult[];
} {
  if (request.kind === 'new') return { sweep: request.sweep, config: request.config, shard: request.shard, done: [] };
  const stored = readResumable(request.dir);
  return {
    sweep: stored.sweep,
    config: stored.config,
    shard: stored.shard,
    done: request.retryFailed ? stored.cases.filter((c) => c.status === 'ok') : stored.cases,
  };
}

/** The cases the request would run (its shard's; a resumed run: those without a row yet) with their estimates. */
function dryRun(request: CompareRequest, options: CompareCliOptions): void {
  const { sweep, config, shard, done } = planned(request);
  const cases = shardCases(sweep, config, shard).filter((c) => !done.some((row) => sameCase(row, c)));
  const reference = readResults(exampleDataPath());
  const execution = planFor(reference.environment.backend, 0);
  printResult(
    formatDryRun(estimateCases(cases, sweep, config, referenceRates(reference), execution), reference, options.format),
  );
}

async function compare(options: CompareCliOptions, command: Command): Promise<void> {
  const request = parseCompareOptions(withPreset(options, command, defineCompare, 'compare'));
  if (options.dryRun) return dryRun(request, options);
  const notice = noticeWriter(options);
  // More shards than cases (docs/sharding.md): this one has nothing to run, and merge needs no folder of it.
  if (
    request.kind === 'new' &&
    request.shard &&
    shardCases(request.sweep, request.config, request.shard).length === 0
  ) {
    notice(
      `shard ${request.shard.index}/${request.shard.count} holds no case of this sweep (more shards than cases): nothing to run, nothing written`,
    );
    return;
  }
  // The same analysis `bsbr analyze` writes: fits, charts and report.html beside the results.
  const analyse = (results: ResultsFile, dir: string) => writeAnalysis(results, dir, path.join(dir, RESULTS_JSON));
  const {
    dir,
    results,
    analysis: written,
  } = await runCompare(request, createProgress(options.quiet ?? false), notice, analyse);
  notice(`results: ${path.join(dir, RESULTS_JSON)} and ${path.join(dir, RESULTS_CSV)}`);
  written.notices.forEach(notice);
  const summary = { results, analysis: written.analysis, source: path.join(dir, RESULTS_JSON) };
  printResult(
    formatRunSummary(summary, options.format, () => casesToCsv(results), { out_dir: dir, files: written.files }),
  );
  notice(`wrote ${written.files.length} files to ${dir}; open ${path.join(dir, 'report.html')}`);
  if (!results.cases.some((c) => c.status === 'ok')) {
    printLine('bsbr: no case was measured ok: every case failed or was skipped (see the messages above)');
    process.exitCode = EXIT.failed;
  }
}

/** `bsbr compare`: sweep sequence lengths over models and measure each (model, mode, length) case. */
export function registerCompare(program: Command): void {
  defineCompare(program.command('compare')).action(compare);
}
