/** `bsbr compare` from checked options to the summary: calibrate, create the output, sweep, report. */
import * as fs from 'fs';
import * as path from 'path';
import { BackendError, BackendName } from '../../models/backends/setup';
import { UsageError } from '../cli/errors';
import { formatSummary } from '../reports/summary';
import { writeAnalysis } from '../reports/write';
import { ResultsFile } from '../results/schema';
import { captureEnvironment } from './environment';
import { NewSweep, CompareRequest } from './options';
import { createReporter, summaryTable } from './report';
import { runSweep } from './sweep';
import { runWorker } from './worker_client';
import { RESULTS_CSV, RESULTS_JSON, writeResults } from './write';

/** Creates the output folder and writes the empty run into it; on failure removes what it created. */
function createOutput(out: string, results: ResultsFile): void {
  let created: string | undefined;
  try {
    created = fs.mkdirSync(out, { recursive: true });
    writeResults(out, results);
  } catch (err) {
    if (created) fs.rmSync(created, { recursive: true, force: true });
    throw new UsageError(`--out: cannot write to '${out}': ${(err as Error).message}`);
  }
}

/**
 * A new run: the calibration worker sets up the backend first (an unusable backend stops here, before
 * anything is written) and times the fixed matmul; then the output folder is created.
 */
async function startRun(request: NewSweep): Promise<{ results: ResultsFile; backend: BackendName }> {
  const weightsFile = request.sweep.weights_file;
  const reply = await runWorker({
    kind: 'calibration',
    backend: request.backend,
    threads: request.threads,
    weights: weightsFile ? { model: request.sweep.models[0], config: request.config, file: weightsFile } : undefined,
  });
  if (!reply.ok && reply.stage === 'backend') throw new BackendError(reply.message);
  if (!reply.ok && reply.stage === 'weights') throw new UsageError(reply.message);
  if (!reply.ok || reply.kind !== 'calibration') {
    throw new Error(`the calibration matmul failed: ${reply.ok ? `unexpected ${reply.kind} reply` : reply.message}`);
  }
  const results: ResultsFile = {
    format: 'bsbr-results',
    version: 1,
    run_id: request.runId,
    created_at: new Date().toISOString(),
    command: ['bsbr', ...process.argv.slice(2)],
    config: request.config,
    sweep: request.sweep,
    environment: captureEnvironment(reply.backend),
    calibration: reply.calibration,
    cases: [],
  };
  createOutput(request.out, results);
  // After the output exists, so that bad input still gets exactly one line.
  if (reply.backend.notice) console.error(reply.backend.notice);
  return { results, backend: reply.backend.name };
}

export async function runCompare(request: CompareRequest): Promise<void> {
  const { dir, results, backend } = request.kind === 'new'
    ? { dir: request.out, ...(await startRun(request)) }
    : { dir: request.dir, results: request.results, backend: request.results.environment.backend as BackendName };
  await runSweep({ dir, results, backend, reporter: createReporter() });
  console.log(summaryTable(results.cases));
  console.log(`results: ${path.join(dir, RESULTS_JSON)} and ${path.join(dir, RESULTS_CSV)}`);
  // The same analysis `bsbr analyze` writes: fits, charts and report.html beside the results.
  console.log(formatSummary(await writeAnalysis(results, dir, path.join(dir, RESULTS_JSON))));
}
