/**
 * Joins a run's medians with the PyTorch peer's from the same invocation (evals/gpu_bench.sh keeps
 * the peer's JSON lines as peer*.jsonl beside results.json) into one markdown table per run folder:
 * model, n, mode, our median, our GPU kernel time and dispatches per call, the peer's median, the
 * ratio (ours / peer), and device memory (our buffer pool's growth during the timed calls; the peer's peak allocation above
 * what it held before them). Rows the peer ran through flash-linear-attention get their own column.
 *   node dist/evals/peer_summary.js RUN_FOLDER...
 */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../src/results/read';

/** One line of evals/peer/bench.py's output. */
interface PeerRow {
  model: string;
  n: number;
  mode: string;
  impl: string;
  median_ms?: number;
  peak_bytes?: number | null;
  base_bytes?: number | null;
  device?: string;
  device_name?: string | null;
  torch?: string;
  error?: string;
}

function readPeer(folder: string): PeerRow[] {
  return fs
    .readdirSync(folder)
    .filter((f) => /^peer.*\.jsonl$/.test(f))
    .sort()
    .flatMap((f) =>
      fs
        .readFileSync(path.join(folder, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as PeerRow),
    );
}

const ms = (x: number | null | undefined): string =>
  x == null ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
const gb = (x: number | null | undefined): string => (x == null ? '-' : (x / 1e9).toFixed(2));

function peerCell(row: PeerRow | undefined): string {
  if (!row) return '-';
  return row.error !== undefined ? `error: ${row.error.slice(0, 40)}` : ms(row.median_ms);
}

function summary(folder: string): string {
  const run = readResults(path.join(folder, 'results.json'));
  const peer = readPeer(folder);
  const find = (model: string, n: number, mode: string, impl: string) =>
    peer.find((r) => r.model === model && r.n === n && r.mode === mode && r.impl === impl);
  const withFla = peer.some((r) => r.impl === 'fla');
  const device = peer.find((r) => r.device_name)?.device_name ?? peer[0]?.device ?? 'no peer run';
  const lines = [
    `### ${path.basename(folder)}`,
    '',
    `ours: ${run.environment.backend} (${run.environment.backend_version}), commit ${run.environment.git_commit ?? '-'}; peer: PyTorch ${peer[0]?.torch ?? '-'} on ${device}`,
    '',
    `| model | n | mode | ours ms | GPU ms | dispatches | peer ms | ratio |${withFla ? ' peer (fla) ms | ratio to fla |' : ''} memory ours / peer GB |`,
    `| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |${withFla ? ' ---: | ---: |' : ''} ---: |`,
  ];
  for (const c of run.cases) {
    const eager = find(c.model, c.seq_len, c.mode, 'eager');
    const fla = find(c.model, c.seq_len, c.mode, 'fla');
    const ours = c.status === 'ok' ? ms(c.median_ms) : c.status;
    const ratio = (p: PeerRow | undefined) =>
      c.status === 'ok' && p?.median_ms ? `${(c.median_ms! / p.median_ms).toFixed(2)}x` : '-';
    const peerMemory = eager?.peak_bytes != null ? eager.peak_bytes - (eager.base_bytes ?? 0) : null;
    lines.push(
      `| ${c.model} | ${c.seq_len} | ${c.mode} | ${ours} | ${ms(c.gpu_kernel_ms)} | ${c.dispatches ?? '-'} | ${peerCell(eager)} | ${ratio(eager)} |` +
        (withFla ? ` ${peerCell(fla)} | ${ratio(fla)} |` : '') +
        ` ${gb(c.peak_device_bytes)} / ${gb(peerMemory)} |`,
    );
  }
  return lines.join('\n');
}

const folders = process.argv.slice(2);
if (folders.length === 0) {
  console.error('usage: node dist/evals/peer_summary.js RUN_FOLDER...');
  process.exit(2);
}
console.log(folders.map(summary).join('\n\n'));
