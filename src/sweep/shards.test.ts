import { DEFAULT_CONFIG, resolveConfig } from '../../models/config';
import { planFor } from '../../models/plan';
import { MODEL_NAMES } from '../../models/registry';
import { SweepSettings } from '../results/schema';
import { forwardFlops, stepFlops } from './flops';
import { planCases } from './cases';
import { balancedSplit, shardCases } from './shards';
import { caseWork } from './work_estimate';

test('more shards than cases: each case is a shard of its own and the empty shards come last', () => {
  expect(balancedSplit([5, 1, 1e9, 2], 1000)).toEqual([0, 1, 2, 3, 4, ...Array(996).fill(4)]);
  expect(balancedSplit([5, 1, 1e9, 2], 4)).toEqual([0, 1, 2, 3, 4]);
});

/** Every way to cut `n` items into `count` contiguous parts (possibly empty), as boundaries. */
function allSplits(n: number, count: number): number[][] {
  if (count === 1) return [[0, n]];
  const out: number[][] = [];
  for (let last = 0; last <= n; last++) {
    for (const head of allSplits(last, count - 1)) out.push([...head, n]);
  }
  return out;
}

const partSums = (works: number[], bounds: number[]) =>
  bounds.slice(1).map((end, k) => works.slice(bounds[k], end).reduce((a, b) => a + b, 0));

describe('balancedSplit', () => {
  test('minimises the largest part, then the sum of squares, over every contiguous split (checked by enumeration)', () => {
    // Deterministic pseudo-random works of very different sizes, as a sweep's lengths give.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(random() * 8);
      const count = 1 + Math.floor(random() * 4);
      const works = Array.from({ length: n }, () => Math.round(10 ** (random() * 4)));
      const bounds = balancedSplit(works, count);
      expect(bounds).toHaveLength(count + 1);
      expect(bounds[0]).toBe(0);
      expect(bounds[count]).toBe(n);
      const got = partSums(works, bounds);
      const best = allSplits(n, count).map((b) => partSums(works, b));
      const minLargest = Math.min(...best.map((s) => Math.max(...s)));
      const squares = (s: number[]) => s.reduce((a, x) => a + x * x, 0);
      const minSquares = Math.min(...best.filter((s) => Math.max(...s) === minLargest).map(squares));
      expect(Math.max(...got)).toBe(minLargest);
      expect(squares(got)).toBe(minSquares);
    }
  });

  test('balances by work, not by count: one heavy case gets a shard of its own', () => {
    expect(balancedSplit([1, 1, 1, 100], 2)).toEqual([0, 3, 4]);
    expect(balancedSplit([100, 1, 1, 1], 2)).toEqual([0, 1, 4]);
  });

  test('more shards than cases: the last shards are empty, no case is split or lost', () => {
    expect(balancedSplit([5, 5], 4)).toEqual([0, 1, 2, 2, 2]);
  });
});

describe('caseWork', () => {
  const config = resolveConfig({ hiddenDim: 32, numHeads: 2 });
  const sweep = { batch_size: 2, warmup: 1, repeats: 3 } as SweepSettings;
  // Whatever backend the shard gets: the host plan.
  const plan = planFor('wasm', 0);

  test('forward: warm-up, timed and profiled calls, each a forward pass', () => {
    expect(caseWork({ model: 'BSBR', mode: 'forward', seqLen: 64 }, sweep, config)).toBe(
      5 * forwardFlops('BSBR', config, 64, 2, plan),
    );
  });

  test('decode: the prefill as one forward pass, then one step per call at the contexts the calls run at', () => {
    const steps = [64, 65, 66, 67, 68].map((p) => stepFlops('GAU', config, p, 2, plan)).reduce((a, b) => a + b, 0);
    expect(caseWork({ model: 'GAU', mode: 'decode', seqLen: 64 }, sweep, config)).toBe(
      forwardFlops('GAU', config, 64, 2, plan) + steps,
    );
  });
});

describe('shardCases', () => {
  const sweep: SweepSettings = {
    models: [...MODEL_NAMES],
    seq_lengths: [64, 128, 256, 512, 1024, 2048],
    modes: ['forward', 'decode'],
    batch_size: 1,
    warmup: 2,
    repeats: 5,
    time_limit_s: null,
    max_memory_mb: null,
    weights_file: null,
  };
  const config = { ...DEFAULT_CONFIG, compressionFactor: 2 };
  const key = (c: { model: string; mode: string; seqLen: number }) => `${c.model} ${c.mode} ${c.seqLen}`;

  test('the shards hold every case of the sweep exactly once, in run order', () => {
    for (const count of [1, 2, 3, 4, 7]) {
      const shards = Array.from({ length: count }, (_, i) => shardCases(sweep, config, { index: i + 1, count }));
      expect(shards.flat().map(key)).toEqual(planCases(sweep).map(key));
    }
  });

  test('within a shard, each model and mode runs its lengths in ascending order', () => {
    for (let index = 1; index <= 4; index++) {
      const cases = shardCases(sweep, config, { index, count: 4 });
      for (const model of sweep.models) {
        for (const mode of sweep.modes) {
          const lengths = cases.filter((c) => c.model === model && c.mode === mode).map((c) => c.seqLen);
          expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
        }
      }
    }
  });

  test('no shard holds more work than the heaviest case or the mean share allows, far from a split by count', () => {
    const works = planCases(sweep).map((c) => caseWork(c, sweep, config));
    const total = works.reduce((a, b) => a + b, 0);
    const shardWork = (index: number) =>
      shardCases(sweep, config, { index, count: 4 }).reduce((a, c) => a + caseWork(c, sweep, config), 0);
    const largest = Math.max(...[1, 2, 3, 4].map(shardWork));
    // A contiguous cut can always keep every shard under mean + heaviest case.
    expect(largest).toBeLessThanOrEqual(total / 4 + Math.max(...works));
    // Four equal counts of cases in run order would leave the heaviest quarter with this much more.
    const quarter = works.length / 4;
    const byCount = Math.max(
      ...[0, 1, 2, 3].map((k) => works.slice(k * quarter, (k + 1) * quarter).reduce((a, b) => a + b, 0)),
    );
    expect(largest).toBeLessThan(byCount);
  });

  test('deterministic: the same sweep gives the same shards', () => {
    const a = shardCases(sweep, config, { index: 2, count: 3 });
    const b = shardCases(JSON.parse(JSON.stringify(sweep)), { ...config }, { index: 2, count: 3 });
    expect(b).toEqual(a);
  });

  test('no shard: every case', () => {
    expect(shardCases(sweep, config, undefined)).toEqual(planCases(sweep));
  });
});
