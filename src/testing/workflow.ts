/**
 * Runs the `run` steps of a GitHub Actions workflow's job here, as far as this machine allows: each
 * job in its own folder standing for the runner's checkout (bin/ and evals/shard.sh linked from this
 * package, which is built already), with the `${{ ... }}` expressions replaced; `uses` steps
 * (checkout, node, artifacts) and `npm ci` are left out, and the test moves the artifacts itself.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../package_root';
import { CliResult, collect } from './cli';

// js-yaml 3 has no types of its own; safeLoad reads plain YAML only (no custom tags).
const yaml = require('js-yaml') as { safeLoad(text: string): unknown };

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  if?: string;
}

export interface WorkflowJob {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown[]>; 'fail-fast'?: boolean };
  steps: WorkflowStep[];
}

export interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, WorkflowJob>;
}

export function readWorkflow(name: string): Workflow {
  return yaml.safeLoad(fs.readFileSync(path.join(packageRoot(), '.github', 'workflows', name), 'utf8')) as Workflow;
}

/** `text` with each `${{ name }}` replaced by values[name]; an unknown name throws. */
export function substitute(text: string, values: Record<string, string | number>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${{ ${name} }} in: ${text}`);
    return String(values[name]);
  });
}

/** A folder standing for a runner's checkout of this package. */
export function fakeCheckout(dir: string): void {
  fs.mkdirSync(path.join(dir, 'evals', 'presets'), { recursive: true });
  fs.symlinkSync(path.join(packageRoot(), 'bin'), path.join(dir, 'bin'));
  fs.symlinkSync(path.join(packageRoot(), 'evals', 'shard.sh'), path.join(dir, 'evals', 'shard.sh'));
}

function runBash(script: string, cwd: string): Promise<CliResult> {
  return collect(spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Runs the job's `run` steps in `cwd` in order, stopping at the first that fails; resolves to the last result. */
export async function runJob(
  job: WorkflowJob,
  cwd: string,
  values: Record<string, string | number>,
): Promise<CliResult> {
  let last: CliResult = { code: 0, stdout: '', stderr: '' };
  for (const step of job.steps) {
    if (step.run === undefined || step.run.trim() === 'npm ci') continue;
    last = await runBash(substitute(step.run, values), cwd);
    if (last.code !== 0) return last;
  }
  return last;
}
