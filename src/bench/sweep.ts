/** Runs the cases of a sweep that have no row yet, one worker process per case, writing after each. */
import { BackendError, BackendName } from '../../models/backends/setup';
import { CaseResult, ResultsFile } from '../results/schema';
import { limitExceeded, skipReason } from './limits';
import { SweepReporter } from './report';
import { measuredRow, PlannedCase, planCases, sameCase, unmeasuredRow } from './rows';
import { runWorker } from './worker_client';
import { writeResults } from './write';

export interface SweepRun {
  /** The output folder; results.json and results.csv are rewritten there after every case. */
  dir: string;
  /** The run so far; its cases grow as the sweep goes. */
  results: ResultsFile;
  /** The backend every worker sets up (resolved, never 'auto', so all cases use the same one). */
  backend: BackendName;
  reporter: SweepReporter;
}

/**
 * The wasm threads every case of the run runs on: those its calibration ran on (recorded in the
 * environment; runs from before bsbr recorded them ran on one). Undefined for other backends.
 */
function wasmThreads(results: ResultsFile): number | undefined {
  return results.environment.backend === 'wasm' ? (results.environment.threads ?? 1) : undefined;
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
  const { batch_size: batchSize, warmup, repeats } = results.sweep;
  const threads = wasmThreads(results);
  const reply = await runWorker({
    kind: 'case',
    backend: run.backend,
    threads,
    config: results.config,
    spec: { model: c.model, mode: c.mode, seqLen: c.seqLen, batchSize, warmup, repeats, seed: results.config.seed },
    weightsFile: results.sweep.weights_file ?? undefined,
  });
  if (reply.ok && reply.kind === 'case' && threads !== undefined && reply.backend.threads !== threads) {
    const notice = reply.backend.notice ? ` (${reply.backend.notice})` : '';
    return unmeasuredRow(ctx, c, 'error', `ran on ${reply.backend.threads} threads, not the run's ${threads}${notice}`, reply.measurement.params);
  }
  if (reply.ok && reply.kind === 'case') {
    const row = measuredRow(ctx, c, reply.measurement);
    const over = limitExceeded(row, results.sweep);
    if (over) row.message = `${over}; longer lengths of ${c.model} ${c.mode} are not run`;
    return row;
  }
  if (!reply.ok && reply.stage === 'backend') throw new BackendError(`backend '${run.backend}' is not usable: ${reply.message}`);
  const message = reply.ok ? `unexpected ${reply.kind} reply from the worker` : reply.message;
  return unmeasuredRow(ctx, c, 'error', message, (!reply.ok && reply.params) || knownParams(results.cases, c.model));
}

export async function runSweep(run: SweepRun): Promise<void> {
  const { results } = run;
  const plan = planCases(results.sweep);
  const order = (row: CaseResult) => plan.findIndex((c) => sameCase(row, c));
  const pending = plan.filter((c) => !results.cases.some((row) => sameCase(row, c)));
  run.reporter.start(plan.length, plan.length - pending.length);
  try {
    for (const c of pending) {
      run.reporter.caseStarted(c);
      const row = await runCase(run, c);
      results.cases = [...results.cases, row].sort((a, b) => order(a) - order(b));
      writeResults(run.dir, results);
      run.reporter.caseFinished(row);
    }
  } finally {
    run.reporter.stop();
  }
}
