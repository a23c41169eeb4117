import { Command } from 'commander';
import * as path from 'path';
import { MODEL_NAMES } from '../../models/registry';
import { registerCompare } from './compare';
import { ADAPTIVE_DEFAULTS, MODEL_DEFAULTS, COMPARE_DEFAULTS } from '../options/defaults';
import { UsageError } from '../options/usage_error';
import { tempDir } from '../testing/cli';
import { CompareRequest, NewSweep, parseCompareOptions, RawCompareOptions } from '../bench/options';

const NOW = new Date('2025-03-04T05:06:07.890Z');

/** Parses `bsbr compare ...args` with the real commander definition, without running anything. */
function parse(args: string[]): CompareRequest {
  const program = new Command().exitOverride();
  registerCompare(program);
  let request: CompareRequest | undefined;
  program.commands
    .find((c) => c.name() === 'compare')!
    .action((options: RawCompareOptions) => {
      request = parseCompareOptions(options, NOW);
    });
  program.parse(['compare', ...args], { from: 'user' });
  return request!;
}

const parseNew = (args: string[]) => parse(args) as NewSweep;

test('options not given take the defaults of src/options/defaults.ts', () => {
  const request = parseNew([]);
  expect(request).toEqual({
    kind: 'new',
    runId: '2025-03-04T05-06-07Z',
    // results/<run id>, claimed when the run starts (results/<run id>-2 if that is taken).
    out: null,
    backend: COMPARE_DEFAULTS.backend,
    caseTimeoutS: COMPARE_DEFAULTS.caseTimeout,
    sweep: {
      models: COMPARE_DEFAULTS.models,
      seq_lengths: COMPARE_DEFAULTS.seqLengths,
      modes: COMPARE_DEFAULTS.modes,
      batch_size: COMPARE_DEFAULTS.batchSize,
      warmup: COMPARE_DEFAULTS.warmup,
      repeats: COMPARE_DEFAULTS.repeats,
      time_limit_s: null,
      max_memory_mb: null,
      weights_file: null,
      weights_sha256: null,
      adaptive: null,
      threads: null,
    },
    config: MODEL_DEFAULTS,
  });
});

test('--models all: every architecture', () => {
  expect(parseNew(['--models', 'BSBR', 'ALL']).sweep.models).toEqual([...MODEL_NAMES]);
});

test('every option reaches the sweep settings or the model config', () => {
  const out = path.join(tempDir(), 'run');
  const request = parseNew([
    '--seq-lengths',
    '32',
    '8',
    '16',
    '8',
    '--models',
    'gau',
    'BSBR',
    'Gau',
    '--mode',
    'decode',
    'forward',
    '--vocab-size',
    '50',
    '--hidden-dim',
    '24',
    '--num-layers',
    '3',
    '--num-heads',
    '3',
    '--ff-dim',
    '40',
    '--chunk-size',
    '6',
    '--window-size',
    '5',
    '--beta',
    '0.5',
    '--temperature',
    '2.5',
    '--expansion-factor',
    '3',
    '--compression-factor',
    '4',
    '--seed',
    '7',
    '--batch-size',
    '2',
    '--warmup',
    '0',
    '--repeats',
    '1',
    '--backend',
    'cpu',
    '--threads',
    '3',
    '--time-limit',
    '1.5',
    '--max-memory',
    '512',
    '--out',
    out,
  ]);
  expect(request.out).toBe(out);
  expect(request.backend).toBe('cpu');
  expect(request.threads).toBe(3);
  expect(request.sweep).toEqual({
    models: ['GAU', 'BSBR'],
    seq_lengths: [8, 16, 32],
    modes: ['decode', 'forward'],
    batch_size: 2,
    warmup: 0,
    repeats: 1,
    time_limit_s: 1.5,
    max_memory_mb: 512,
    weights_file: null,
    weights_sha256: null,
    adaptive: null,
    threads: 3,
  });
  expect(request.config).toMatchObject({
    vocabSize: 50,
    hiddenDim: 24,
    numLayers: 3,
    numHeads: 3,
    ffDim: 40,
    chunkSize: 6,
    windowSize: 5,
    beta: 0.5,
    temperature: 2.5,
    expansionFactor: 3,
    compressionFactor: 4,
    seed: 7,
  });
  // No compression: none, as bsbr recall spells it, or 0 (earlier command lines); the config has no factor.
  expect(parseNew(['--compression-factor', 'none']).config.compressionFactor).toBeUndefined();
  expect(parseNew(['--compression-factor', 'None']).config.compressionFactor).toBeUndefined();
  expect(parseNew(['--compression-factor', '0']).config.compressionFactor).toBeUndefined();
});

test('lists take commas as well as spaces', () => {
  const { sweep } = parseNew([
    '--models',
    'BSBR,linear',
    'GAU',
    '--seq-lengths',
    '64,128',
    '256',
    '--mode',
    'forward,decode',
  ]);
  expect(sweep.models).toEqual(['BSBR', 'Linear', 'GAU']);
  expect(sweep.seq_lengths).toEqual([64, 128, 256]);
  expect(sweep.modes).toEqual(['forward', 'decode']);
  expect(() => parse(['--models', 'BSBR,Mamba'])).toThrow("--models: unknown model 'Mamba'");
});

