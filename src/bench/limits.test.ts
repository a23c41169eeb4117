import { CaseResult } from '../results/schema';
import { limitExceeded, MB, skipReason } from './limits';

function row(model: string, mode: 'forward' | 'decode', n: number, fields: Partial<CaseResult>): CaseResult {
  return {
    run_id: 'r',
    model,
    mode,
    backend: 'wasm',
    seq_len: n,
    batch_size: 1,
    params: 10,
    status: 'ok',
    median_ms: 5,
    min_ms: 5,
    max_ms: 5,
    mean_ms: 5,
    std_ms: 0,
    repeats: 1,
    tokens_per_s: 1,
    flops: 1,
    gflops_per_s: 1,
    peak_tensor_bytes: 1,
    peak_rss_bytes: 100 * MB,
    message: '',
    samples_ms: [5],
    ...fields,
  };
}

const NONE = { time_limit_s: null, max_memory_mb: null };

test('a median over --time-limit or a peak RSS over --max-memory exceeds the limit', () => {
  expect(limitExceeded(row('A', 'forward', 8, { median_ms: 2500 }), { ...NONE, time_limit_s: 2 })).toBe(
    'median 2.50 s > --time-limit 2 s',
  );
  expect(limitExceeded(row('A', 'forward', 8, { median_ms: 1500 }), { ...NONE, time_limit_s: 2 })).toBeNull();
  expect(limitExceeded(row('A', 'forward', 8, {}), { ...NONE, max_memory_mb: 50 })).toBe(
    'peak RSS 100 MB > --max-memory 50 MB',
  );
  expect(limitExceeded(row('A', 'forward', 8, {}), { ...NONE, max_memory_mb: 150 })).toBeNull();
  expect(limitExceeded(row('A', 'forward', 8, { median_ms: 1e9 }), NONE)).toBeNull();
});

test('only the longer lengths of the same model and mode are skipped, whatever the order of the rows', () => {
  const rows = [
    row('A', 'forward', 16, {}),
    row('A', 'forward', 8, { peak_rss_bytes: 900 * MB }),
    row('B', 'forward', 8, { status: 'error', message: 'out of memory', median_ms: null }),
  ];
  const limits = { ...NONE, max_memory_mb: 500 };
  expect(skipReason(rows, 'A', 'forward', 32, limits)).toBe(
    'not run: at n=8 the peak RSS 900 MB > --max-memory 500 MB',
  );
  expect(skipReason(rows, 'A', 'forward', 8, limits)).toBeNull();
  expect(skipReason(rows, 'A', 'decode', 32, limits)).toBeNull();
  expect(skipReason(rows, 'B', 'forward', 16, NONE)).toBe(
    'not run: n=8 failed, so a longer sequence is not tried (out of memory)',
  );
  expect(skipReason(rows, 'C', 'forward', 16, NONE)).toBeNull();
});
