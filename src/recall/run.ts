/**
 * `bsbr recall` from checked options to a finished run: claim the folder, set the backend up once,
 * then train every case that has no row yet, each in its own worker process, up to `jobs` at once,
 * rewriting results.json and results.csv (atomically) as each finishes.
 */
import * as path from 'path';
import { BackendChoice, BackendError, BackendName } from '../../models/backends/setup';
import { ModelConfig } from '../../models/config';
import { decodeStateFloats } from '../../models/state_size';
import { captureEnvironment } from '../bench/environment';
import { claimRunFolder, RunFolder, runOpening } from '../bench/run_folder';
import { RunError } from '../bench/run_error';
import { runJob } from '../bench/worker_client';
import { onInterrupt } from '../io/signals';
import { readRecallResults } from '../results/recall_read';
import {
  RECALL_FORMAT,
  RecallCase,
  RecallCaseKey,
  recallCaseConfig,
  recallCaseKey,
  RecallResults,
  RecallSweep,
} from '../results/recall_schema';
import { writeRecallResults } from '../results/recall_write';
import { ShardSpec } from '../results/schema';
import { RecallJob, RecallReply } from './jobs';
import { recallCaseWork, shardRecallCases } from './cases';
import { TrainSpec } from './train';
import { RESULTS_JSON } from '../results/write';

/** The compiled worker script beside this file. */
export const RECALL_WORKER = path.join(__dirname, 'worker.js');

/** Seconds the setup worker may take (loading a backend). */
const SETUP_TIMEOUT_S = 300;

interface Execution {
  /** Worker processes at once. */
  jobs: number;
  /** wasm threads per worker (undefined: the backend's default). */
  threads?: number;
  /** Hard wall-clock bound on one case's worker, in seconds. */
  caseTimeoutS: number;
}

export type RecallRequest =
  | ({
      kind: 'new';
      out: string | null;
      runId: string;
      backend: BackendChoice;
      config: ModelConfig;
      sweep: RecallSweep;
      shard?: ShardSpec;
    } & Execution)
  | ({ kind: 'resume'; dir: string } & Execution);

/** What the run says as it goes (one line per finished case; nothing with --quiet). */
export type Progress = (line: string) => void;

export function trainSpec(sweep: RecallSweep, c: RecallCaseKey): TrainSpec {
  return {
    seqLen: c.seq_len,
    kvPairs: c.kv_pairs,
    trainExamples: sweep.train_examples,
    testExamples: sweep.test_examples,
    batchSize: sweep.batch_size,
    steps: sweep.steps,
    warmupSteps: sweep.warmup_steps,
    learningRate: c.learning_rate,
    evalEvery: sweep.eval_every,
    targetAccuracy: sweep.target_accuracy,
    seed: sweep.data_seed,
    filler: sweep.filler,
  };
}

export function caseLabel(c: RecallCaseKey): string {
  const model = c.compression_factor === null ? c.model : `${c.model} cf${c.compression_factor}`;
  return `${model} d=${c.hidden_dim} L=${c.seq_len} kv=${c.kv_pairs} lr=${c.learning_rate}`;
}

async function startRun(request: Extract<RecallRequest, { kind: 'new' }>, folder: RunFolder): Promise<RecallResults> {
  const reply = await runJob<RecallReply>(
    { kind: 'setup', backend: request.backend, threads: request.threads } satisfies RecallJob,
    SETUP_TIMEOUT_S,
    RECALL_WORKER,
  );
  if (!reply.ok && reply.stage === 'backend') throw new BackendError(reply.message);
  if (!reply.ok || reply.kind !== 'setup')
    throw new RunError(
      `the backend could not be set up: ${reply.ok ? `unexpected ${reply.kind} reply` : reply.message}`,
    );
  const results: RecallResults = {
    format: RECALL_FORMAT,
    version: 1,
    ...runOpening(request, folder),
    config: request.config,
    sweep: request.sweep,
    environment: captureEnvironment(reply.backend),
    shard: request.shard,
    cases: [],
  };
  writeRecallResults(folder.dir, results);
  return results;
}

