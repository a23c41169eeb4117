/** Summary statistics of one case's timed repeats, in milliseconds. */
export interface TimingStats {
  median: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for a single repeat. */
  std: number;
}

export function summarize(samples: readonly number[]): TimingStats {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const mean = sorted.reduce((sum, x) => sum + x, 0) / n;
  const squares = sorted.reduce((sum, x) => sum + (x - mean) ** 2, 0);
  return { median, min: sorted[0], max: sorted[n - 1], mean, std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0 };
}
