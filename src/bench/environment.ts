import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
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

/**
 * Whether the checkout's tracked files differ from its commit (`git status`, untracked files left
 * out): the commit alone then does not say what ran. Null outside a git checkout of bsbr.
 */
function gitModified(root: string): boolean | null {
  if (gitCommit(root) === null) return null;
  const status = git(['status', '--porcelain', '--untracked-files=no'], root);
  return status === null ? null : status !== '';
}

/** The built code's folders: what bin/bsbr.js and its workers run. */
const BUILT_CODE = ['src', 'models'];

/**
 * SHA-256 over the built JavaScript that ran (dist/src and dist/models, each .js file's path and
 * bytes, in path order): two runs with the same hash ran the same code, whatever the commit says.
 * Null where there is no dist folder (run from sources by ts-jest).
 */
export function codeHash(root: string): string | null {
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(dist)) return null;
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.js')) files.push(full);
    }
  };
  for (const folder of BUILT_CODE) if (fs.existsSync(path.join(dist, folder))) walk(path.join(dist, folder));
  const hash = createHash('sha256');
  for (const file of files.map((f) => path.relative(dist, f).split(path.sep).join('/')).sort()) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(dist, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** The variables that choose the GPU a process gets: tfjs-node-gpu's CUDA devices, Dawn's adapter. */
const DEVICE_SELECTION = ['CUDA_VISIBLE_DEVICES', ADAPTER_ENV];

function deviceSelection(): Record<string, string> {
  return Object.fromEntries(
    DEVICE_SELECTION.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]),
  );
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
    git_modified: gitModified(packageRoot()),
    code_sha256: codeHash(packageRoot()),
    adapter: backend.adapter ?? null,
    device_selection: deviceSelection(),
  };
}
