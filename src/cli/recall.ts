import * as path from 'path';
import { Command } from 'commander';
import { BACKEND_NAMES } from '../../models/backends/setup';
import { ALL_CORES } from '../../models/backends/wasm_threads';
import { decodeStateFloats } from '../../models/state_size';
import { RECALL_DEFAULTS as D } from '../options/defaults';
import { parseRecallOptions, RawRecallOptions } from '../recall/options';
import { planRecallCases, shardRecallCases } from '../recall/cases';
import { caseLabel, runRecall } from '../recall/run';
import { readRecallResults } from '../results/recall_read';
import { recallCaseConfig, recallCaseKey } from '../results/recall_schema';
import { formatListing } from '../reports/listing';
import { formatRecall, writeRecallAnalysis } from '../reports/recall';
import { EXIT } from './exit_codes';
import { withDefault } from './option_default';
import { addOutputOptions, noticeWriter, OutputOptions, printLine, printResult } from './output';
import { presetNames, withPreset } from './presets';
import { RESULTS_JSON } from '../results/write';

interface RecallCliOptions extends RawRecallOptions, OutputOptions {
  preset?: string;
  dryRun?: boolean;
}

/** Every option of `bsbr recall` on `command` (also used to read a preset's options). */
function defineRecall(command: Command): Command {
  command
    .description(
      "train each model on multi-query associative recall (MQAR, Zoology's task) and report its test accuracy against the size of its decode state (each case in its own process)",
    )
    .option(
      '--models <name...>',
      `models to train, case-insensitive, spaces or commas between them (default: all: ${D.models.join(' ')})`,
    )
    .addOption(withDefault('--hidden-dims <n...>', 'hidden sizes d_model', [...D.hiddenDims]))
    .addOption(withDefault('--tasks <L:kv...>', 'MQAR tasks as SEQ_LEN:KV_PAIRS (V > L and 4 kv <= L)', [...D.tasks]))
    .addOption(withDefault('--vocab-size <n>', 'vocabulary V (keys from [1, V/2), values from [V/2, V))', D.vocabSize))
    .addOption(withDefault('--num-layers <n>', 'layers', D.numLayers))
    .addOption(withDefault('--num-heads <n>', 'attention heads (must divide every hidden size)', D.numHeads))
    .addOption(withDefault('--ff-factor <n>', 'feed-forward inner size = factor x d_model', D.ffFactor))
    .addOption(withDefault('--chunk-size <n>', 'tokens per chunk (BSBR, Linear, DeltaNet, GAU)', D.chunkSize))
    .addOption(withDefault('--window-size <n>', 'previous tokens a query sees (SlidingWindow)', D.windowSize))
    .addOption(
      withDefault(
        '--bsbr-compression <cf...>',
        "BSBR's compression factors, each a case of its own (none: uncompressed chunk states)",
        [...D.bsbrCompression],
      ),
    )
    .addOption(
      withDefault(
        '--train-examples <n>',
        'training examples (one set per task, shared by every model)',
        D.trainExamples,
      ),
    )
    .addOption(
      withDefault('--test-examples <n>', 'test examples (from another seed than the training set)', D.testExamples),
    )
    .addOption(withDefault('--batch-size <n>', 'examples per optimizer step', D.batchSize))
    .option(
      '--steps <n>',
      `optimizer steps per case, at most (default ${D.steps}; an early stop at --target-accuracy ends sooner)`,
    )
    .option('--epochs <n>', 'instead of --steps: passes over the training set')
    .addOption(
      withDefault(
        '--warmup-steps <n>',
        'steps of linear learning-rate warm-up, then a cosine decay to 0 at the last step',
        D.warmupSteps,
      ),
    )
    .addOption(
      withDefault('--eval-every <n>', 'steps between test-set evaluations (and after the last step)', D.evalEvery),
    )
    .addOption(
      withDefault('--learning-rates <x...>', 'peak learning rates, each a case of its own (the best is reported)', [
        ...D.learningRates,
      ]),
    )
    .addOption(
      withDefault('--target-accuracy <x>', 'stop training once the test accuracy reaches this', D.targetAccuracy),
    )
    .addOption(
      withDefault('--filler <kind>', 'what the positions between the queries hold: zeros or random tokens', D.filler),
    )
    .addOption(
      withDefault(
        '--seed <n>',
        "seed of the data (training and test sets get distinct seeds from it), of the batches' order and of the weights",
        D.seed,
      ),
    )
    .addOption(withDefault('--backend <name>', `TensorFlow.js backend: auto, ${BACKEND_NAMES.join(', ')}`, D.backend))
    .option(
      '--threads <n>',
      `threads of the wasm backend per worker (default: every core, ${ALL_CORES} here, shared out among --jobs)`,
    )
    .addOption(
      withDefault(
        '--jobs <n>',
        'cases trained at once, each in its own worker process (cases are not timed against each other)',
        D.jobs,
      ),
    )
    .addOption(
      withDefault(
        '--case-timeout <s>',
        'hard wall-clock bound on one case; a case still running after it is killed and recorded as error',
        D.caseTimeoutS,
      ),
    )
    .option('--out <dir>', 'output folder for results.json, results.csv and the report (default: results/<timestamp>/)')
    .option(
      '--resume <dir>',
      'finish the interrupted run in this folder with its own settings, running only the cases it lacks',
    )
    .option(
      '--shard <i/n|auto>',
      "run the i-th of n deterministic shares of the cases (auto: from the job engine's environment, as bsbr compare); join the shards with bsbr merge",
    )
    .option(
      '--preset <name>',
      `the options of a named run, evals/presets/recall/<name>.args (${presetNames('recall').join(', ')}); other options add to them`,
    )
    .option('--dry-run', 'print the cases with their decode-state sizes, and run nothing');
  return addOutputOptions(command, 'the best accuracy per model, d_model and task');
}

