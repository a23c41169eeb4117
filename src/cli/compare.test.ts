/**
 * `bsbr compare` end to end, through the built command (run `npm run build` first): bad input, a tiny
 * real sweep and what it writes and prints.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../models/config';
import { createModel } from '../../models/registry';
import { useDefaultBackend } from '../../models/testing/harness';
import { forwardFlops } from '../bench/flops';
import { readResults } from '../results/read';
import { CASE_COLUMNS, ResultsFile } from '../results/schema';
import { BIN, CliResult, runCli, tempDir, TINY_ARGS, TINY_MODEL_ARGS } from './testing/cli';

useDefaultBackend();

function expectUsageError(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^bsbr: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('bad input: exit 2, one line, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['length 0', ['--seq-lengths', '8', '0'], /--seq-lengths: '0' is not a positive integer/],
    ['length -3', ['--seq-lengths', '-3'], /'-3' is not a positive integer/],
    ['length 1.5', ['--seq-lengths', '1.5', '8'], /'1.5' is not a positive integer/],
    ['length abc', ['--seq-lengths', 'abc'], /'abc' is not a positive integer/],
    ['unknown model', ['--models', 'BSBR', 'Transformer'], /unknown model 'Transformer' \(valid: BSBR, Standard, Linear, DeltaNet, SlidingWindow, Hopfield, GAU/],
    ['heads not dividing hidden', ['--hidden-dim', '10', '--num-heads', '3'], /--num-heads: .*numHeads must divide hiddenDim \(hiddenDim 10, numHeads 3\)/],
    ['non-positive chunk', ['--chunk-size', '0'], /--chunk-size: .*chunkSize must be a positive integer/],
    ['unknown mode', ['--mode', 'train'], /unknown mode 'train' \(valid: forward, decode\)/],
    ['threads 0', ['--threads', '0'], /--threads: '0' is not a positive integer/],
  ];
  test.each(cases)('%s', async (_name, args, pattern) => {
    const cwd = tempDir();
    expectUsageError(await runCli(['compare', ...args], cwd), pattern);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('an --out that cannot be created', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'a-file'), '');
    const result = await runCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'a-file/run'], cwd);
    expectUsageError(result, /--out: cannot write to 'a-file\/run'/);
    expect(fs.readdirSync(cwd)).toEqual(['a-file']);
    expect(fs.statSync(path.join(cwd, 'a-file')).size).toBe(0);
  });

  test('an --out that already holds a run', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'run'));
    fs.writeFileSync(path.join(cwd, 'run', 'results.json'), '{}');
    expectUsageError(await runCli(['compare', '--out', 'run'], cwd), /already holds a results.json \(finish it with --resume run/);
    expect(fs.readdirSync(path.join(cwd, 'run'))).toEqual(['results.json']);
  });
});

describe('a tiny real sweep', () => {
  const cwd = tempDir();
  let result: CliResult;
  let run: ResultsFile;
  let csv: string[][];

  beforeAll(async () => {
    result = await runCli(['compare', ...TINY_ARGS, '--threads', '2', '--models', 'standard', 'bsbr', '--seq-lengths', '16', '8', '--out', 'run'], cwd);
    run = readResults(path.join(cwd, 'run', 'results.json'));
    csv = fs.readFileSync(path.join(cwd, 'run', 'results.csv'), 'utf8').trimEnd().split('\n').map((line) => line.split(','));
  });

  test('exits 0 and writes results.csv with the spec columns, one row per case', () => {
    expect(result.code).toBe(0);
    expect(csv[0]).toEqual([...CASE_COLUMNS]);
    expect(csv.slice(1).map((row) => [row[1], row[2], row[4], row[7]])).toEqual([
      ['Standard', 'forward', '8', 'ok'], ['Standard', 'forward', '16', 'ok'],
      ['BSBR', 'forward', '8', 'ok'], ['BSBR', 'forward', '16', 'ok'],
    ]);
    // The CSV holds the same numbers as the JSON.
    run.cases.forEach((c, i) => {
      CASE_COLUMNS.forEach((column, j) => expect(csv[i + 1][j]).toBe(c[column] === null ? '' : String(c[column])));
    });
  });

  test('results.json holds the settings, the resolved config, the environment, the calibration and every sample', () => {
    const config = resolveConfig({ hiddenDim: 16, numHeads: 2, ffDim: 32, vocabSize: 100, numLayers: 1, chunkSize: 4, windowSize: 4, compressionFactor: 2 });
    expect(run.config).toEqual(config);
    expect(run.sweep).toEqual({
      models: ['Standard', 'BSBR'], seq_lengths: [8, 16], modes: ['forward'], batch_size: 1, warmup: 0, repeats: 1,
      time_limit_s: null, max_memory_mb: null, weights_file: null,
    });
    expect(run.command.slice(0, 2)).toEqual(['bsbr', 'compare']);
    const env = run.environment;
    expect(env.backend).toBe('wasm');
    expect(env.threads).toBe(2);
    expect(env.tfjs_core_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(env.node_version).toBe(process.version);
    expect(env.cpu_count).toBeGreaterThan(0);
    expect(env.total_memory_bytes).toBeGreaterThan(0);
    expect(env.git_commit === null || /^[0-9a-f]{40}$/.test(env.git_commit)).toBe(true);
    expect(run.calibration!.description).toBe('matmul 1024x1024x1024 float32, 2 threads');
    expect(run.calibration!.flops).toBe(2 * 1024 ** 3);
    expect(run.calibration!.samples_ms.length).toBeGreaterThan(1);
    expect(run.calibration!.gflops_per_s).toBeCloseTo(run.calibration!.flops / run.calibration!.median_ms / 1e6);
    for (const c of run.cases) {
      expect(c.run_id).toBe(run.run_id);
      expect(c.backend).toBe('wasm');
      expect(c.samples_ms).toHaveLength(1);
      expect(c.median_ms).toBe(c.samples_ms[0]);
      expect(c.std_ms).toBe(0);
      expect(c.tokens_per_s).toBeCloseTo((c.seq_len / c.median_ms!) * 1000);
      expect(c.flops).toBe(forwardFlops(c.model, config, c.seq_len, 1));
      expect(c.gflops_per_s).toBeCloseTo(c.flops! / c.median_ms! / 1e6);
      expect(c.peak_tensor_bytes).toBeGreaterThan(0);
      expect(c.peak_rss_bytes).toBeGreaterThan(c.peak_tensor_bytes!);
    }
  });

  test('params are each model\'s countParams()', () => {
    for (const name of ['Standard', 'BSBR']) {
      const model = createModel(name, run.config);
      const expected = model.countParams();
      model.dispose();
      expect(run.cases.filter((c) => c.model === name).map((c) => c.params)).toEqual([expected, expected]);
    }
  });

  test('prints one plain line per case (stdout is not a TTY), the summary table and the output path', () => {
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('4 of 4 cases to run');
    expect(lines.slice(1, 5).map((l) => l.replace(/[\d.]+ ms$/, 'X ms'))).toEqual([
      '[1/4] Standard forward n=8: ok, median X ms',
      '[2/4] Standard forward n=16: ok, median X ms',
      '[3/4] BSBR forward n=8: ok, median X ms',
      '[4/4] BSBR forward n=16: ok, median X ms',
    ]);
    const cells = (line: string) => line.split('│').map((cell) => cell.trim()).filter(Boolean);
    const header = lines.find((l) => l.includes('model'))!;
    expect(cells(header)).toEqual(['model', 'mode', 'n', 'status', 'median ms', 'tok/s', 'GFLOP/s', 'peak tensor MB', 'peak RSS MB', 'params']);
    const summary = lines.slice(0, lines.findIndex((l) => l.startsWith('results: ')));
    const rows = summary.filter((l) => /│ (Standard|BSBR) /.test(l)).map(cells);
    expect(rows.map((r) => [r[0], r[2], r[3], r[9]])).toEqual(run.cases.map((c) => [c.model, String(c.seq_len), 'ok', String(c.params)]));
    expect(Math.abs(Number(rows[0][4]) - run.cases[0].median_ms!)).toBeLessThanOrEqual(0.05);
    expect(lines).toContain(`results: ${path.join('run', 'results.json')} and ${path.join('run', 'results.csv')}`);
    // Then the analysis bsbr analyze would write, beside the results.
    expect(lines.some((l) => /^wrote \d+ files to run; open run\/report.html$/.test(l))).toBe(true);
  });
});

// `script` runs the command on a pseudo-terminal, where compare shows a progress bar instead of lines.
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

(hasScript ? test : test.skip)('on a terminal, a progress bar with the case count and an ETA', () => {
  const cwd = tempDir();
  const command = [process.execPath, BIN, 'compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'run'].join(' ');
  const output = execFileSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8' });
  expect(output).toMatch(/1\/1 cases \| ETA/);
  expect(output).not.toMatch(/\[1\/1\]/);
  expect(fs.existsSync(path.join(cwd, 'run', 'results.csv'))).toBe(true);
});

describe('--weights: a sweep with loaded weights', () => {
  const cwd = tempDir();
  beforeAll(async () => {
    // Two files from `bsbr weights save`: one with the sweep's config (another seed), one with another hidden size.
    await runCli(['weights', 'save', 'fits.safetensors', '--model', 'BSBR', ...TINY_MODEL_ARGS, '--seed', '5'], cwd);
    await runCli(['weights', 'save', 'wrong.safetensors', '--model', 'BSBR', '--hidden-dim', '8', '--num-heads', '2'], cwd);
  });

  test('needs exactly one model and an existing file', async () => {
    expectUsageError(await runCli(['compare', '--weights', 'fits.safetensors', '--models', 'BSBR', 'Standard'], cwd), /--weights: loads one model's weights; give exactly one --models NAME/);
    expectUsageError(await runCli(['compare', '--weights', 'nope.safetensors', '--models', 'BSBR'], cwd), /--weights: no such file 'nope.safetensors'/);
  });

  test('a file that does not fit the config: exit 2 naming the entry and both shapes, nothing written', async () => {
    const result = await runCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--weights', 'wrong.safetensors', '--out', 'bad'], cwd);
    expectUsageError(result, /--weights .*wrong.safetensors: .*wrong shape embedding.weight: expected \[\d+, \d+\], got \[\d+, 8\]/);
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('a file that fits: the sweep runs and records the file', async () => {
    const result = await runCli(['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--weights', 'fits.safetensors', '--out', 'run'], cwd);
    expect(result.code).toBe(0);
    const run = readResults(path.join(cwd, 'run', 'results.json'));
    expect(run.sweep.weights_file).toBe(path.join(fs.realpathSync(cwd), 'fits.safetensors'));
    expect(run.cases.map((c) => c.status)).toEqual(['ok']);
  });
});
