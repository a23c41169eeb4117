/** The reader refuses, naming the field, every edit that analyze, regress or --resume could not use. */
import { exampleResults } from '../analysis/testing/synthetic';
import { mergeShards } from '../merge/merge_runs';
import { cutIntoShards } from '../merge/testing/shards';
import { run, sweep } from '../regress/testing/runs';
import { parseResults, ResultsFileError } from './read';
import { ResultsFile } from './schema';

type Edit = (run: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

function edited(edit: Edit): string {
  const run = JSON.parse(JSON.stringify(exampleResults())) as Record<string, unknown>;
  edit(run);
  return JSON.stringify(run);
}

test('a file bsbr wrote is read back whole', () => {
  const run: ResultsFile = exampleResults();
  expect(parseResults(JSON.stringify(run), 'run.json')).toEqual(run);
});

test.each<[string, Edit, string]>([
  ['run_id a number', (r) => (r.run_id = 7), 'run.json: run_id must be a non-empty string (got 7)'],
  ['created_at a number', (r) => (r.created_at = 0), 'run.json: created_at must be a string (got 0)'],
  [
    'command a string',
    (r) => (r.command = 'bsbr compare'),
    'run.json: command must be a list of: a string (got "bsbr compare")',
  ],
  ['a thin environment', (r) => delete r.environment.cpu_count, 'run.json: environment.cpu_count is missing'],
  [
    'memory as text',
    (r) => (r.environment.total_memory_bytes = '24 GB'),
    'run.json: environment.total_memory_bytes must be a positive number (got "24 GB")',
  ],
  [
    'a zero median',
    (r) => (r.cases[0].median_ms = 0),
    'run.json: cases[0].median_ms must be a positive number (got 0)',
  ],
  [
    'a negative repeat',
    (r) => (r.cases[0].samples_ms = [1, -1, 2]),
    'run.json: cases[0].samples_ms must be a list of: a positive number (got [1,-1,2])',
  ],
  [
    'a median as text',
    (r) => (r.cases[1].median_ms = '5'),
    'run.json: cases[1].median_ms must be a positive number (got "5")',
  ],
  [
    'a length as text',
    (r) => (r.cases[0].seq_len = '64'),
    'run.json: cases[0].seq_len must be a positive integer (got "64")',
  ],
  ['params negative', (r) => (r.cases[0].params = -1), 'run.json: cases[0].params must be an integer >= 0 (got -1)'],
  [
    'memory as text in a case',
    (r) => (r.cases[0].peak_tensor_bytes = 'lots'),
    'run.json: cases[0].peak_tensor_bytes must be a number >= 0 or null (got "lots")',
  ],
  [
    'repeats that disagree with the samples',
    (r) => (r.cases[0].repeats = 5),
    'run.json: cases[0].repeats is 5 but samples_ms holds 3',
  ],
  [
    'an ok case without samples',
    (r) => (r.cases[0].samples_ms = []),
    'run.json: cases[0].samples_ms must be a non-empty list of: a positive number (got [])',
  ],
  [
    'a duplicated case',
    (r) => r.cases.push(r.cases[2]),
    'run.json: cases[22] repeats the case Standard forward n=256 of cases[2]',
  ],
  [
    'an unknown status',
    (r) => (r.cases[0].status = 'fine'),
    'run.json: cases[0].status must be one of ok, non-finite, error, skipped (got "fine")',
  ],
  [
    'a mode of the sweep unknown',
    (r) => (r.sweep.modes = ['sideways']),
    'run.json: sweep.modes must be a list of: one of forward, decode, train (got ["sideways"])',
  ],
  [
    'lengths as text in the sweep',
    (r) => (r.sweep.seq_lengths = ['64']),
    'run.json: sweep.seq_lengths must be a list of: a positive integer (got ["64"])',
  ],
  [
    'repeats 0 in the sweep',
    (r) => (r.sweep.repeats = 0),
    'run.json: sweep.repeats must be a positive integer (got 0)',
  ],
  [
    'a zero calibration',
    (r) => (r.calibration.median_ms = 0),
    'run.json: calibration.median_ms must be a positive number (got 0)',
  ],
  [
    'a load average as text',
    (r) => (r.cases[0].load_before = 'high'),
    'run.json: cases[0].load_before must be a number >= 0 or null (got "high")',
  ],
  [
    'a negative spread',
    (r) => (r.cases[0].spread = -0.1),
    'run.json: cases[0].spread must be a number >= 0 or null (got -0.1)',
  ],
  [
    'an interval of one end',
    (r) => (r.cases[0].median_ci95_ms = [1]),
    'run.json: cases[0].median_ci95_ms must be two positive numbers or null (got [1])',
  ],
  [
    'a calibration spread as text',
    (r) => (r.calibration.spread = 'low'),
    'run.json: calibration.spread must be a number >= 0 (got "low")',
  ],
  [
    'an adaptive target of 0',
    (r) => (r.sweep.adaptive = { target_ci: 0, max_repeats: 9, budget_s: 3 }),
    'run.json: sweep.adaptive.target_ci must be a positive number (got 0)',
  ],
  ['adaptive settings as text', (r) => (r.sweep.adaptive = 'on'), 'run.json: sweep.adaptive must be an object or null'],
  [
    'a weights digest that is not one',
    (r) => (r.sweep.weights_sha256 = 'abc'),
    'run.json: sweep.weights_sha256 must be a SHA-256 in 64 lowercase hex digits or null (got "abc")',
  ],
])('%s is refused', (_what, edit, message) => {
  const text = edited(edit);
  expect(() => parseResults(text, 'run.json')).toThrow(ResultsFileError);
  expect(() => parseResults(text, 'run.json')).toThrow(message);
});

test('runs from before --weights (no sweep.weights_file) or before webgpu (no device columns, no adapter) are still read', () => {
  expect(() =>
    parseResults(
      edited((r) => delete r.sweep.weights_file),
      'run.json',
    ),
  ).not.toThrow();
  expect(() =>
    parseResults(
      edited((r) => delete r.sweep.weights_sha256),
      'run.json',
    ),
  ).not.toThrow();
  const beforeWebgpu = edited((r) => {
    delete r.environment.adapter;
    for (const c of r.cases) {
      delete c.peak_device_bytes;
      delete c.gpu_kernel_ms;
    }
  });
  expect(() => parseResults(beforeWebgpu, 'run.json')).not.toThrow();
  expect(() =>
    parseResults(
      edited((r) => (r.cases[0].gpu_kernel_ms = 'fast')),
      'run.json',
    ),
  ).toThrow('run.json: cases[0].gpu_kernel_ms must be a number >= 0 or null (got "fast")');
});

const whole = run(sweep());
const shard = cutIntoShards(whole, 2)[0].results;
const merged = mergeShards(cutIntoShards(whole, 2), {
  allowPartial: false,
  runId: 'merged',
  command: [],
  now: new Date(0),
}).results;
const parse = (data: unknown) => parseResults(JSON.stringify(data), 'r.json');

describe('the shard fields of a results file', () => {
  test('a shard run and a merged run read back as written', () => {
    expect(parse(shard)).toEqual(shard);
    expect(parse(merged)).toEqual(merged);
  });

  test.each([
    [{ index: 0, count: 2 }],
    [{ index: 3, count: 2 }],
    [{ index: 1 }],
    [{ index: 1.5, count: 2 }],
    ['1/2'],
    [{ index: 1, count: 1e15 }],
  ])('a shard of %j is refused', (bad) => {
    expect(() => parse({ ...shard, shard: bad })).toThrow(ResultsFileError);
    expect(() => parse({ ...shard, shard: bad })).toThrow(
      'r.json: shard must be { "index": i, "count": n } with 1 <= i <= n <= 1000',
    );
  });

  test("a merged run's shards must each have a shard, a run id, an environment and a calibration", () => {
    const withShard = (i: number, change: object) => ({
      ...merged,
      shards: merged.shards!.map((s, j) => (j === i ? { ...s, ...change } : s)),
    });
    expect(() => parse({ ...merged, shards: {} })).toThrow('r.json: "shards" must be a list');
    expect(() => parse(withShard(1, { shard: null }))).toThrow('r.json: shards[1].shard must be');
    expect(() => parse(withShard(0, { run_id: 7 }))).toThrow(
      'r.json: shards[0].run_id must be a non-empty string (got 7)',
    );
    expect(() => parse(withShard(0, { environment: {} }))).toThrow('r.json: shards[0].environment.backend is missing');
    expect(() => parse(withShard(0, { calibration: { ...merged.shards![0].calibration, median_ms: -1 } }))).toThrow(
      'r.json: shards[0].calibration.median_ms must be a positive number (got -1)',
    );
  });

  test('every case of a merged run names one of its shards', () => {
    const stray = { ...merged, cases: merged.cases.map((c, i) => (i === 2 ? { ...c, run_id: 'elsewhere' } : c)) };
    expect(() => parse(stray)).toThrow('r.json: cases[2].run_id "elsewhere" names none of the merged shards');
  });
});

test('runs from before the noise figures (no spread, interval, load averages or adaptive settings) are still read, and a run with them whole', () => {
  const withNoise = edited((r) => {
    Object.assign(r.cases[0], { spread: 0.02, median_ci95_ms: [1, 2], load_before: 0.5, load_after: null });
    Object.assign(r.calibration, { spread: 0.01, load_before: 1.5, load_after: 1.2 });
    r.sweep.adaptive = { target_ci: 0.02, max_repeats: 40, budget_s: 30 };
  });
  expect(parseResults(withNoise, 'run.json')).toEqual(JSON.parse(withNoise));
  expect(() =>
    parseResults(
      edited((r) => (r.sweep.adaptive = null)),
      'run.json',
    ),
  ).not.toThrow();
  // exampleResults() has none of them: it is the older form.
  expect(() => parseResults(JSON.stringify(exampleResults()), 'run.json')).not.toThrow();
});
