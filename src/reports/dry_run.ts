/** What `bsbr compare --dry-run` prints: the cases it would run, their FLOPs and estimated time. */
import { CaseEstimate, RUN_START_S } from '../bench/estimate';
import { ResultsFile } from '../results/schema';
import { formatListing } from './listing';
import { Format } from './output_format';
import { Column } from './table';

const COLUMNS: readonly Column<CaseEstimate>[] = [
  { head: 'model', text: (e) => e.model },
  { head: 'mode', text: (e) => e.mode },
  { head: 'n', text: (e) => String(e.seq_len), align: 'right' },
  { head: 'GFLOP per call', text: (e) => (e.flops === null ? '-' : (e.flops / 1e9).toPrecision(3)), align: 'right' },
  { head: 'estimate s', text: (e) => (e.seconds === null ? '-' : e.seconds.toFixed(1)), align: 'right' },
];

export function formatDryRun(estimates: readonly CaseEstimate[], reference: ResultsFile, format: Format): string {
  // A finished run resumed, a shard with no case: no run would start, so there is no time to estimate.
  if (estimates.length === 0 && (format === 'table' || format === 'markdown'))
    return '0 cases: nothing to run (dry run: nothing was run or written)';
  const env = reference.environment;
  const total = RUN_START_S + estimates.reduce((sum, e) => sum + (e.seconds ?? 0), 0);
  return formatListing(COLUMNS, estimates, format, (e) => ({ ...e }), [
    `${estimates.length} case${estimates.length === 1 ? '' : 's'}, about ${Math.ceil(total)} s in all (dry run: nothing was run or written)`,
    `estimated from each model's GFLOP/s in the example run (${env.backend} on ${env.cpu_model}, ${env.cpu_count} CPUs, run ${reference.run_id}) ` +
      `plus the start of a worker per case and ${RUN_START_S} s per run (calibration, analysis); another machine or backend differs`,
  ]);
}
