/** `bsbr compare --dry-run` and `--preset` through the built command (`npm run build` first). */
import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { forwardFlops } from '../sweep/flops';
import { resolveConfig } from '../../models/config';
import { planFor } from '../../models/plan';
import { readTextTable } from '../testing/text_table';
import { presetArgs, presetNames, presetsDir } from './presets';
import { runCli, tempDir, TINY_ARGS } from '../testing/cli';
import * as workerClient from '../bench/worker_client';
import { registerCompare } from './compare';

describe('--dry-run', () => {
  test('lists every case with its FLOPs and an estimate, writes nothing and runs no worker', async () => {
    const cwd = tempDir();
    const result = await runCli(
      ['compare', '--dry-run', '--models', 'BSBR,Standard', '--seq-lengths', '1024', '4096'],
      cwd,
    );
    expect(result.code).toBe(0);
    expect(fs.readdirSync(cwd)).toEqual([]);
    const rows = readTextTable(result.stdout, 'model');
    expect(rows.map((r) => [r.model, r.mode, r.n])).toEqual([
      ['BSBR', 'forward', '1024'],
      ['BSBR', 'forward', '4096'],
      ['Standard', 'forward', '1024'],
      ['Standard', 'forward', '4096'],
    ]);
    const config = resolveConfig({ compressionFactor: 2 }); // compare's defaults
    expect(Number(rows[3]['GFLOP per call'])).toBeCloseTo(
      forwardFlops('Standard', config, 4096, 1, planFor('wasm', 0)) / 1e9,
      0,
    );
    // Standard's quadratic cost makes its longer case the longest estimate.
    const seconds = rows.map((r) => Number(r['estimate s']));
    expect(Math.max(...seconds)).toBe(seconds[3]);
    expect(result.stdout).toMatch(/^4 cases, about \d+ s in all \(dry run: nothing was run or written\)$/m);
    expect(result.stdout).toMatch(/estimated from each model's GFLOP\/s in the example run/);
  });

  test('starts no worker', async () => {
    const runWorker = jest.spyOn(workerClient, 'runWorker');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const program = new Command().exitOverride();
      registerCompare(program);
      await program.parseAsync(['compare', '--dry-run', '--models', 'Linear', '--seq-lengths', '64'], { from: 'user' });
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^1 case, about \d+ s in all/m));
      expect(runWorker).not.toHaveBeenCalled();
    } finally {
      runWorker.mockRestore();
      log.mockRestore();
    }
  });

  test('one case is "1 case"', async () => {
    const result = await runCli(['compare', '--dry-run', '--models', 'Linear', '--seq-lengths', '64'], tempDir());
    expect(result.stdout).toMatch(/^1 case, about \d+ s in all/m);
  });

  test('nothing to run (a finished run resumed, a shard with no case): 0 cases and no time, exit 0', async () => {
    const cwd = tempDir();
    expect(
      (await runCli(['compare', ...TINY_ARGS, '--models', 'Linear', '--seq-lengths', '8', '--out', 'run'], cwd)).code,
    ).toBe(0);
    const results = fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8');
    for (const args of [
      ['--resume', 'run'],
      ['--models', 'Linear', '--seq-lengths', '64', '--shard', '2/2'],
    ]) {
      const result = await runCli(['compare', '--dry-run', ...args], cwd);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('0 cases: nothing to run (dry run: nothing was run or written)\n');
      expect(result.stderr).toBe('');
      const json = await runCli(['compare', '--dry-run', ...args, '--format', 'json'], cwd);
      expect(JSON.parse(json.stdout)).toEqual([]);
    }
    expect(fs.readdirSync(cwd)).toEqual(['run']);
    expect(fs.readFileSync(path.join(cwd, 'run', 'results.json'), 'utf8')).toBe(results);
  });

  test('--format json gives the cases as records', async () => {
    const result = await runCli(
      ['compare', '--dry-run', '--models', 'Linear', '--seq-lengths', '64', '--mode', 'decode', '--format', 'json'],
      tempDir(),
    );
    const [c] = JSON.parse(result.stdout);
    expect(c).toMatchObject({
      model: 'Linear',
      mode: 'decode',
      seq_len: 64,
      flops: expect.any(Number),
      seconds: expect.any(Number),
    });
  });

  test('with --shard, the cases of that shard: the shards together are the sweep, each case once', async () => {
    const sweep = [
      'compare',
      '--dry-run',
      '--models',
      'BSBR,Linear,Standard',
      '--seq-lengths',
      '256,1024,4096',
      '--format',
      'json',
    ];
    const cases = async (extra: string[]) =>
      (
        JSON.parse((await runCli([...sweep, ...extra], tempDir())).stdout) as Array<{ model: string; seq_len: number }>
      ).map((c) => `${c.model} ${c.seq_len}`);
    const whole = await cases([]);
    const shards = await Promise.all([1, 2, 3].map((i) => cases(['--shard', `${i}/3`])));
    for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
    expect(shards.flat()).toEqual(whole);
  });
});

describe('--preset', () => {
  test('the presets are the evals/presets files, shipped with the package', () => {
    expect(presetNames()).toEqual(
      fs
        .readdirSync(presetsDir())
        .filter((f) => f.endsWith('.args'))
        .map((f) => f.replace(/\.args$/, ''))
        .sort(),
    );
    expect(presetNames()).toContain('long');
    expect(presetArgs('core')).toEqual(
      fs.readFileSync(path.join(presetsDir(), 'core.args'), 'utf8').trim().split(/\s+/),
    );
  });

  test("runs the preset's options (here as a dry run), with other options added", async () => {
    const result = await runCli(['compare', '--preset', 'core', '--dry-run', '--mode', 'decode'], tempDir());
    expect(result.code).toBe(0);
    // core: BSBR and Standard at 1024, 4096 and 16384 tokens.
    expect(readTextTable(result.stdout, 'model').map((r) => `${r.model} ${r.mode} ${r.n}`)).toEqual([
      'BSBR decode 1024',
      'BSBR decode 4096',
      'BSBR decode 16384',
      'Standard decode 1024',
      'Standard decode 4096',
      'Standard decode 16384',
    ]);
  });

  test('an unknown preset, or an option the preset sets given again, is a usage error', async () => {
    const cwd = tempDir();
    const unknown = await runCli(['compare', '--preset', 'nope'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^bsbr: error: --preset: no preset 'nope' \(valid: anchor, core, .*\)\n$/);
    const twice = await runCli(['compare', '--preset', 'core', '--models', 'Linear'], cwd);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(
      /^bsbr: error: --models is set by --preset core \(--models BSBR Standard .*\); leave it out/,
    );
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