test('--target-ci turns on adaptive sampling, with its defaults', () => {
  const { minRepeats, maxRepeats, sampleBudget } = ADAPTIVE_DEFAULTS;
  expect(parseNew(['--target-ci', '2']).sweep).toMatchObject({
    repeats: minRepeats,
    adaptive: { target_ci: 0.02, max_repeats: maxRepeats, budget_s: sampleBudget },
  });
  expect(
    parseNew(['--target-ci', '2', '--min-repeats', '10', '--max-repeats', '20', '--sample-budget', '5']).sweep,
  ).toMatchObject({
    repeats: 10,
    adaptive: { target_ci: 0.02, max_repeats: 20, budget_s: 5 },
  });
});

test.each([
  [['--target-ci', '0'], "--target-ci: '0' is not a positive number"],
  [['--target-ci', '5', '--min-repeats', '0'], "--min-repeats: '0' is not a positive integer"],
  [['--max-repeats', '9'], '--max-repeats: only with --target-ci (adaptive sampling); --repeats sets a fixed count'],
  [['--warmup', '-1'], "--warmup: '-1' is not a non-negative integer"],
  [['--repeats', '0'], "--repeats: '0' is not a positive integer"],
  [['--threads', '0'], "--threads: '0' is not a positive integer"],
  [['--threads', 'all'], "--threads: 'all' is not a positive integer"],
  [['--batch-size', '1.5'], "--batch-size: '1.5' is not a positive integer"],
  [
    ['--backend', 'gpu'],
    "--backend: unknown backend 'gpu' (valid: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu)",
  ],
  [['--hidden-dim', '0x40'], "--hidden-dim: '0x40' is not a number"],
  [['--seq-lengths', '0x40'], "--seq-lengths: '0x40' is not a positive integer"],
  [['--beta', ''], "--beta: '' is not a number"],
  [['--repeats', '1e400'], "--repeats: '1e400' is not a positive integer"],
  [['--time-limit', '0'], "--time-limit: '0' is not a positive number"],
  [['--max-memory', 'lots'], "--max-memory: 'lots' is not a positive number"],
  [['--window-size', '0'], '--window-size: invalid config: windowSize must be an integer in [1, 16777216] (got 0)'],
  [
    ['--hidden-dim', '12', '--compression-factor', '5'],
    '--compression-factor: invalid config: compressionFactor must divide hiddenDim (hiddenDim 12, compressionFactor 5)',
  ],
  // An empty list would write a run that its own --resume refuses.
  [['--models', ''], '--models: no value given (an empty list)'],
  [['--seq-lengths', ' , '], '--seq-lengths: no value given (an empty list)'],
  [['--mode', ''], '--mode: no value given (an empty list)'],
  // Every count and time has a bound.
  [['--batch-size', '1000000000'], '--batch-size: 1000000000 is outside [1, 65536]'],
  [['--seq-lengths', '64', '99999999999'], '--seq-lengths: 99999999999 is outside [1, 16777216]'],
  [['--repeats', '1000000'], '--repeats: 1000000 is outside [1, 10000]'],
  [['--warmup', '1000000'], '--warmup: 1000000 is outside [0, 10000]'],
  [['--case-timeout', '1e-9'], '--case-timeout: 1e-9 is outside [0.01, 604800]'],
  [['--max-memory', '1e-300'], '--max-memory: 1e-300 is outside [1, 1073741824]'],
  [['--time-limit', '1e9'], '--time-limit: 1000000000 is outside [0, 604800]'],
])('%j is refused: %s', (args, message) => {
  expect(() => parse(args)).toThrow(UsageError);
  expect(() => parse(args)).toThrow(message);
});

test('backend names are case-insensitive, as model names are', () => {
  expect(parseNew(['--backend', 'WASM', '--models', 'bsbr']).backend).toBe('wasm');
  expect(parseNew(['--backend', 'Auto']).backend).toBe('auto');
});

test('--case-timeout is read as a positive number; --retry-failed needs --resume', () => {
  expect(parseNew(['--case-timeout', '2.5']).caseTimeoutS).toBe(2.5);
  expect(() => parse(['--case-timeout', '0'])).toThrow("--case-timeout: '0' is not a positive number");
  expect(() => parse(['--retry-failed'])).toThrow('--retry-failed: only with --resume <dir>');
});

describe('--shard', () => {
  test('a shard is part of the new sweep, and its run id and default folder name it', () => {
    const request = parseNew(['--shard', '2/4']);
    expect(request.shard).toEqual({ index: 2, count: 4 });
    expect(request.runId).toBe('2025-03-04T05-06-07Z-shard-2-of-4');
    // Without --out the run's folder is results/<run id>, claimed when the run starts.
    expect(request.out).toBeNull();
    expect(parseNew([]).shard).toBeUndefined();
  });

  test('a bad shard is refused before anything runs', () => {
    expect(() => parse(['--shard', '5/4'])).toThrow(
      new UsageError('--shard', "--shard: '5/4' gives shard 5 of 4; the index must be 1..4 (count >= 1)"),
    );
  });
});
