/**
 * `bsbr compare` end to end, through the built command (run `npm run build` first): bad input, a tiny
 * real sweep and what it writes and prints.
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../../models/config';
import { createModel } from '../../models/registry';
import { useDefaultBackend } from '../../models/testing/harness';
import { forwardFlops } from '../sweep/flops';
import { planFor } from '../../models/plan';
import { EXTRA_CSV_COLUMNS } from '../results/write';
import { readTextTable } from '../testing/text_table';
import { readResults } from '../results/read';
import { readSafetensors, writeSafetensors } from '../weights/safetensors';
import { CASE_COLUMNS, ResultsFile } from '../results/schema';
import { BIN, CliResult, runCli, tempDir, TINY_ARGS, TINY_MODEL_ARGS } from '../testing/cli';
import { itOrSkip } from '../../models/testing/skip';

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
    [
      'unknown model',
      ['--models', 'BSBR', 'Transformer'],
      /unknown model 'Transformer' \(valid: BSBR, Standard, Linear, DeltaNet, SlidingWindow, Hopfield, GAU/,
    ],
    [
      'heads not dividing hidden',
      ['--hidden-dim', '10', '--num-heads', '3'],
      /--num-heads: .*numHeads must divide hiddenDim \(hiddenDim 10, numHeads 3\)/,
    ],
    ['non-positive chunk', ['--chunk-size', '0'], /--chunk-size: .*chunkSize must be an integer in \[1, 65536\]/],
    ['unknown mode', ['--mode', 'sideways'], /unknown mode 'sideways' \(valid: forward, decode, train\)/],
    ['threads 0', ['--threads', '0'], /--threads: '0' is not a positive integer/],
    // Commander's own errors carry the same prefix.
    ['unknown option', ['--xyzzy'], /^bsbr: error: unknown option '--xyzzy'$/],
    ['missing option value', ['--out'], /^bsbr: error: option '--out <dir>' argument missing$/],
  ];
  test.each(cases)('%s', async (_name, args, pattern) => {
    const cwd = tempDir();
    expectUsageError(await runCli(['compare', ...args], cwd), pattern);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  test('an --out that cannot be created', async () => {
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'a-file'), '');
    const result = await runCli(
      ['compare', ...TINY_ARGS, '--models', 'BSBR', '--seq-lengths', '8', '--out', 'a-file/run'],
      cwd,
    );
    expectUsageError(result, /--out: cannot write to 'a-file\/run'/);
    expect(fs.readdirSync(cwd)).toEqual(['a-file']);
    expect(fs.statSync(path.join(cwd, 'a-file')).size).toBe(0);
  });

  test('an --out that already holds a run', async () => {
    const cwd = tempDir();
    fs.mkdirSync(path.join(cwd, 'run'));
    fs.writeFileSync(path.join(cwd, 'run', 'results.json'), '{}');
    expectUsageError(
      await runCli(['compare', '--out', 'run'], cwd),
      /already holds a results.json \(finish it with --resume run/,
    );
    expect(fs.readdirSync(path.join(cwd, 'run'))).toEqual(['results.json']);
  });
});

describe('a tiny real sweep', () => {
  const cwd = tempDir();
  let result: CliResult;
  let run: ResultsFile;
  let csv: string[][];

  beforeAll(async () => {
    // Lists with commas and spaces alike.
    result = await runCli(
      [
        'compare',
        ...TINY_ARGS,
        '--threads',
        '2',
        '--models',
        'standard,bsbr',
        '--seq-lengths',
        '16',
        '8',
        '--out',
        'run',
      ],
      cwd,
    );
    run = readResults(path.join(cwd, 'run', 'results.json'));
    csv = fs
      .readFileSync(path.join(cwd, 'run', 'results.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split(','));
  });

  test('exits 0 and writes results.csv with the spec columns then the added ones, one row per case', () => {
    expect(result.code).toBe(0);
    expect(csv[0]).toEqual([...CASE_COLUMNS, ...EXTRA_CSV_COLUMNS]);
    expect(csv.slice(1).map((row) => [row[1], row[2], row[4], row[7]])).toEqual([
      ['Standard', 'forward', '8', 'ok'],
      ['Standard', 'forward', '16', 'ok'],
      ['BSBR', 'forward', '8', 'ok'],
      ['BSBR', 'forward', '16', 'ok'],
    ]);
    // The CSV holds the same numbers as the JSON, fractions to 6 significant digits.
    const shown = (v: unknown) =>
      v == null ? '' : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(6))) : String(v);
    run.cases.forEach((c, i) => {
      CASE_COLUMNS.forEach((column, j) => expect(csv[i + 1][j]).toBe(shown(c[column])));
    });
    // Then each model's cost knobs (empty where it does not read one) and the load averages around the case.
    const extra = (row: string[], column: (typeof EXTRA_CSV_COLUMNS)[number]) =>
      row[CASE_COLUMNS.length + EXTRA_CSV_COLUMNS.indexOf(column)];
    expect(
      csv
        .slice(1)
        .map((row) => [extra(row, 'chunk_size'), extra(row, 'window_size'), extra(row, 'compression_factor')]),
    ).toEqual([
      ['', '', ''],
      ['', '', ''],
      ['4', '', '2'],
      ['4', '', '2'],
    ]);
    run.cases.forEach((c, i) => expect(extra(csv[i + 1], 'load_before')).toBe(shown(c.load_before)));
    // And the config that sets the cost, the case's threads and the dtype: rows of two runs stay apart.
    expect(
      csv
        .slice(1)
        .map((row) =>
          ['hidden_dim', 'num_heads', 'head_dim', 'num_layers', 'ff_dim', 'threads', 'dtype'].map((k) =>
            extra(row, k as never),
          ),
        ),
    ).toEqual(Array(4).fill(['16', '2', '8', '1', '32', '2', 'float32']));
  });

  test('results.json holds the settings, the resolved config, the environment, the calibration and every sample', () => {
    const config = resolveConfig({
      hiddenDim: 16,
      numHeads: 2,
      ffDim: 32,
      vocabSize: 100,
      numLayers: 1,
      chunkSize: 4,
      windowSize: 4,
      compressionFactor: 2,
    });
    expect(run.config).toEqual(config);
    expect(run.sweep).toEqual({
      models: ['Standard', 'BSBR'],
      seq_lengths: [8, 16],
      modes: ['forward'],
      batch_size: 1,
      warmup: 0,
      repeats: 1,
      time_limit_s: null,
      max_memory_mb: null,
      weights_file: null,
      weights_sha256: null,
      adaptive: null,
      threads: 2,
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
    expect(run.calibration!.spread).toBeGreaterThanOrEqual(0);
    expect(run.calibration!.load_before).toBeGreaterThanOrEqual(0);
    expect(run.calibration!.load_after).toBeGreaterThanOrEqual(0);
    for (const c of run.cases) {
      expect(c.run_id).toBe(run.run_id);
      expect(c.backend).toBe('wasm');
      expect(c.samples_ms).toHaveLength(1);
      expect(c.median_ms).toBe(c.samples_ms[0]);
      expect(c.std_ms).toBe(0);
      expect(c.tokens_per_s).toBeCloseTo((c.seq_len / c.median_ms!) * 1000);
      expect(c.flops).toBe(forwardFlops(c.model, config, c.seq_len, 1, planFor('wasm', 0)));
      expect(c.gflops_per_s).toBeCloseTo(c.flops! / c.median_ms! / 1e6);
      expect(c.peak_tensor_bytes).toBeGreaterThan(0);
      expect(c.peak_rss_bytes).toBeGreaterThan(c.peak_tensor_bytes!);
      expect(c.spread).toBe(0);
      expect(c.median_ci95_ms).toBeNull(); // 1 repeat: no interval
      expect(c.load_before).toBeGreaterThanOrEqual(0);
      expect(c.load_after).toBeGreaterThanOrEqual(0);
    }
  });

  test("params are each model's countParams()", () => {
    for (const name of ['Standard', 'BSBR']) {
      const model = createModel(name, run.config);
      const expected = model.countParams();
      model.dispose();
      expect(run.cases.filter((c) => c.model === name).map((c) => c.params)).toEqual([expected, expected]);
    }
  });

  test('progress and notices go to stderr: one plain line per case (stderr is not a TTY) and the output paths', () => {
    const lines = result.stderr.split('\n');
    const progress = lines.slice(lines.indexOf('4 of 4 cases to run') + 1, lines.indexOf('4 of 4 cases to run') + 5);
    expect(progress.map((l) => l.replace(/[\d.]+ ms$/, 'X ms'))).toEqual([
      '[1/4] Standard forward n=8: ok, median X ms',
      '[2/4] Standard forward n=16: ok, median X ms',
      '[3/4] BSBR forward n=8: ok, median X ms',
      '[4/4] BSBR forward n=16: ok, median X ms',
    ]);
    expect(lines).toContain(`results: ${path.join('run', 'results.json')} and ${path.join('run', 'results.csv')}`);
    expect(lines.some((l) => /^wrote \d+ files to run; open run\/report.html$/.test(l))).toBe(true);
    expect(result.stdout).not.toContain('cases to run');
  });

  test('stdout holds the summary in 80 columns: the cases with their config, the fits, the slowdowns', () => {
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const cases = readTextTable(result.stdout, 'model');
    expect(cases.map((r) => [r.model, r.config, r.n])).toEqual([
      ['Standard', '', '8'],
      ['', '', '16'],
      ['BSBR', 'chunk 4, cf 2', '8'],
      ['', '', '16'],
    ]);
    expect(Math.abs(Number(cases[0]['median ms']) - run.cases[0].median_ms!)).toBeLessThanOrEqual(0.05);
    expect(result.stdout).toMatch(/^\(left out at 80 columns: [^)]*params[^)]*\)$/m);
    expect(result.stdout).toContain('forward time fits:');
    expect(result.stdout).toContain('forward slowdown against the fastest model at each length');
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
const withTerminal = itOrSkip(
  hasScript ? null : 'no script(1) here to give the command a pseudo-terminal (util-linux)',
);

withTerminal('on a terminal, a progress bar with the case count and an ETA', () => {
  const cwd = tempDir();
  const command = [
    process.execPath,
    BIN,
    'compare',
    ...TINY_ARGS,
    '--models',
    'BSBR',
    '--seq-lengths',
    '8',
    '--out',
    'run',
  ].join(' ');
  // stderr is the terminal here; the summary on stdout goes to /dev/null.
  const output = execFileSync('script', ['-qec', `${command} > /dev/null`, '/dev/null'], { cwd, encoding: 'utf8' });
  expect(output).toMatch(/1\/1 cases \| ETA/);
  expect(output).not.toMatch(/\[1\/1\]/);
  expect(fs.existsSync(path.join(cwd, 'run', 'results.csv'))).toBe(true);
});

withTerminal(
  'Ctrl-C during the progress bar: line wrapping restored, how to resume, exit 130, the finished cases kept',
  async () => {
    const cwd = tempDir();
    const command = [
      process.execPath,
      BIN,
      'compare',
      ...TINY_ARGS,
      '--models',
      'BSBR',
      'Linear',
      '--seq-lengths',
      '8',
      '16',
      '32',
      '--out',
      'run',
    ].join(' ');
    // script gives the command a pseudo-terminal; a ^C typed into it reaches the command's process group as SIGINT.
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/1\/6 cases \| ETA/.test(output) && !typed) typed = child.stdin!.write('\x03') || true;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    child.stdin!.destroy();
    expect(code).toBe(130);
    // The bar turned wrapping off (ESC [?7l); it is on again (ESC [?7h) before the message.
    const off = output.lastIndexOf('\x1b[?7l');
    const on = output.lastIndexOf('\x1b[?7h');
    expect(off).toBeGreaterThanOrEqual(0);
    expect(on).toBeGreaterThan(off);
    const kept = readResults(path.join(cwd, 'run', 'results.json')).cases.length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(output.slice(on)).toContain(
      `bsbr: interrupted by SIGINT: the ${kept} finished cases are kept in run/results.json; finish the run with: bsbr compare --resume run`,
    );
    expect(fs.readdirSync(path.join(cwd, 'run')).sort()).toEqual(['results.csv', 'results.json']);
  },
);

describe('--weights: a sweep with loaded weights', () => {
  const cwd = tempDir();
  beforeAll(async () => {
    // Two files from `bsbr weights save`: one with the sweep's config (another seed), one with another hidden size.
    await runCli(['weights', 'save', 'fits.safetensors', '--model', 'BSBR', ...TINY_MODEL_ARGS, '--seed', '5'], cwd);
    await runCli(
      ['weights', 'save', 'wrong.safetensors', '--model', 'BSBR', '--hidden-dim', '8', '--num-heads', '2'],
      cwd,
    );
  });

  test('needs exactly one model and an existing file', async () => {
    expectUsageError(
      await runCli(['compare', '--weights', 'fits.safetensors', '--models', 'BSBR', 'Standard'], cwd),
      /--weights: loads one model's weights; give exactly one --models NAME/,
    );
    expectUsageError(
      await runCli(['compare', '--weights', 'nope.safetensors', '--models', 'BSBR'], cwd),
      /--weights: safetensors file not found: nope.safetensors$/,
    );
    expectUsageError(
      await runCli(['compare', '--weights', '/dev/zero', '--models', 'BSBR'], cwd),
      /--weights: cannot read safetensors file \/dev\/zero: it is a device, not a regular file$/,
    );
  });

  test('a file that does not fit the config: exit 2 naming the entry and both shapes, nothing written', async () => {
    const result = await runCli(
      [
        'compare',
        ...TINY_ARGS,
        '--models',
        'BSBR',
        '--seq-lengths',
        '8',
        '--weights',
        'wrong.safetensors',
        '--out',
        'bad',
      ],
      cwd,
    );
    expectUsageError(
      result,
      /--weights .*wrong.safetensors: .*wrong shape embedding.weight: expected \[\d+, \d+\], got \[\d+, 8\]/,
    );
    expect(fs.existsSync(path.join(cwd, 'bad'))).toBe(false);
  });

  test('outputs that are not finite: the case is non-finite, not ok, with a message; a run with no ok case exits 1', async () => {
    // Finite weights whose final norm scales every output past float32's range.
    const weights = readSafetensors(path.join(cwd, 'fits.safetensors'));
    const norm = weights.get('layer_norm.weight')!;
    weights.set('layer_norm.weight', tf.fill(norm.shape, 3e38));
    writeSafetensors(path.join(cwd, 'overflow.safetensors'), weights);
    tf.dispose([...weights.values(), norm]);
    const result = await runCli(
      [
        'compare',
        ...TINY_ARGS,
        '--models',
        'BSBR',
        '--seq-lengths',
        '8',
        '--weights',
        'overflow.safetensors',
        '--out',
        'nan',
      ],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\[1\/1\] BSBR forward n=8: non-finite: the output holds \d+ of 128 values that are NaN or infinite/,
    );
    expect(result.stderr).toMatch(/^bsbr: no case was measured ok/m);
    const [row] = readResults(path.join(cwd, 'nan', 'results.json')).cases;
    expect(row.status).toBe('non-finite');
    expect(row.message).toMatch(/^the output holds [1-9]\d* of 128 values that are NaN or infinite$/);
    // The timings are real and kept.
    expect(row.median_ms).toBeGreaterThan(0);
  });

  test('a file that fits: the sweep runs and records the file', async () => {
    const result = await runCli(
      [
        'compare',
        ...TINY_ARGS,
        '--models',
        'BSBR',
        '--seq-lengths',
        '8',
        '--weights',
        'fits.safetensors',
        '--out',
        'run',
      ],
      cwd,
    );
    expect(result.code).toBe(0);
    const run = readResults(path.join(cwd, 'run', 'results.json'));
    expect(run.sweep.weights_file).toBe(path.join(fs.realpathSync(cwd), 'fits.safetensors'));
    expect(run.cases.map((c) => c.status)).toEqual(['ok']);
  });

  test('--resume refuses a weights file that changed since the run began, or is gone (exit 2, one line, the run untouched)', async () => {
    fs.copyFileSync(path.join(cwd, 'fits.safetensors'), path.join(cwd, 'kept.safetensors'));
    const started = await runCli(
      [
        'compare',
        ...TINY_ARGS,
        '--models',
        'BSBR',
        '--seq-lengths',
        '8',
        '--weights',
        'kept.safetensors',
        '--out',
        'kept',
      ],
      cwd,
    );
    expect(started.code).toBe(0);
    const file = path.join(cwd, 'kept', 'results.json');
    const bytes = fs.readFileSync(path.join(cwd, 'kept.safetensors'));
    expect(readResults(file).sweep.weights_sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    const text = fs.readFileSync(file, 'utf8');
    // One bit of the last weight flipped: the same shapes, another value; only the digest tells them apart.
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] ^= 1;
    fs.writeFileSync(path.join(cwd, 'kept.safetensors'), changed);
    for (const args of [['--dry-run'], []]) {
      expectUsageError(
        await runCli(['compare', '--resume', 'kept', ...args], cwd),
        /--resume: kept\/results\.json cannot be resumed: the weights file .*kept\.safetensors has changed since the run began \(SHA-256 [0-9a-f]{12}\.\.\., the run recorded [0-9a-f]{12}\.\.\.\)/,
      );
    }
    fs.rmSync(path.join(cwd, 'kept.safetensors'));
    expectUsageError(
      await runCli(['compare', '--resume', 'kept'], cwd),
      /--resume: kept\/results\.json cannot be resumed: --weights: safetensors file not found: .*kept\.safetensors$/,
    );
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    // The same bytes again: the run resumes (it is finished, so nothing is left to run).
    fs.writeFileSync(path.join(cwd, 'kept.safetensors'), bytes);
    expect((await runCli(['compare', '--resume', 'kept'], cwd)).code).toBe(0);
  });
});