async function runCase(results: RecallResults, c: RecallCaseKey, execution: Execution): Promise<RecallCase> {
  const config = recallCaseConfig(results.config, results.sweep, c);
  const backend = results.environment.backend as BackendName;
  const threads = backend === 'wasm' ? (results.environment.threads ?? undefined) : undefined;
  const job: RecallJob = { kind: 'case', backend, threads, model: c.model, config, spec: trainSpec(results.sweep, c) };
  const reply = await runJob<RecallReply>(job, execution.caseTimeoutS, RECALL_WORKER);
  const row: RecallCase = {
    run_id: results.run_id,
    ...c,
    backend,
    status: 'error',
    accuracy: null,
    final_loss: null,
    steps: null,
    wall_s: null,
    state_floats: decodeStateFloats(c.model, config, c.seq_len),
    params: null,
    message: '',
    evaluations: [],
  };
  if (reply.ok && reply.kind === 'case') {
    const { outcome } = reply;
    return {
      ...row,
      status: 'ok',
      accuracy: outcome.accuracy,
      final_loss: outcome.finalLoss,
      steps: outcome.steps,
      wall_s: reply.wall_s,
      params: reply.params,
      evaluations: outcome.evaluations,
    };
  }
  if (!reply.ok && reply.stage === 'backend')
    throw new BackendError(`backend '${backend}' is not usable: ${reply.message}`);
  return {
    ...row,
    params: (!reply.ok && 'params' in reply && reply.params) || null,
    message: reply.ok ? `unexpected ${reply.kind} reply from the worker` : reply.message,
  };
}

/** Runs the cases without a row, up to execution.jobs at once, largest first; results grow as they finish. */
async function runPending(
  dir: string,
  results: RecallResults,
  execution: Execution,
  progress: Progress,
): Promise<void> {
  const plan = shardRecallCases(results.sweep, results.shard);
  const order = new Map(plan.map((c, i) => [recallCaseKey(c), i]));
  const done = new Set(results.cases.map(recallCaseKey));
  const pending = plan.filter((c) => !done.has(recallCaseKey(c)));
  // The longest cases first, so that the last ones to finish are short.
  const queue = [...pending].sort((a, b) => recallCaseWork(b) - recallCaseWork(a));
  let finished = plan.length - pending.length;
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const row = await runCase(results, c, execution);
      results.cases = [...results.cases, row].sort(
        (a, b) => order.get(recallCaseKey(a))! - order.get(recallCaseKey(b))!,
      );
      writeRecallResults(dir, results);
      finished++;
      const outcome =
        row.status === 'ok'
          ? `accuracy ${row.accuracy!.toFixed(3)} after ${row.steps} steps, loss ${row.final_loss!.toFixed(3)}, ${row.wall_s!.toFixed(1)} s`
          : `error: ${row.message}`;
      progress(`[${finished}/${plan.length}] ${caseLabel(c)}: ${outcome}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(execution.jobs, Math.max(1, queue.length)) }, worker));
}

/** Runs (or finishes) a recall run; resolves to its folder and results. */
export async function runRecall(
  request: RecallRequest,
  progress: Progress,
): Promise<{ dir: string; results: RecallResults }> {
  const folder = claimRunFolder(request);
  let results: RecallResults | undefined;
  const forget = onInterrupt((signal) => {
    folder.release();
    console.error(
      results
        ? `bsbr: interrupted by ${signal}: the ${results.cases.length} finished cases are kept in ${path.join(folder.dir, RESULTS_JSON)}; finish the run with: bsbr recall --resume ${folder.dir}`
        : `bsbr: interrupted by ${signal} before the first case; nothing was written`,
    );
  });
  try {
    results =
      request.kind === 'new' ? await startRun(request, folder) : readRecallResults(path.join(folder.dir, RESULTS_JSON));
    await runPending(folder.dir, results, request, progress);
    return { dir: folder.dir, results };
  } finally {
    forget();
    folder.release();
  }
}
