import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONFIG } from '../../models/config';
import { MODEL_NAMES } from '../../models/registry';
import { registerCompare } from '../cli/compare';
import { UsageError } from '../cli/errors';
import { tempDir } from '../cli/testing/cli';
import { CompareRequest, NewSweep, parseCompareOptions, RawCompareOptions } from './options';

const NOW = new Date('2025-03-04T05:06:07.890Z');

/** Parses `bsbr compare ...args` with the real commander definition, without running anything. */
function parse(args: string[]): CompareRequest {
  const program = new Command().exitOverride();
  registerCompare(program);
  let request: CompareRequest | undefined;
  program.commands.find((c) => c.name() === 'compare')!.action((options: RawCompareOptions, command: Command) => {
    request = parseCompareOptions(options, (key) => command.getOptionValueSource(key) === 'cli', NOW);
  });
  program.parse(['compare', ...args], { from: 'user' });
  return request!;
}

const parseNew = (args: string[]) => parse(args) as NewSweep;

test('the defaults are the spec\'s', () => {
  const request = parseNew([]);
  expect(request).toEqual({
    kind: 'new',
    runId: '2025-03-04T05-06-07Z',
    out: path.join('results', '2025-03-04T05-06-07Z'),
    backend: 'auto',
    threads: undefined,
    sweep: {
      models: [...MODEL_NAMES], seq_lengths: [64, 128, 256, 512, 1024], modes: ['forward'], batch_size: 1, warmup: 2,
      repeats: 5, time_limit_s: null, max_memory_mb: null, weights_file: null,
    },
    config: {
      ...DEFAULT_CONFIG, vocabSize: 10000, hiddenDim: 256, numLayers: 2, numHeads: 4, ffDim: 512, chunkSize: 32, windowSize: 32,
      beta: 0.9, temperature: 1.0, expansionFactor: 2, compressionFactor: 2, seed: 0,
    },
  });
});

test('every option reaches the sweep settings or the model config', () => {
  const out = path.join(tempDir(), 'run');
  const request = parseNew([
    '--seq-lengths', '32', '8', '16', '8', '--models', 'gau', 'BSBR', 'Gau', '--mode', 'decode', 'forward',
    '--vocab-size', '50', '--hidden-dim', '24', '--num-layers', '3', '--num-heads', '3', '--ff-dim', '40',
    '--chunk-size', '6', '--window-size', '5', '--beta', '0.5', '--temperature', '2.5', '--expansion-factor', '3',
    '--compression-factor', '4', '--seed', '-7', '--batch-size', '2', '--warmup', '0', '--repeats', '1',
    '--backend', 'cpu', '--threads', '3', '--time-limit', '1.5', '--max-memory', '512', '--out', out,
  ]);
  expect(request.out).toBe(out);
  expect(request.backend).toBe('cpu');
  expect(request.threads).toBe(3);
  expect(request.sweep).toEqual({
    models: ['GAU', 'BSBR'], seq_lengths: [8, 16, 32], modes: ['decode', 'forward'], batch_size: 2, warmup: 0, repeats: 1,
    time_limit_s: 1.5, max_memory_mb: 512, weights_file: null,
  });
  expect(request.config).toMatchObject({
    vocabSize: 50, hiddenDim: 24, numLayers: 3, numHeads: 3, ffDim: 40, chunkSize: 6, windowSize: 5, beta: 0.5,
    temperature: 2.5, expansionFactor: 3, compressionFactor: 4, seed: -7,
  });
  expect(parseNew(['--compression-factor', '0']).config.compressionFactor).toBeUndefined();
});

test.each([
  [['--warmup', '-1'], "--warmup: '-1' is not a non-negative integer"],
  [['--repeats', '0'], "--repeats: '0' is not a positive integer"],
  [['--threads', '0'], "--threads: '0' is not a positive integer"],
  [['--threads', 'all'], "--threads: 'all' is not a positive integer"],
  [['--batch-size', '1.5'], "--batch-size: '1.5' is not a positive integer"],
  [['--backend', 'gpu'], "--backend: unknown backend 'gpu' (valid: auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu)"],
  [['--time-limit', '0'], "--time-limit: '0' is not a positive number"],
  [['--max-memory', 'lots'], "--max-memory: 'lots' is not a positive number"],
  [['--window-size', '0'], '--window-size: invalid config: windowSize must be a positive integer (got 0)'],
  [['--hidden-dim', '12', '--compression-factor', '5'], '--compression-factor: invalid config: compressionFactor must divide hiddenDim (hiddenDim 12, compressionFactor 5)'],
])('%j is refused: %s', (args, message) => {
  expect(() => parse(args)).toThrow(new UsageError(message));
});

test('an --out that is a file is refused before anything runs', () => {
  const file = path.join(tempDir(), 'file');
  fs.writeFileSync(file, 'x');
  expect(() => parse(['--out', file])).toThrow(`--out: '${file}' exists and is not a folder`);
});
