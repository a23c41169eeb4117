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

/** MAD * 1.4826 estimates the standard deviation of normally distributed data. */
const MAD_TO_SD = 1.4826;

/**
 * s(x) = 1.4826 * MAD(x) / median(x), the robust relative standard deviation of the repeats (MAD:
 * median absolute deviation from the median): one stray slow repeat barely moves it. 0 for no samples.
 */
export function relativeSpread(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  const median = summarize(samples).median;
  const mad = summarize(samples.map((x) => Math.abs(x - median))).median;
  return (MAD_TO_SD * mad) / median;
}

/** P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so that large n does not underflow. */
function binomialHalfCdf(k: number, n: number): number {
  let logPmf = -n * Math.LN2;
  let total = Math.exp(logPmf);
  for (let i = 1; i <= k; i++) {
    logPmf += Math.log((n - i + 1) / i);
    total += Math.exp(logPmf);
  }
  return total;
}

/**
 * A distribution-free 95% confidence interval of the median: the order statistics
 * [x_(j), x_(n+1-j)] with the largest j whose coverage 1 - 2 P(B <= j - 1), B ~ Binomial(n, 1/2),
 * is at least 95%. Null below 6 samples, where even [min, max] covers less (5 samples: 93.75%).
 */
export function medianCi95(samples: readonly number[]): [number, number] | null {
  const n = samples.length;
  let j = 0;
  while (j + 1 <= n / 2 && 1 - 2 * binomialHalfCdf(j, n) >= 0.95) j += 1;
  if (j === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return [sorted[j - 1], sorted[n - j]];
}

/** The farther end of the median's 95% interval from the median, as a fraction of it; null below 6 samples. */
export function ciHalfWidth(samples: readonly number[]): number | null {
  const ci = medianCi95(samples);
  if (ci === null) return null;
  const median = summarize(samples).median;
  return Math.max(median - ci[0], ci[1] - median) / median;
}

/**
 * The largest of `values` (`floor` when there are none or all are below it). A loop, not
 * Math.max(...values): a file's list may hold more values than a call takes arguments.
 */
export function largest(values: Iterable<number>, floor = -Infinity): number {
  let most = floor;
  for (const value of values) if (value > most) most = value;
  return most;
}

/** The smallest of `values` (`ceiling` when there are none); a loop, as largest. */
export function smallest(values: Iterable<number>, ceiling = Infinity): number {
  let least = ceiling;
  for (const value of values) if (value < least) least = value;
  return least;
}
