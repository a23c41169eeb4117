import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { WorkerJob, WorkerReply } from './jobs';

/** The compiled worker script (dist/src/bench/case_worker.js beside this file). */
export const WORKER_SCRIPT = path.join(__dirname, 'case_worker.js');

/** Keeps the end of what a worker wrote to stderr, to explain a crash. */
function tailCollector(): { push(chunk: Buffer): void; lastLine(): string } {
  let text = '';
  return {
    push(chunk) {
      text = (text + chunk.toString('utf8')).slice(-4000);
    },
    lastLine() {
      return text.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
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
 * code or signal and the last line it wrote to stderr.
 */
export function runWorker(job: WorkerJob, script: string = WORKER_SCRIPT): Promise<WorkerReply> {
  if (!fs.existsSync(script)) {
    return Promise.reject(new Error(`the benchmark worker ${script} is missing; run \`npm run build\``));
  }
  return new Promise((resolve, reject) => {
    const child = fork(script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    const stderr = tailCollector();
    let reply: WorkerReply | undefined;
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('message', (message) => {
      reply = message as WorkerReply;
    });
    child.on('error', reject);
    // 'close' comes after the process has exited and its stderr has been read to the end.
    child.on('close', (code, signal) => {
      resolve(reply ?? { ok: false, stage: 'crash', message: crashMessage(code, signal, stderr.lastLine()) });
    });
    child.send(job);
  });
}
