import { DEFAULT_CONFIG } from '../../models/config';
import { ONE_THREAD_BELOW_FLOPS } from '../options/defaults';
import { SweepSettings } from '../results/schema';
import { caseThreads } from './case_threads';
import { caseFlops } from './flops';
import { planFor } from '../../models/plan';

const sweep = (threads: number | null): SweepSettings => ({
  models: ['BSBR'],
  seq_lengths: [256],
  modes: ['forward'],
  batch_size: 1,
  warmup: 2,
  repeats: 7,
  time_limit_s: null,
  max_memory_mb: null,
  weights_file: null,
  threads,
});
const config = { ...DEFAULT_CONFIG, compressionFactor: 2 };
const threadsAt = (
  model: string,
  seqLen: number,
  mode: 'forward' | 'decode' = 'forward',
  threads: number | null = null,
) => caseThreads({ model, mode, seqLen }, sweep(threads), config, 2);

describe('caseThreads', () => {
  it('puts a call under the bar on one thread and one over it on every core', () => {
    const flops = (n: number) => caseFlops('BSBR', 'forward', config, n, 1, 2, 7, planFor('wasm', 0))!;
    expect(flops(2048)).toBeLessThan(ONE_THREAD_BELOW_FLOPS);
    expect(flops(16384)).toBeGreaterThan(ONE_THREAD_BELOW_FLOPS);
    expect(threadsAt('BSBR', 256)).toBe(1);
    expect(threadsAt('BSBR', 2048)).toBe(1);
    expect(threadsAt('BSBR', 16384)).toBe(2);
    expect(threadsAt('Standard', 8192)).toBe(2);
  });

  it('puts every decode step on one thread', () => {
    expect(threadsAt('Standard', 65536, 'decode')).toBe(1);
  });

  it('gives every case the count --threads named', () => {
    expect(threadsAt('BSBR', 256, 'forward', 2)).toBe(2);
  });
});
