/**
 * Where the shards of a merge ran: a warning for each way they differ. Shards on different kinds of
 * machine measured with different yardsticks: their raw timings mix, and only timings divided by each
 * case's own calibration (as `bsbr regress` does) compare.
 */
import { MiB } from '../io/read_file';
import { shardLabel } from '../options/shard';
import { RunEnvironment } from '../results/schema';
import { ShardFolder } from './check_shards';

/** The kind of machine: processor, memory, system and GPU adapter, not the host's name. */
function machineKind(env: RunEnvironment): string {
  const adapter = env.adapter ? `, adapter ${env.adapter.vendor} ${env.adapter.device}` : '';
  return `${env.cpu_model} x${env.cpu_count}, ${(env.total_memory_bytes / (1024 * MiB)).toFixed(0)} GiB, ${env.platform}-${env.arch}${adapter}`;
}

/** What measured: bsbr, its backend and the runtime. */
function software(env: RunEnvironment): string {
  return `bsbr ${env.bsbr_version}${env.git_commit ? ` (${env.git_commit.slice(0, 12)})` : ''}, ${env.backend} ${env.backend_version}, tfjs-core ${env.tfjs_core_version}, node ${env.node_version}`;
}

/** 'shards 1/4, 2/4: <value>; shard 3/4: <other>' when the shards differ in `describe`, else null. */
function differing(folders: readonly ShardFolder[], describe: (env: RunEnvironment) => string): string | null {
  const groups = new Map<string, string[]>();
  for (const { results } of folders) {
    const value = describe(results.environment);
    groups.set(value, [...(groups.get(value) ?? []), shardLabel(results.shard)]);
  }
  if (groups.size < 2) return null;
  return [...groups]
    .map(([value, shards]) => `${shards.length > 1 ? 'shards' : 'shard'} ${shards.join(', ')}: ${value}`)
    .join('; ');
}

export function machineWarnings(folders: readonly ShardFolder[]): string[] {
  const warnings: string[] = [];
  const kinds = differing(folders, machineKind);
  if (kinds) {
    warnings.push(
      `the shards ran on different kinds of machine (${kinds}); raw timings from different shards do not compare: bsbr regress divides each case by its own shard's calibration, while analyze's fits and charts use the raw timings`,
    );
  }
  const versions = differing(folders, software);
  if (versions) warnings.push(`the shards ran different software (${versions})`);
  return warnings;
}
