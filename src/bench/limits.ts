import { CaseResult, Mode } from '../results/schema';

/** The per-case limits of a sweep (null: none). */
export interface CaseLimits {
  time_limit_s: number | null;
  max_memory_mb: number | null;
}

/** --max-memory is in MB of 2^20 bytes, the unit the summary table prints. */
export const MB = 1024 * 1024;

/** Why a measured case is over a limit (median time, peak resident memory), or null when it is not. */
export function limitExceeded(row: CaseResult, limits: CaseLimits): string | null {
  if (limits.time_limit_s !== null && row.median_ms !== null && row.median_ms > limits.time_limit_s * 1000) {
    return `median ${(row.median_ms / 1000).toPrecision(3)} s > --time-limit ${limits.time_limit_s} s`;
  }
  if (limits.max_memory_mb !== null && row.peak_rss_bytes !== null && row.peak_rss_bytes > limits.max_memory_mb * MB) {
    return `peak RSS ${(row.peak_rss_bytes / MB).toFixed(0)} MB > --max-memory ${limits.max_memory_mb} MB`;
  }
  return null;
}

/**
 * Why the case (model, mode, n) is not run, or null when it should be: a shorter length of the same
 * model and mode went over a limit or failed (a case that crashes at n would crash at 2n too).
 * Decided from the rows alone, so a resumed sweep skips exactly what the first run would have.
 */
export function skipReason(
  rows: readonly CaseResult[],
  model: string,
  mode: Mode,
  n: number,
  limits: CaseLimits,
): string | null {
  const shorter = rows
    .filter((r) => r.model === model && r.mode === mode && r.seq_len < n && r.status !== 'skipped')
    .sort((a, b) => a.seq_len - b.seq_len);
  for (const row of shorter) {
    if (row.status === 'error')
      return `not run: n=${row.seq_len} failed, so a longer sequence is not tried (${row.message})`;
    const over = limitExceeded(row, limits);
    if (over) return `not run: at n=${row.seq_len} the ${over}`;
  }
  return null;
}
