/** `bsbr compare` from checked options to a finished run: claim the folder, calibrate, sweep, analyse. */
import * as path from 'path';
import { BackendError, BackendName } from '../../models/backends/setup';
import { printable } from '../io/printable';
import { onInterrupt } from '../io/signals';
import { UsageError } from '../options/usage_error';
import { ResultsFile } from '../results/schema';
import { CALIBRATION_TIMEOUT_S } from './calibration';
import { captureEnvironment, oneMinuteLoad } from './environment';
import { CompareRequest, NewSweep, readResumable } from './options';
import { SweepProgress } from './progress';
import { claimRunFolder, RunFolder, runOpening } from './run_folder';
import { RunError } from './run_error';
import { runSweep } from './sweep';
import { runWorker } from './worker_client';
import { RESULTS_JSON, writeResults } from '../results/write';

/**
 * A new run in its claimed folder: the calibration worker sets up the backend first (an unusable
 * backend stops here, and the folder is given back as it was) and times the fixed matmul; then
 * the empty run is written.
 */
async function startRun(
  request: NewSweep,
  folder: RunFolder,
  notice: (line: string) => void,
): Promise<{ results: ResultsFile; backend: BackendName }> {
  const weightsFile = request.sweep.weights_file;
  const load_before = oneMinuteLoad();
  const reply = await runWorker(
    {
      kind: 'calibration',
      backend: request.backend,
      threads: request.threads,
      weights: weightsFile ? { model: request.sweep.models[0], config: request.config, file: weightsFile } : undefined,
    },
    CALIBRATION_TIMEOUT_S,
  );
  if (!reply.ok && reply.stage === 'backend') throw new BackendError(reply.message);
  if (!reply.ok && reply.stage === 'weights') throw new UsageError('--weights', reply.message);
  if (!reply.ok || reply.kind !== 'calibration') {
    throw new RunError(`the calibration matmul failed: ${reply.ok ? `unexpected ${reply.kind} reply` : reply.message}`);
  }
  const results: ResultsFile = {
    format: 'bsbr-results',
    version: 1,
    ...runOpening(request, folder),
    config: request.config,
    sweep: request.sweep,
    environment: captureEnvironment(reply.backend),
    calibration: { ...reply.calibration, load_before, load_after: oneMinuteLoad() },
    shard: request.shard,
    cases: [],
  };
  writeResults(folder.dir, results);
  // After the output exists, so that bad input still gets exactly one line.
  if (reply.backend.notice) notice(reply.backend.notice);
  return { results, backend: reply.backend.name };
}

/** A finished run: its folder, its results (also written there) and what `analyse` made of them. */
export interface CompletedRun<Analysis> {
  dir: string;
  results: ResultsFile;
  analysis: Analysis;
}

/**
 * Runs the sweep, then `analyse` (still under the folder's lock: the command line writes the
 * analysis beside the results); resolves to the run, whose cases say how it went. `notice` takes
 * one-line remarks (a backend fallback).
 */
export async function runCompare<Analysis>(
  request: CompareRequest,
  progress: SweepProgress,
  notice: (line: string) => void,
  analyse: (results: ResultsFile, dir: string) => Promise<Analysis>,
): Promise<CompletedRun<Analysis>> {
  const folder = claimRunFolder(request);
  let run: { results: ResultsFile; backend: BackendName } | undefined;
  const forget = onInterrupt((signal) => {
    progress.stop();
    folder.release();
    const file = path.join(folder.dir, RESULTS_JSON);
    console.error(
      printable(
        run
          ? `bsbr: interrupted by ${signal}: the ${run.results.cases.length} finished cases are kept in ${file}; finish the run with: bsbr compare --resume ${folder.dir}`
          : `bsbr: interrupted by ${signal} before the sweep started; nothing was written`,
      ),
    );
  });
  try {
    if (request.kind === 'new') {
      run = await startRun(request, folder, notice);
    } else {
      // Read again under the lock: a writer that just ended may have added cases since the options were checked.
      const results = readResumable(request.dir);
      if (request.retryFailed) results.cases = results.cases.filter((c) => c.status === 'ok');
      run = { results, backend: results.environment.backend as BackendName };
    }
    const { results, backend } = run;
    await runSweep({ dir: folder.dir, results, backend, progress, caseTimeoutS: request.caseTimeoutS });
    const analysis = await analyse(results, folder.dir);
    return { dir: folder.dir, results, analysis };
  } finally {
    forget();
    folder.release();
  }
}
