/**
 * `bsbr compare --shard i/n|auto`: which share of the sweep this process runs. `auto` reads the index
 * the job engine gives each task: a Slurm array (SLURM_ARRAY_TASK_ID, counted from
 * SLURM_ARRAY_TASK_MIN in steps of SLURM_ARRAY_TASK_STEP, of SLURM_ARRAY_TASK_COUNT; Slurm sets all
 * four in every array task) or a Kubernetes
 * indexed Job (JOB_COMPLETION_INDEX, counted from 0, of JOB_COMPLETIONS, which Kubernetes does not
 * set: the Job's pod template sets it to the Job's `completions`).
 */
import { UsageError } from './usage_error';
import { MAX_SHARDS, ShardSpec } from '../results/schema';

const SHARD = /^(\d+)\/(\d+)$/;

/** A whole number >= 0 from an environment variable, or a UsageError naming it. */
function envInteger(env: NodeJS.ProcessEnv, name: string): number {
  const text = env[name]?.trim() ?? '';
  if (!/^\d+$/.test(text))
    throw new UsageError('--shard', `--shard auto: ${name} is '${env[name] ?? ''}', not a whole number`);
  return Number(text);
}

function checked(index: number, count: number, from: string): ShardSpec {
  if (count > MAX_SHARDS)
    throw new UsageError('--shard', `--shard: ${from} gives ${count} shards; at most ${MAX_SHARDS} are taken`);
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new UsageError(
      '--shard',
      `--shard: ${from} gives shard ${index} of ${count}; the index must be 1..${count} (count >= 1)`,
    );
  }
  return { index, count };
}

function slurmShard(env: NodeJS.ProcessEnv): ShardSpec {
  const id = envInteger(env, 'SLURM_ARRAY_TASK_ID');
  const min = envInteger(env, 'SLURM_ARRAY_TASK_MIN');
  const step = envInteger(env, 'SLURM_ARRAY_TASK_STEP');
  const count = envInteger(env, 'SLURM_ARRAY_TASK_COUNT');
  if (step < 1 || (id - min) % step !== 0) {
    throw new UsageError(
      '--shard',
      `--shard auto: SLURM_ARRAY_TASK_ID ${id} is not SLURM_ARRAY_TASK_MIN ${min} plus a multiple of SLURM_ARRAY_TASK_STEP ${step} (use an evenly spaced --array such as 0-${count - 1})`,
    );
  }
  return checked((id - min) / step + 1, count, `SLURM_ARRAY_TASK_ID ${id} (array from ${min} in steps of ${step})`);
}

function kubernetesShard(env: NodeJS.ProcessEnv): ShardSpec {
  if (env.JOB_COMPLETIONS === undefined) {
    throw new UsageError(
      '--shard',
      "--shard auto: JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not (set it in the Job's pod template env to the Job's completions)",
    );
  }
  const index = envInteger(env, 'JOB_COMPLETION_INDEX');
  return checked(index + 1, envInteger(env, 'JOB_COMPLETIONS'), `JOB_COMPLETION_INDEX ${index}`);
}

/** The shard of `--shard VALUE`: `i/n` (1 <= i <= n) or `auto` from the job engine's environment. */
export function parseShard(value: string, env: NodeJS.ProcessEnv = process.env): ShardSpec {
  const text = value.trim();
  if (text.toLowerCase() === 'auto') {
    const slurm = env.SLURM_ARRAY_TASK_ID !== undefined;
    const kubernetes = env.JOB_COMPLETION_INDEX !== undefined;
    if (slurm && kubernetes)
      throw new UsageError(
        '--shard',
        '--shard auto: both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set; give --shard i/n',
      );
    if (slurm) return slurmShard(env);
    if (kubernetes) return kubernetesShard(env);
    throw new UsageError(
      '--shard',
      '--shard auto: no job index in the environment (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with JOB_COMPLETIONS); give --shard i/n',
    );
  }
  const match = SHARD.exec(text);
  if (!match) throw new UsageError('--shard', `--shard: '${value}' is not i/n (e.g. --shard 2/4) or auto`);
  return checked(Number(match[1]), Number(match[2]), `'${value}'`);
}

/** '2/4'. */
export function shardLabel(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}
