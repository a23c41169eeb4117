import { syntheticCase } from './testing/synthetic';
import { slowdownTable } from './slowdown';

describe('slowdownTable', () => {
  it('divides each median by the fastest at the same (mode, length)', () => {
    const rows = slowdownTable([
      syntheticCase({ model: 'A', seq_len: 64, median_ms: 2 }),
      syntheticCase({ model: 'B', seq_len: 64, median_ms: 5 }),
      syntheticCase({ model: 'A', seq_len: 128, median_ms: 9 }),
      syntheticCase({ model: 'B', seq_len: 128, median_ms: 3 }),
      syntheticCase({ model: 'A', seq_len: 64, mode: 'decode', median_ms: 0.4 }),
      syntheticCase({ model: 'B', seq_len: 64, mode: 'decode', median_ms: 0.1 }),
    ]);
    const at = (model: string, n: number, mode = 'forward') =>
      rows.find((r) => r.model === model && r.seq_len === n && r.mode === mode)!;
    expect(at('A', 64).slowdown).toBe(1);
    expect(at('B', 64).slowdown).toBeCloseTo(2.5, 12);
    expect(at('B', 64).fastest_model).toBe('A');
    expect(at('A', 128).slowdown).toBeCloseTo(3, 12);
    expect(at('B', 128).slowdown).toBe(1);
    expect(at('A', 64, 'decode').slowdown).toBeCloseTo(4, 12);
    expect(at('A', 64, 'decode').fastest_model).toBe('B');
  });

  it('leaves out cases that are not ok, so a failed fast model does not count as fastest', () => {
    const rows = slowdownTable([
      syntheticCase({ model: 'A', seq_len: 64, median_ms: 4 }),
      syntheticCase({ model: 'B', seq_len: 64, status: 'error' }),
      syntheticCase({ model: 'C', seq_len: 64, status: 'skipped' }),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ model: 'A', slowdown: 1, fastest_model: 'A' });
  });
});
