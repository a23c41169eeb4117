/** Helpers of the tests that run the built `bsbr` command (run `npm run build` first). */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from '../package_root';

export const BIN = path.join(packageRoot(), 'bin', 'bsbr.js');

/** A model small enough that a case takes milliseconds; one timed repeat, no warm-up. */
export const TINY_MODEL_ARGS = [
  '--hidden-dim',
  '16',
  '--num-heads',
  '2',
  '--ff-dim',
  '32',
  '--vocab-size',
  '100',
  '--num-layers',
  '1',
  '--chunk-size',
  '4',
  '--window-size',
  '4',
];
export const TINY_ARGS = [...TINY_MODEL_ARGS, '--repeats', '1', '--warmup', '0'];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bsbr-compare-'));
}

/** Starts `node bin/bsbr.js ...args` in `cwd` with stdout and stderr piped (so stdout is not a TTY). */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the command to the end. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return collect(startCli(args, cwd, env));
}

/** Waits for a child started with stdout and stderr piped, collecting both. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The pids of the benchmark workers a bsbr process has running (Linux: /proc). Only children that
 * already run case_worker.js: a child between fork and exec still holds its parent's command line,
 * and the parent waits, blocked, for that exec.
 */
export function workerPids(pid: number): number[] {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const children = read(`/proc/${pid}/task/${pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((child) => read(`/proc/${child}/cmdline`).includes('case_worker.js'));
}

/** Polls until `check` holds; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves when the process has exited and its output has been read, with its exit code and signal. */
export function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
}
