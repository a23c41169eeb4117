/**
 * Prints a results.json as a markdown table for the docs:
 *   node dist/evals/results_table.js results/<run>/results.json
 */
import { readResults } from '../src/results/read';

const MIB = 2 ** 20;
const fixed = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));

function main(path: string): void {
  const run = readResults(path);
  const env = run.environment;
  const cal = run.calibration;
  console.log(`run ${run.run_id}: ${env.backend} ${env.backend_version}, Node ${env.node_version}, ${env.cpu_model} x${env.cpu_count}` +
    (cal ? `; calibration ${cal.description}: ${cal.median_ms.toFixed(1)} ms, ${cal.gflops_per_s.toFixed(1)} GFLOP/s` : ''));
  console.log('');
  console.log('| model | mode | n | status | median ms | min-max ms | tok/s | GFLOP/s | % of calibration | peak tensor MiB | peak RSS MiB | params |');
  console.log('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of run.cases) {
    const share = c.gflops_per_s !== null && cal ? `${((100 * c.gflops_per_s) / cal.gflops_per_s).toFixed(0)}%` : '-';
    const range = c.min_ms === null ? '-' : `${c.min_ms.toFixed(1)}-${c.max_ms!.toFixed(1)}`;
    console.log(`| ${c.model} | ${c.mode} | ${c.seq_len} | ${c.status}${c.message && c.status !== 'ok' ? ` (${c.message})` : ''} | ${fixed(c.median_ms, 1)} | ${range} | ` +
      `${fixed(c.tokens_per_s, 0)} | ${fixed(c.gflops_per_s, 1)} | ${share} | ${c.peak_tensor_bytes === null ? '-' : (c.peak_tensor_bytes / MIB).toFixed(1)} | ` +
      `${c.peak_rss_bytes === null ? '-' : (c.peak_rss_bytes / MIB).toFixed(0)} | ${c.params} |`);
  }
}

main(process.argv[2] ?? 'results/example/results.json');
