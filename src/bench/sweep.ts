/** Runs the cases of a sweep (or of its shard) that have no row yet, one worker process per case, writing after each. */
import * as path from 'path';
import { BackendError, BackendName } from '../../models/backends/setup';
import { FileError } from '../io/file_error';
import { CaseResult, ResultsFile } from '../results/schema';
import { oneMinuteLoad } from './environment';
import { caseThreads } from '../sweep/case_threads';
import { limitExceeded, skipReason } from './limits';
import { SweepProgress } from './progress';
import { measuredRow, unmeasuredRow } from './rows';
import { PlannedCase, sameCase } from '../sweep/cases';
import { samplingOf } from './sampling';
import { shardCases } from '../sweep/shards';
import { runWorker } from './worker_client';
import { RESULTS_JSON, writeResults } from '../results/write';

export interface SweepRun {
  /** The output folder; results.json and results.csv are rewritten there after every case. */
  dir: string;
  /** The run so far; its cases grow as the sweep goes. */
  results: ResultsFile;
  /** The backend every worker sets up (resolved, never 'auto', so all cases use the same one). */
  backend: BackendName;
  progress: SweepProgress;
  /** Hard wall-clock bound on one case's worker, in seconds. */
  caseTimeoutS: number;
  /** The script each case's worker runs; undefined: the case worker (src/bench/case_worker.ts). */
  workerScript?: string;
}

/**
 * The wasm threads of a case: those the run's calibration ran on (every core, or --threads; runs from
 * before bsbr recorded them ran on one), or one for a small case under the default rule
 * (src/sweep/case_threads.ts; older runs, without sweep.threads, ran every case on the same). Undefined for
 * other backends.
 */
function wasmThreads(results: ResultsFile, c: PlannedCase): number | undefined {
  if (results.environment.backend !== 'wasm') return undefined;
  const cores = results.environment.threads ?? 1;
  return results.sweep.threads === undefined ? cores : caseThreads(c, results.sweep, results.config, cores);
}

/** The parameter count of a model from any earlier row (it does not depend on length or mode), else 0. */
function knownParams(rows: readonly CaseResult[], model: string): number {
  return rows.find((r) => r.model === model && r.params > 0)?.params ?? 0;
}

async function runCase(run: SweepRun, c: PlannedCase): Promise<CaseResult> {
  const { results } = run;
  const ctx = { runId: results.run_id, backend: run.backend, sweep: results.sweep, config: results.config };
  const skip = skipReason(results.cases, c.model, c.mode, c.seqLen, results.sweep);
  if (skip) return unmeasuredRow(ctx, c, 'skipped', skip, knownParams(results.cases, c.model));
  const { batch_size: batchSize, warmup } = results.sweep;
  const threads = wasmThreads(results, c);
  const job = {
    kind: 'case',
    backend: run.backend,
    threads,
    config: results.config,
    spec: {
      model: c.model,
      mode: c.mode,
      seqLen: c.seqLen,
      batchSize,
      warmup,
      sampling: samplingOf(results.sweep),
      seed: results.config.seed,
    },
    weightsFile: results.sweep.weights_file ?? undefined,
  } as const;
  const load_before = oneMinuteLoad();
  const reply = await runWorker(job, run.caseTimeoutS, run.workerScript);
  const load = { load_before, load_after: oneMinuteLoad() };
  if (reply.ok && reply.kind === 'case' && threads !== undefined && reply.backend.threads !== threads) {
    const notice = reply.backend.notice ? ` (${reply.backend.notice})` : '';
    return unmeasuredRow(
      ctx,
      c,
      'error',
      `ran on ${reply.backend.threads} threads, not the ${threads} asked for${notice}`,
      reply.measurement.params,
      load,
    );
  }
  if (reply.ok && reply.kind === 'case') {
    const row = measuredRow(ctx, c, reply.measurement, load, reply.backend.threads);
    const over = limitExceeded(row, results.sweep);
    if (over)
      row.message = [row.message, `${over}; longer lengths of ${c.model} ${c.mode} are not run`]
        .filter(Boolean)
        .join('; ');
    return row;
  }
  if (!reply.ok && reply.stage === 'backend')
    throw new BackendError(`backend '${run.backend}' is not usable: ${reply.message}`);
  const message = reply.ok ? `unexpected ${reply.kind} reply from the worker` : reply.message;
  return unmeasuredRow(
    ctx,
    c,
    'error',
    message,
    (!reply.ok && reply.params) || knownParams(results.cases, c.model),
    load,
  );
}

/** Writes the run; a failure (a full disk) says that what was written before is kept and how to go on. */
function save(run: SweepRun): void {
  try {
    writeResults(run.dir, run.results);
  } catch (err) {
    if (!(err instanceof FileError)) throw err;
    throw new FileError(
      err.field,
      `${err.message}; the cases finished before are kept in ${path.join(run.dir, RESULTS_JSON)}: make room, then finish with bsbr compare --resume ${run.dir}`,
    );
  }
}

export async function runSweep(run: SweepRun): Promise<void> {
  const { results } = run;
  const cases = shardCases(results.sweep, results.config, results.shard);
  const order = (row: CaseResult) => cases.findIndex((c) => sameCase(row, c));
  const pending = cases.filter((c) => !results.cases.some((row) => sameCase(row, c)));
  run.progress.start(cases.length, cases.length - pending.length);
  try {
    for (const c of pending) {
      run.progress.caseStarted(c);
      const row = await runCase(run, c);
      results.cases = [...results.cases, row].sort((a, b) => order(a) - order(b));
      save(run);
      run.progress.caseFinished(row);
    }
  } finally {
    run.progress.stop();
  }
}
