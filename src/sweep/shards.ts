/**
 * Which cases a shard runs. The sweep's cases in run order (model by model, each mode, lengths
 * ascending) are cut into `count` contiguous runs, balanced by their estimated work
 * (./work_estimate.ts): the cut with the smallest largest shard, and among those the smallest sum of
 * squared shard works (so no shard idles while another holds spare cases). Contiguous runs keep a
 * model's lengths together and ascending, so --time-limit still skips the longer lengths after a slow
 * one within a shard. The cut depends only on the sweep and the config: every shard computes the same.
 */
import { ModelConfig } from '../../models/config';
import { ShardSpec, SweepSettings } from '../results/schema';
import { PlannedCase, planCases } from './cases';
import { caseWork } from './work_estimate';

/**
 * The contiguous split of `works` into `count` parts (possibly empty) that minimises the largest
 * part's sum, then the sum of squared part sums; ties go to the latest cut, so empty parts come
 * last. Returns the count + 1 boundaries: part k is works[bounds[k], bounds[k + 1]).
 */
export function balancedSplit(works: readonly number[], count: number): number[] {
  const n = works.length;
  // No fewer shards than cases: the least largest part is the largest case, and splitting never
  // adds squares, so each case is a part of its own (what the passes below give, without their cost).
  if (count >= n) return Array.from({ length: count + 1 }, (_, k) => Math.min(k, n));
  const prefix = [0];
  for (const w of works) prefix.push(prefix[prefix.length - 1] + w);
  const sum = (from: number, to: number) => prefix[to] - prefix[from];

  // Pass 1: largest[i], the smallest possible largest part of works[0, i) cut into k parts, for k = 1..count.
  // largest[j] grows with j and sum(j, i) shrinks, so the best last cut is where they cross.
  let largest = [...prefix];
  for (let k = 2; k <= count; k++) {
    const previous = largest;
    largest = prefix.map((_, i) => {
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (previous[mid] >= sum(mid, i)) hi = mid;
        else lo = mid + 1;
      }
      const at = (j: number) => Math.max(previous[j], sum(j, i));
      return lo > 0 ? Math.min(at(lo), at(lo - 1)) : at(lo);
    });
  }
  const bound = largest[n];

  // Pass 2: the least sum of squares over cuts whose every part is within that bound (a last part
  // works[j, i) with j >= first[i]), with the cuts taken.
  const first = prefix.map(() => 0);
  for (let i = 1; i <= n; i++) {
    first[i] = first[i - 1];
    while (sum(first[i], i) > bound) first[i]++;
  }
  let squares = prefix.map((_, i) => (first[i] === 0 ? sum(0, i) ** 2 : Infinity));
  const cuts: number[][] = [];
  for (let k = 2; k <= count; k++) {
    const previous = squares;
    const cut = prefix.map(() => 0);
    squares = prefix.map((_, i) => {
      let best = Infinity;
      for (let j = first[i]; j <= i; j++) {
        const total = previous[j] + sum(j, i) ** 2;
        if (total <= best) {
          best = total;
          cut[i] = j;
        }
      }
      return best;
    });
    cuts.push(cut);
  }
  const bounds = [n];
  for (let k = count; k >= 2; k--) bounds.unshift(cuts[k - 2][bounds[0]]);
  return [0, ...bounds];
}

/** The cases of one shard, in run order; with no shard, every case of the sweep. */
export function shardCases(sweep: SweepSettings, config: ModelConfig, shard: ShardSpec | undefined): PlannedCase[] {
  return shard === undefined ? planCases(sweep) : everyShard(sweep, config, shard.count)[shard.index - 1];
}

/** The cases of each of `count` shards, in shard order: the split computed once. */
export function everyShard(sweep: SweepSettings, config: ModelConfig, count: number): PlannedCase[][] {
  const plan = planCases(sweep);
  const bounds = balancedSplit(
    plan.map((c) => caseWork(c, sweep, config)),
    count,
  );
  return Array.from({ length: count }, (_, k) => plan.slice(bounds[k], bounds[k + 1]));
}
