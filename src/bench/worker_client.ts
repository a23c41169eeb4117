import { ChildProcess, fork, Serializable } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { WorkerJob, WorkerReply } from './jobs';

/** The compiled worker script (dist/src/bench/case_worker.js beside this file). */
export const WORKER_SCRIPT = path.join(__dirname, 'case_worker.js');

/** setTimeout's largest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keeps the end of what a worker wrote to stderr, to explain a crash. */
function tailCollector(): { push(chunk: Buffer): void; lastLine(): string } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString('utf8')).slice(-4000);
    },
    lastLine() {
      return (
        text
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .pop() ?? ''
      );
    },
  };
}

function crashMessage(code: number | null, signal: NodeJS.Signals | null, stderrLine: string): string {
  const how = signal
    ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory?)' : ''}`
    : `exited with code ${code}`;
  return `the worker process ${how} without a result${stderrLine ? `: ${stderrLine}` : ''}`;
}

/**
 * Runs one job in a fresh Node process and resolves to its reply; a process that dies without
 * replying (crash, out of memory, killed) resolves to { ok: false, stage: 'crash' } with its exit
 * code or signal and the last line it wrote to stderr. A process still running after `timeoutS`
 * seconds (hung, or stopped with SIGSTOP) is killed, and one never outlives this process.
 */
export function runWorker(job: WorkerJob, timeoutS: number, script: string = WORKER_SCRIPT): Promise<WorkerReply> {
  return runJob<WorkerReply>(job, timeoutS, script);
}

/** A worker that died without replying. */
export interface WorkerCrash {
  ok: false;
  stage: 'crash';
  message: string;
}

/** The workers running now, killed when this process exits (one listener, however many jobs run at once). */
const liveWorkers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of liveWorkers) child.kill('SIGKILL');
});

/**
 * runWorker for any worker script that answers one job with one reply (`bsbr recall`'s too): the
 * same process handling, timeout and crash reply.
 */
export function runJob<Reply>(job: Serializable, timeoutS: number, script: string): Promise<Reply | WorkerCrash> {
  if (!fs.existsSync(script)) {
    return Promise.reject(new Error(`the benchmark worker ${script} is missing; run \`npm run build\``));
  }
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a Ctrl-C on the terminal reaches the sweep alone, which ends
    // the worker itself: a case cut short by the user is never recorded as failed.
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [], detached: true });
    const stderr = tailCollector();
    let reply: Reply | undefined;
    let timedOut = false;
    const kill = () => child.kill('SIGKILL');
    liveWorkers.add(child);
    const timer = setTimeout(
      () => {
        timedOut = true;
        kill();
      },
      Math.min(timeoutS * 1000, MAX_TIMER_MS),
    );
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('message', (message) => {
      reply = message as Reply;
    });
    child.on('error', reject);
    // 'close' comes after the process has exited and its stderr has been read to the end.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      liveWorkers.delete(child);
      const message = timedOut
        ? `the worker did not finish within --case-timeout ${timeoutS} s and was killed`
        : crashMessage(code, signal, stderr.lastLine());
      resolve(reply ?? { ok: false, stage: 'crash', message });
    });
    // A worker that dies before it reads the job is reported by 'close' like any crash.
    child.send(job, () => undefined);
  });
}
