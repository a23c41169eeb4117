/** What `bsbr compare` prints with --format and --quiet, and adaptive sampling end to end (built CLI; `npm run build` first). */
import * as fs from 'fs';
import * as path from 'path';
import { readResults } from '../results/read';
import { runCli, tempDir, TINY_ARGS, TINY_MODEL_ARGS } from '../testing/cli';

test('--format json --quiet: one JSON document on stdout, nothing on stderr', async () => {
  const cwd = tempDir();
  const result = await runCli(
    [
      'compare',
      ...TINY_ARGS,
      '--models',
      'Linear',
      '--seq-lengths',
      '8,16',
      '--out',
      'run',
      '--format',
      'json',
      '--quiet',
    ],
    cwd,
  );
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  const summary = JSON.parse(result.stdout);
  const run = readResults(path.join(cwd, 'run', 'results.json'));
  expect(summary).toMatchObject({ format: 'bsbr-summary', run_id: run.run_id, out_dir: 'run', config: run.config });
  expect(summary.files).toContain('report.html');
  expect(
    summary.cases.map((c: { model: string; seq_len: number; chunk_size: number | null; median_ms: number }) => [
      c.model,
      c.seq_len,
      c.chunk_size,
      c.median_ms,
    ]),
  ).toEqual(run.cases.map((c) => [c.model, c.seq_len, 4, c.median_ms]));
  expect(summary.fits.map((f: { model: string; time: { points: number } }) => [f.model, f.time.points])).toEqual([
    ['Linear', 2],
  ]);
  expect(summary.calibration.warnings).toEqual(expect.any(Array));
});

test('--format csv: stdout is results.csv', async () => {
  const cwd = tempDir();
  const result = await runCli(
    ['compare', ...TINY_ARGS, '--models', 'GAU', '--seq-lengths', '8', '--out', 'run', '--format', 'csv'],
    cwd,
  );
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(fs.readFileSync(path.join(cwd, 'run', 'results.csv'), 'utf8'));
  expect(result.stderr).toContain('1 of 1 cases to run');
});

test('adaptive sampling: repeats between --min-repeats and --max-repeats, the settings recorded', async () => {
  const cwd = tempDir();
  const args = [
    'compare',
    ...TINY_MODEL_ARGS,
    '--warmup',
    '1',
    '--models',
    'Linear',
    '--seq-lengths',
    '8',
    '--out',
    'run',
    '--quiet',
  ];
  const result = await runCli([...args, '--target-ci', '0.001', '--min-repeats', '6', '--max-repeats', '9'], cwd);
  expect(result.code).toBe(0);
  const run = readResults(path.join(cwd, 'run', 'results.json'));
  expect(run.sweep.repeats).toBe(6);
  expect(run.sweep.adaptive).toEqual({ target_ci: 0.00001, max_repeats: 9, budget_s: 30 });
  // A target of 0.001% is out of reach: the case runs to --max-repeats and says so.
  const [c] = run.cases;
  expect(c.repeats).toBe(9);
  expect(c.samples_ms).toHaveLength(9);
  expect(c.median_ci95_ms).toEqual([expect.any(Number), expect.any(Number)]);
  expect(result.stdout.replace(/\n +/g, ' ')).toMatch(
    /Linear forward n=8: .*95% interval of the median ±[\d.]+%, above --target-ci 0\.0%/,
  );
});

test('adaptive options are refused without --target-ci, and --repeats with it', async () => {
  const cwd = tempDir();
  const min = await runCli(['compare', '--min-repeats', '3'], cwd);
  expect(min.code).toBe(2);
  expect(min.stderr).toBe(
    'bsbr: error: --min-repeats: only with --target-ci (adaptive sampling); --repeats sets a fixed count\n',
  );
  const both = await runCli(['compare', '--target-ci', '5', '--repeats', '3'], cwd);
  expect(both.stderr).toBe(
    'bsbr: error: --repeats: a fixed count; with --target-ci give --min-repeats and --max-repeats instead\n',
  );
  const order = await runCli(['compare', '--target-ci', '5', '--min-repeats', '10', '--max-repeats', '8'], cwd);
  expect(order.stderr).toBe('bsbr: error: --max-repeats: 8 is fewer than --min-repeats 10\n');
  expect(fs.readdirSync(cwd)).toEqual([]);
});
