import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { packageRoot, packageVersion } from '../package_root';
import * as tf from '@tensorflow/tfjs-core';
import { ActiveBackend } from '../../models/backends/setup';
import { ADAPTER_ENV } from '../../models/backends/webgpu';
import { RunEnvironment } from '../results/schema';

/** The bsbr package's folder: the nearest ancestor of this file with a package.json. */
function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The commit of the bsbr checkout being run, or null when the package is not its own git checkout. */
function gitCommit(root: string): string | null {
  const top = git(['rev-parse', '--show-toplevel'], root);
  if (top === null || fs.realpathSync(top) !== fs.realpathSync(root)) return null;
  return git(['rev-parse', 'HEAD'], root);
}

/** The variables that choose the GPU a process gets: tfjs-node-gpu's CUDA devices, Dawn's adapter. */
const DEVICE_SELECTION = ['CUDA_VISIBLE_DEVICES', ADAPTER_ENV];

function deviceSelection(): Record<string, string> {
  return Object.fromEntries(DEVICE_SELECTION.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]));
}

/** The machine's 1-minute load average; null on Windows, where Node reports none. */
export function oneMinuteLoad(): number | null {
  return process.platform === 'win32' ? null : os.loadavg()[0];
}

/** Where and with what a run was measured; the backend as the worker processes set it up. */
export function captureEnvironment(backend: ActiveBackend): RunEnvironment {
  const cpus = os.cpus();
  return {
    backend: backend.name,
    backend_version: backend.version,
    tfjs_core_version: tf.version_core,
    bsbr_version: packageVersion(),
    node_version: process.version,
    platform: process.platform,
    arch: process.arch,
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpu_count: cpus.length,
    threads: backend.threads,
    total_memory_bytes: os.totalmem(),
    hostname: os.hostname(),
    git_commit: gitCommit(packageRoot()),
    adapter: backend.adapter ?? null,
    device_selection: deviceSelection(),
  };
}
