/** Relative performance: each model's median time over the fastest model's at the same (mode, length). */
import { CaseResult, Mode } from '../results/schema';

export interface SlowdownRow {
  mode: Mode;
  seq_len: number;
  model: string;
  median_ms: number;
  /** median_ms / the fastest median at this (mode, length): 1 for the fastest. */
  slowdown: number;
  fastest_model: string;
}

/** One row per ok case, grouped by (mode, length) and compared with the fastest ok case there. */
export function slowdownTable(cases: readonly CaseResult[]): SlowdownRow[] {
  const ok = cases.filter((c): c is CaseResult & { median_ms: number } => c.status === 'ok' && c.median_ms !== null);
  const fastest = new Map<string, CaseResult & { median_ms: number }>();
  for (const c of ok) {
    const key = `${c.mode}\u0000${c.seq_len}`;
    const best = fastest.get(key);
    if (best === undefined || c.median_ms < best.median_ms) fastest.set(key, c);
  }
  return ok.map((c) => {
    const best = fastest.get(`${c.mode}\u0000${c.seq_len}`)!;
    return {
      mode: c.mode,
      seq_len: c.seq_len,
      model: c.model,
      median_ms: c.median_ms,
      slowdown: c.median_ms / best.median_ms,
      fastest_model: best.model,
    };
  });
}
