/**
 * The path of the recall-gpu preset (webgpu, several worker processes at once) at a tiny size, on
 * lavapipe in CI: every model, BSBR with and without compression, trains through the built command.
 */
import * as path from 'path';
import { testsOn } from '../../models/testing/harness';
import { readRecallResults } from '../results/recall_read';
import { presetArgs } from './presets';
import { runCli, tempDir } from '../testing/cli';

describe('bsbr recall on webgpu', () => {
  const itOn = testsOn('webgpu');

  itOn(
    'trains all seven (and BSBR compressed) with two workers at once, every case ok',
    async () => {
      // The preset's own backend, jobs and compression; the sizes tiny.
      const preset = presetArgs('recall-gpu', 'recall');
      for (const [flag, value] of [
        ['--backend', 'webgpu'],
        ['--jobs', '4'],
        ['--bsbr-compression', 'none'],
      ]) {
        expect(preset[preset.indexOf(flag) + 1]).toBe(value);
      }
      const cwd = tempDir();
      const out = path.join(cwd, 'run');
      const { code, stderr } = await runCli(
        [
          'recall',
          '--backend',
          'webgpu',
          '--jobs',
          '2',
          '--models',
          'all',
          '--bsbr-compression',
          'none',
          '4',
          '--hidden-dims',
          '16',
          '--tasks',
          '16:2',
          '--vocab-size',
          '32',
          '--num-heads',
          '2',
          '--train-examples',
          '32',
          '--test-examples',
          '16',
          '--batch-size',
          '16',
          '--steps',
          '2',
          '--eval-every',
          '2',
          '--warmup-steps',
          '1',
          '--learning-rates',
          '1e-2',
          '--out',
          out,
          '--quiet',
        ],
        cwd,
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const results = readRecallResults(path.join(out, 'results.json'));
      expect(results.environment.backend).toBe('webgpu');
      expect(
        results.cases.map((c) => `${c.model}${c.compression_factor ? ` cf${c.compression_factor}` : ''}:${c.status}`),
      ).toEqual([
        'BSBR:ok',
        'BSBR cf4:ok',
        'Standard:ok',
        'Linear:ok',
        'DeltaNet:ok',
        'SlidingWindow:ok',
        'Hopfield:ok',
        'GAU:ok',
      ]);
    },
    600_000,
  );
});