function dryRun(options: RecallCliOptions, request: ReturnType<typeof parseRecallOptions>): void {
  const run =
    request.kind === 'new'
      ? { sweep: request.sweep, config: request.config, shard: request.shard, done: new Set<string>() }
      : (() => {
          const r = readRecallResults(path.join(request.dir, RESULTS_JSON));
          return { sweep: r.sweep, config: r.config, shard: r.shard, done: new Set(r.cases.map(recallCaseKey)) };
        })();
  const cases = shardRecallCases(run.sweep, run.shard).filter((c) => !run.done.has(recallCaseKey(c)));
  const rows = cases.map((c) => ({
    c,
    state: decodeStateFloats(c.model, recallCaseConfig(run.config, run.sweep, c), c.seq_len),
  }));
  printResult(
    formatListing(
      [
        { head: 'case', text: (r) => caseLabel(r.c) },
        { head: 'state floats', text: (r) => r.state.toLocaleString('en-US'), align: 'right' },
      ],
      rows,
      options.format,
      (r) => ({ ...r.c, state_floats: r.state }),
      [
        `${cases.length} of ${planRecallCases(run.sweep).length} cases, at most ${run.sweep.steps} steps of batch ${run.sweep.batch_size} each`,
      ],
    ),
  );
}

async function recall(options: RecallCliOptions, command: Command): Promise<void> {
  const request = parseRecallOptions(withPreset(options, command, defineRecall, 'recall'));
  if (options.dryRun) return dryRun(options, request);
  const notice = noticeWriter(options);
  const { dir, results } = await runRecall(request, notice);
  const written = await writeRecallAnalysis(results, dir, path.join(dir, RESULTS_JSON));
  written.notices.forEach(notice);
  printResult(formatRecall(results, options.format));
  notice(
    `wrote results.json, results.csv and ${written.files.length} files to ${dir}; open ${path.join(dir, 'report.html')}`,
  );
  if (!results.cases.some((c) => c.status === 'ok')) {
    printLine('bsbr: no case trained ok: every case failed (see the messages above)');
    process.exitCode = EXIT.failed;
  }
}

/** `bsbr recall`: MQAR accuracy against decode-state size, one case per (model, d_model, task, learning rate). */
export function registerRecall(program: Command): void {
  defineRecall(program.command('recall')).action(recall);
}
